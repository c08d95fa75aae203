"""Doom WAD files (Freedoom): the lump directory, and the music lumps inside it.

The format is small enough to read here: a 12-byte header ("IWAD" or "PWAD", lump count, directory offset,
little-endian int32s), then at that offset one 16-byte entry per lump (file position, size, name padded
with NULs to 8 bytes). Music lumps are named D_*; each holds a standard MIDI file ("MThd") or id's MUS
format ("MUS\\x1a"), which `mus_to_midi` converts.

MUS is a compact MIDI: a header ("MUS\\x1a", score length, score start, channel counts, instrument list),
then events of one byte (bit 7: a delay follows; bits 4-6: type; bits 0-3: channel) and their data, at 140
ticks per second. Channel 15 is percussion (MIDI channel 10); controller 0 is a program change. It is
written as MIDI type 0 at 70 ticks per quarter and 120 bpm, which is the same 140 ticks per second.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGICS: tuple[bytes, ...] = (b"IWAD", b"PWAD")
MUS_MAGIC = b"MUS\x1a"
ENTRY_BYTES = 16
MUSIC_PREFIX = "D_"


class WadError(ValueError):
    """Bytes that are not a WAD, or a directory that points outside the file."""


@dataclass(frozen=True)
class Lump:
    """One directory entry and its bytes."""

    name: str
    data: bytes


def read_lumps(data: bytes) -> list[Lump]:
    """Every lump of a WAD, in directory order."""
    if len(data) < 12 or data[:4] not in MAGICS:
        raise WadError("not a WAD file (no IWAD/PWAD header)")
    count, offset = struct.unpack_from("<ii", data, 4)
    if count < 0 or offset < 12 or offset + count * ENTRY_BYTES > len(data):
        raise WadError(f"directory of {count} entries at {offset} lies outside the {len(data)}-byte file")
    lumps = []
    for index in range(count):
        position, size, raw = struct.unpack_from("<ii8s", data, offset + index * ENTRY_BYTES)
        if position < 0 or size < 0 or position + size > len(data):
            raise WadError(f"lump {index} ({raw!r}) lies outside the file")
        lumps.append(Lump(raw.split(b"\0", 1)[0].decode("ascii", "replace"), data[position:position + size]))
    return lumps


def music_lumps(data: bytes) -> list[Lump]:
    """The D_* lumps that hold music, as MIDI bytes (MUS lumps converted), in directory order."""
    found = []
    for lump in read_lumps(data):
        if not lump.name.startswith(MUSIC_PREFIX):
            continue
        if lump.data[:4] == b"MThd":
            found.append(lump)
        elif lump.data[:4] == MUS_MAGIC:
            found.append(Lump(lump.name, mus_to_midi(lump.data)))
    return found

TICKS_PER_QUARTER = 70
TEMPO_US_PER_QUARTER = 500_000
MUS_PERCUSSION = 15
MIDI_PERCUSSION = 9
CONTROLLERS: dict[int, int] = {1: 0, 2: 1, 3: 7, 4: 10, 5: 11, 6: 91, 7: 93, 8: 64, 9: 67}
"""MUS controller number -> MIDI controller (0 is the program change, handled apart)."""
SYSTEM_EVENTS: dict[int, int] = {10: 120, 11: 123, 12: 126, 13: 127, 14: 121}


class MusError(ValueError):
    """Bytes that are not a MUS lump, or a score that runs past its end."""


def mus_to_midi(data: bytes) -> bytes:
    """The MIDI file (bytes) that plays the same notes as a MUS lump."""
    if data[:4] != MUS_MAGIC or len(data) < 16:
        raise MusError("not a MUS lump")
    score_len, score_start = struct.unpack_from("<HH", data, 4)
    pos, end = score_start, min(len(data), score_start + score_len)
    events = bytearray()
    delay = 0
    volume = [127] * 16
    while pos < end:
        head = data[pos]
        pos += 1
        kind, channel = (head >> 4) & 7, _channel(head & 15)
        if kind == 6:
            break
        message, pos = _event(kind, channel, data, pos, volume)
        if message:
            events += _vlq(delay) + message
            delay = 0
        if head & 0x80:
            value = 0x80
            while value & 0x80:
                if pos >= len(data):
                    raise MusError("delay runs past the end of the lump")
                value = data[pos]
                pos += 1
                delay = (delay << 7) | (value & 0x7F)
    tempo = b"\x00\xff\x51\x03" + TEMPO_US_PER_QUARTER.to_bytes(3, "big")
    track = tempo + bytes(events) + _vlq(delay) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_QUARTER)
    return header + b"MTrk" + struct.pack(">I", len(track)) + track


def _channel(mus_channel: int) -> int:
    if mus_channel == MUS_PERCUSSION:
        return MIDI_PERCUSSION
    return mus_channel + 1 if mus_channel >= MIDI_PERCUSSION else mus_channel


def _event(kind: int, channel: int, data: bytes, pos: int, volume: list[int]) -> tuple[bytes, int]:
    """One MUS event as MIDI bytes (possibly none), and the position after its data."""
    if pos >= len(data):
        raise MusError("event runs past the end of the lump")
    if kind == 0:
        return bytes((0x90 | channel, data[pos] & 0x7F, 0)), pos + 1
    if kind == 1:
        note = data[pos]
        pos += 1
        if note & 0x80:
            volume[channel] = data[pos] & 0x7F
            pos += 1
        return bytes((0x90 | channel, note & 0x7F, volume[channel])), pos
    if kind == 2:
        bend = data[pos] << 6
        return bytes((0xE0 | channel, bend & 0x7F, (bend >> 7) & 0x7F)), pos + 1
    if kind == 3:
        controller = SYSTEM_EVENTS.get(data[pos])
        return (bytes((0xB0 | channel, controller, 0)) if controller is not None else b""), pos + 1
    if kind == 4:
        number, value = data[pos], data[pos + 1] & 0x7F
        if number == 0:
            return bytes((0xC0 | channel, value)), pos + 2
        controller = CONTROLLERS.get(number)
        return (bytes((0xB0 | channel, controller, value)) if controller is not None else b""), pos + 2
    return b"", pos


def _vlq(value: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))
