"""The sandboxed half of MIDI import: a Standard MIDI File parser run in a child process.

`composer.upload.importer` starts `python -m composer.upload.worker` with the file on stdin; this process
first caps its own address space (and CPU time), then parses with nothing but the standard library, so a
hostile file can at worst exhaust this process. Every limit is checked while reading (notes, length in
quarter notes, tracks), so work stops at the first sign of trouble. The answer is one JSON object on
stdout: `{"ok": true, ...plain data...}` or `{"ok": false, "error": "<message for the user>"}`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

MAX_TRACKS = 256
MAX_NAME_CHARS = 60


class MidiFormatError(Exception):
    """The bytes are not a usable MIDI file; the message says why, in words for the person who sent it."""


@dataclass(frozen=True)
class Limits:
    """What the parser refuses to go past."""

    max_notes: int = 20_000
    max_quarters: float = 4_000.0


@dataclass
class TrackData:
    """One track as plain data: its name, notes (channel, pitch, start, end, velocity) and program changes."""

    name: str = ""
    notes: list[list[int]] = field(default_factory=list)
    programs: list[list[int]] = field(default_factory=list)


@dataclass
class ParseState:
    """Totals across tracks, so the limits hold for the whole file."""

    limits: Limits
    tpq: int
    notes: int = 0
    tempos: list[list[int]] = field(default_factory=list)
    time_signatures: list[list[int]] = field(default_factory=list)
    key_signatures: list[list[int]] = field(default_factory=list)
    zero_length: int = 0
    unclosed: int = 0


def read_header(data: bytes) -> tuple[int, int, int]:
    """(format, declared track count, ticks per quarter) from the MThd chunk; raises MidiFormatError."""
    if len(data) < 14:
        raise MidiFormatError("the file is too short to be a MIDI file (truncated?)")
    if data[:4] != b"MThd":
        raise MidiFormatError("not a MIDI file (it does not start with 'MThd')")
    length = int.from_bytes(data[4:8], "big")
    if length < 6 or 8 + length > len(data):
        raise MidiFormatError(f"the MIDI header is damaged (length {length})")
    fmt, ntrks, division = (int.from_bytes(data[i:i + 2], "big") for i in (8, 10, 12))
    if fmt > 2:
        raise MidiFormatError(f"unknown MIDI file format {fmt} (expected 0, 1 or 2)")
    if division & 0x8000:
        raise MidiFormatError("the file uses SMPTE time code instead of ticks per quarter note, which Motif cannot read")
    if division == 0:
        raise MidiFormatError("the file says a quarter note lasts 0 ticks, so its timing is meaningless")
    if ntrks == 0:
        raise MidiFormatError("the MIDI header says the file has no tracks")
    return fmt, ntrks, division


def _varlen(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = 0
    for count in range(4):
        if pos >= end:
            raise MidiFormatError("a track ends in the middle of an event (truncated file)")
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos
        if count == 3:
            break
    raise MidiFormatError("a length or time field is longer than MIDI allows (corrupt file)")


def _meta(state: ParseState, track: TrackData, kind: int, payload: bytes, tick: int) -> None:
    if kind == 0x51 and len(payload) >= 3:
        state.tempos.append([tick, int.from_bytes(payload[:3], "big")])
    elif kind == 0x58 and len(payload) >= 2:
        state.time_signatures.append([tick, payload[0], payload[1]])
    elif kind == 0x59 and len(payload) >= 2:
        state.key_signatures.append([tick, int.from_bytes(payload[:1], "big", signed=True), payload[1]])
    elif kind == 0x03 and not track.name:
        track.name = payload[:MAX_NAME_CHARS].decode("latin-1").strip()


def _note(state: ParseState, track: TrackData, open_notes: dict[tuple[int, int], list[list[int]]],
          status: int, a: int, b: int, tick: int) -> None:
    channel, kind = status & 0x0F, status & 0xF0
    if kind == 0x90 and b > 0:
        state.notes += 1
        if state.notes > state.limits.max_notes:
            raise MidiFormatError(f"the file has more than {state.limits.max_notes} notes, the most Motif imports")
        open_notes.setdefault((channel, a), []).append([tick, b])
        return
    starts = open_notes.get((channel, a))
    if not starts:
        return
    start, velocity = starts.pop(0)
    if tick > start:
        track.notes.append([channel, a, start, tick, velocity])
    else:
        state.zero_length += 1


def _system_event(data: bytes, pos: int, end: int, state: ParseState, track: TrackData,
                  tick: int) -> tuple[int, bool]:
    """Read a meta (0xFF) or system-exclusive (0xF0/0xF7) event at `pos`: (next position, end of track)."""
    if data[pos] == 0xFF:
        if pos + 1 >= end:
            raise MidiFormatError("a track ends in the middle of an event (truncated file)")
        kind = data[pos + 1]
        length, pos = _varlen(data, pos + 2, end)
        if pos + length > end:
            raise MidiFormatError("a meta event runs past the end of its track (truncated file)")
        if kind == 0x2F:
            return pos + length, True
        _meta(state, track, kind, data[pos:pos + length], tick)
        return pos + length, False
    length, pos = _varlen(data, pos + 1, end)
    if pos + length > end:
        raise MidiFormatError("a system-exclusive message runs past the end of its track (truncated file)")
    return pos + length, False


def parse_track(data: bytes, pos: int, end: int, state: ParseState) -> TrackData:
    """Events of one MTrk chunk (bytes pos..end): notes paired per channel and pitch, metadata kept."""
    track = TrackData()
    open_notes: dict[tuple[int, int], list[list[int]]] = {}
    tick, running = 0, 0
    max_tick = state.limits.max_quarters * state.tpq
    while pos < end:
        delta, pos = _varlen(data, pos, end)
        tick += delta
        if tick > max_tick:
            raise MidiFormatError(f"the music runs past {state.limits.max_quarters:.0f} quarter notes, longer "
                                  "than Motif imports")
        if pos >= end:
            raise MidiFormatError("a track ends in the middle of an event (truncated file)")
        status = data[pos]
        if status in (0xFF, 0xF0, 0xF7):
            pos, finished = _system_event(data, pos, end, state, track, tick)
            running = 0 if status != 0xFF else running
            if finished:
                break
            continue
        if status > 0xF0:
            raise MidiFormatError(f"unexpected system message 0x{status:02X} inside a track (corrupt file)")
        if status & 0x80:
            running, pos = status, pos + 1
        elif not running:
            raise MidiFormatError("a data byte appears before any status byte (corrupt file)")
        size = 1 if running & 0xF0 in (0xC0, 0xD0) else 2
        if pos + size > end:
            raise MidiFormatError("a track ends in the middle of an event (truncated file)")
        args = data[pos:pos + size]
        if any(x & 0x80 for x in args):
            raise MidiFormatError("a channel message carries a byte above 127 (corrupt file)")
        pos += size
        if running & 0xF0 in (0x80, 0x90):
            _note(state, track, open_notes, running, args[0], args[1], tick)
        elif running & 0xF0 == 0xC0:
            track.programs.append([tick, running & 0x0F, args[0]])
    _close_open(state, track, open_notes, tick)
    return track


def _close_open(state: ParseState, track: TrackData, open_notes: dict[tuple[int, int], list[list[int]]],
                tick: int) -> None:
    """Notes never switched off end with their track (a common fault of hand-made files)."""
    for (channel, pitch), starts in open_notes.items():
        for start, velocity in starts:
            state.unclosed += 1
            if tick > start:
                track.notes.append([channel, pitch, start, tick, velocity])
            else:
                state.zero_length += 1


def parse_smf(data: bytes, limits: Limits) -> dict[str, Any]:
    """A whole Standard MIDI File as plain data (ticks, not seconds); raises MidiFormatError."""
    fmt, declared, tpq = read_header(data)
    state = ParseState(limits, tpq)
    pos = 8 + int.from_bytes(data[4:8], "big")
    tracks: list[TrackData] = []
    while pos + 8 <= len(data) and len(tracks) < declared:
        kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "big")
        body = pos + 8
        if body + length > len(data):
            raise MidiFormatError(f"track {len(tracks) + 1} is cut short: it claims {length} bytes but only "
                                  f"{len(data) - body} remain (truncated file)")
        if kind == b"MTrk":
            if len(tracks) >= MAX_TRACKS:
                raise MidiFormatError(f"the file has more than {MAX_TRACKS} tracks")
            tracks.append(parse_track(data, body, body + length, state))
        pos = body + length
    if not tracks:
        raise MidiFormatError("the file has no track data (truncated file?)")
    warnings = []
    if len(tracks) < declared:
        warnings.append(f"the header promises {declared} tracks but the file holds {len(tracks)}")
    if state.zero_length:
        warnings.append(f"dropped {state.zero_length} zero-length notes")
    if state.unclosed:
        warnings.append(f"{state.unclosed} notes were never switched off; they end with their track")
    return {
        "format": fmt, "tpq": tpq, "warnings": warnings,
        "tracks": [{"name": t.name, "notes": t.notes, "programs": t.programs} for t in tracks],
        "tempos": state.tempos, "time_signatures": state.time_signatures, "key_signatures": state.key_signatures,
    }


def limit_resources(memory_mb: int, cpu_s: int) -> None:
    """Cap this process's address space and CPU time, so a hostile file cannot take the machine with it."""
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))


def main(argv: list[str] | None = None) -> int:
    """Read MIDI bytes from stdin, write the parse (or the reason it failed) as JSON to stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-bytes", type=int, required=True)
    parser.add_argument("--max-notes", type=int, required=True)
    parser.add_argument("--max-quarters", type=float, required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-s", type=int, required=True)
    args = parser.parse_args(argv)
    limit_resources(args.memory_mb, args.cpu_s)
    data = sys.stdin.buffer.read(args.max_bytes + 1)
    try:
        if len(data) > args.max_bytes:
            raise MidiFormatError(f"the file is larger than {args.max_bytes} bytes")
        answer: dict[str, Any] = {"ok": True, **parse_smf(data, Limits(args.max_notes, args.max_quarters))}
    except MidiFormatError as exc:
        answer = {"ok": False, "error": str(exc)}
    except (MemoryError, RecursionError):
        answer = {"ok": False, "error": "the file needs more memory to read than Motif allows"}
    sys.stdout.write(json.dumps(answer, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
