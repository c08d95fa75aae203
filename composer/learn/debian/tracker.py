"""Impulse Tracker modules (.it, Pingus's game music) read into a `Song`: one track per channel.

Why a reader of our own: no well-kept Python package reads tracker patterns (libopenmpt renders audio, it
does not hand over notes), and the part needed is small. An IT file starts "IMPM"; its header gives the
song name, the order list, the instrument and sample headers (whose names say "bass", "lead", "drum"), the
pattern offsets, the initial speed and tempo, and the rows per beat (the "row highlight"). Each pattern is
packed: per row, a channel byte (0 ends the row; bit 7: a new mask follows), a mask saying which of note,
instrument, volume and effect follow or repeat the channel's last one. Notes 0-119 are C-0..B-9 (C-5 = 60,
the MIDI numbering); 254 (cut), 255 (off) and 120-253 (fade) end the sounding note.

The orders are played in sequence, following pattern breaks (effect C) and forward jumps (effect B); a jump
back (the song's loop) ends the song, so a looping game tune is read once. A note lasts until the channel's
next note or note end. Times are rows / rows-per-beat quarters. Notes of an instrument named like a drum go
to that channel's drum track, never a lead.
"""

from __future__ import annotations

import struct
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from composer.learn.debian.song import NoteRow, Song, Track, by_onset

MAGIC = b"IMPM"
NOTE_CUT_FROM = 120
END_ORDER, SKIP_ORDER = 255, 254
DEFAULT_ROWS_PER_BEAT = 4
DEFAULT_ROWS_PER_BAR = 16
MAX_ROWS = 20_000
"""A song longer than this many rows is cut there (no game tune is; it guards against a broken order list)."""
DRUM_WORDS: tuple[str, ...] = ("drum", "kick", "snare", "hihat", "hi-hat", "hat", "cymbal", "crash", "ride",
                               "tom", "perc", "clap", "bd", "sd", "hh", "conga", "bongo", "shaker", "tamb")
MAX_DRUM_PITCHES = 2
"""A channel of at most this many pitches is percussion (Pingus's kicks are samples named "bass" at C-5)."""
EIGHTH_FEEL_ABOVE_BPM = 200.0
EFFECT_JUMP, EFFECT_BREAK = 2, 3
"""IT effect numbers: B (order jump) and C (pattern break); A=1."""


Event = tuple[int, int | None, int | None, int, int]
"""(channel, note, instrument, effect, effect value): one channel's cell of a pattern row."""


class TrackerError(ValueError):
    """Bytes that are not an IT module, or whose tables point outside the file."""


def _name(data: bytes, at: int, size: int = 26) -> str:
    return data[at:at + size].split(b"\0", 1)[0].decode("latin-1").strip()


def _is_drum(name: str) -> bool:
    words = "".join(c if c.isalnum() or c == "-" else " " for c in name.lower()).split()
    return any(w in DRUM_WORDS or w.startswith(("drum", "kick", "snare", "hihat", "perc")) for w in words)


def _u32s(data: bytes, at: int, count: int) -> list[int]:
    if at + 4 * count > len(data):
        raise TrackerError("offset table runs past the end of the file")
    return list(struct.unpack_from(f"<{count}I", data, at))


def instrument_names(data: bytes, flags: int, ins: list[int], smp: list[int]) -> dict[int, str]:
    """Instrument number (1-based, as the patterns write it) -> its name (the sample's when the module plays
    samples directly: flag bit 2 clear)."""
    if flags & 4:
        return {i + 1: _name(data, o + 0x20) for i, o in enumerate(ins) if o + 0x3A <= len(data)}
    return {i + 1: _name(data, o + 0x14) for i, o in enumerate(smp) if o + 0x2E <= len(data)}


def read_pattern(data: bytes, offset: int) -> list[list[Event]]:
    """A pattern's rows: each a list of `Event`s.

    `note`/`instrument` are None where the row does not set them. An empty pattern (offset 0) is 64 rows."""
    if offset == 0:
        return [[] for _ in range(64)]
    if offset + 8 > len(data):
        raise TrackerError(f"pattern at {offset} lies outside the file")
    length, rows = struct.unpack_from("<HH", data, offset)
    pos, end = offset + 8, min(len(data), offset + 8 + length)
    masks, last = [0] * 64, [[None, None, 0, 0] for _ in range(64)]
    out: list[list[Event]] = [[] for _ in range(rows)]
    row = 0
    while row < rows and pos < end:
        head = data[pos]
        pos += 1
        if head == 0:
            row += 1
            continue
        ch = (head - 1) & 63
        if head & 0x80:
            masks[ch] = data[pos]
            pos += 1
        mask = masks[ch]
        note = inst = None
        effect = value = 0
        if mask & 1:
            note, last[ch][0], pos = data[pos], data[pos], pos + 1
        if mask & 2:
            inst, last[ch][1], pos = data[pos], data[pos], pos + 1
        if mask & 4:
            pos += 1
        if mask & 8:
            effect, value = data[pos], data[pos + 1]
            last[ch][2], last[ch][3], pos = effect, value, pos + 2
        if mask & 16:
            note = last[ch][0]
        if mask & 32:
            inst = last[ch][1]
        if mask & 128:
            effect, value = last[ch][2], last[ch][3]
        out[row].append((ch, note, inst, effect, value))
    return out


def play_rows(orders: list[int], pattern_count: int,
              pattern: Callable[[int], list[list[Event]]]) -> list[list[Event]]:
    """Every row the song plays once through, in order (breaks and forward jumps followed; a jump back ends
    it). `pattern(number)` reads one pattern's rows (each format packs them its own way); a break's value
    is the row number, whatever the format wrote."""
    cache: dict[int, list[list[Event]]] = {}
    played: list[list[Event]] = []
    index, start_row, seen = 0, 0, set()
    while 0 <= index < len(orders) and len(played) < MAX_ROWS:
        number = orders[index]
        if number == END_ORDER:
            break
        if number == SKIP_ORDER or number >= pattern_count:
            index, start_row = index + 1, 0
            continue
        if (index, start_row) in seen:
            break
        seen.add((index, start_row))
        if number not in cache:
            cache[number] = pattern(number)
        rows = cache[number]
        next_index, next_row = index + 1, 0
        for row in rows[start_row:]:
            played.append(row)
            jump = next((v for _, _, _, e, v in row if e == EFFECT_JUMP), None)
            brk = next((v for _, _, _, e, v in row if e == EFFECT_BREAK), None)
            if jump is not None or brk is not None:
                next_index = jump if jump is not None else index + 1
                next_row = brk or 0
                break
        if next_index <= index and next_row == 0:
            break
        index, start_row = next_index, next_row
    return played


def read_it(data: bytes, piece: str) -> Song:
    """The channels of an IT module as tracks (melodic and drum apart), its tempo and 4/4 meter."""
    if len(data) < 0xC0 or data[:4] != MAGIC:
        raise TrackerError(f"{piece}: not an Impulse Tracker module")
    orders_n, ins_n, smp_n, pat_n = struct.unpack_from("<HHHH", data, 0x20)
    flags = struct.unpack_from("<H", data, 0x2C)[0]
    speed, tempo = data[0x32] or 6, data[0x33] or 125
    per_beat = beat_rows(speed, tempo, data[0x1E] or DEFAULT_ROWS_PER_BEAT)
    per_bar = data[0x1F] or DEFAULT_ROWS_PER_BAR
    orders = list(data[0xC0:0xC0 + orders_n])
    at = 0xC0 + orders_n
    ins_offsets = _u32s(data, at, ins_n)
    smp_offsets = _u32s(data, at + 4 * ins_n, smp_n)
    pat_offsets = _u32s(data, at + 4 * (ins_n + smp_n), pat_n)
    names = instrument_names(data, flags, ins_offsets, smp_offsets)
    rows = play_rows(orders, len(pat_offsets), lambda n: read_pattern(data, pat_offsets[n]))
    return song_from_rows(piece, _name(data, 4) or piece, rows, names, Timing(speed, tempo, per_beat, per_bar))


@dataclass(frozen=True)
class Timing:
    """A module's initial speed (ticks per row) and tempo, and its rows per beat and per bar."""

    speed: int
    tempo: int
    per_beat: int
    per_bar: int

    @property
    def bpm(self) -> float:
        return 24.0 * self.tempo / (self.per_beat * self.speed)


def song_from_rows(piece: str, title: str, rows: list[list[Event]], names: dict[int, str], timing: Timing,
                   tune: dict[int, int] | None = None) -> Song:
    """The played rows as one track per channel (melodic and drum apart), in the shared `Song` shape.

    Notes are IT-numbered (0-119, C-5 = 60; 254/255 and 120-253 end the sounding note); `tune` adds an
    instrument's transposition in semitones (an XM sample's relative note, an S3M sample's C4 rate), so
    every reader hands over sounding pitches. Why one builder: the .it, .s3m, .xm and .mod readers differ
    only in how their patterns are packed."""
    tune = tune or {}
    notes: dict[tuple[int, bool], list[NoteRow]] = defaultdict(list)
    used: dict[tuple[int, bool], Counter[str]] = defaultdict(Counter)
    sounding: dict[int, tuple[int, int, bool, str] | None] = {}
    current_inst: dict[int, int] = {}
    beat = float(timing.per_beat)

    def close(ch: int, row: int) -> None:
        held = sounding.get(ch)
        if held is not None:
            pitch, start, drum, name = held
            notes[(ch, drum)].append((pitch, start / beat, (row - start) / beat))
            used[(ch, drum)][name] += 1
            sounding[ch] = None

    for number, row in enumerate(rows):
        for ch, note, inst, _, _ in row:
            if inst:
                current_inst[ch] = inst
            if note is None:
                continue
            close(ch, number)
            if note < NOTE_CUT_FROM:
                inst_now = current_inst.get(ch, 0)
                name = names.get(inst_now, "")
                pitch = min(127, max(0, note + tune.get(inst_now, 0)))
                sounding[ch] = (pitch, number, _is_drum(name), name)
    for ch in list(sounding):
        close(ch, len(rows))
    tracks = [Track(used[key].most_common(1)[0][0] or f"channel {key[0] + 1}", -1,
                    key[1] or len({p for p, _, _ in rows_}) <= MAX_DRUM_PITCHES, by_onset(rows_))
              for key, rows_ in sorted(notes.items()) if rows_]
    if not tracks:
        raise TrackerError(f"{piece}: no notes")
    return Song(piece, title, timing.bpm, meter_of(timing.per_beat, timing.per_bar), tracks)


def beat_rows(speed: int, tempo: int, highlight: int) -> int:
    """Rows per quarter: the row highlight, doubled while that puts the beat above EIGHTH_FEEL_ABOVE_BPM.

    Why: some composers highlight every eighth (2 rows at speed 4 reads as 345 bpm); a quarter that fast
    is an eighth."""
    rows = highlight
    while 24.0 * tempo / (rows * speed) > EIGHTH_FEEL_ABOVE_BPM:
        rows *= 2
    return rows


def meter_of(per_beat: int, per_bar: int) -> str:
    """The meter the row highlights give: bar rows in quarters, else in eighths, else 4/4.

    A 2/4 bar (an eighth-note highlight doubled by `beat_rows`) is read as 4/4: every other bar line."""
    if per_bar % per_beat == 0 and per_bar // per_beat >= 2:
        beats = per_bar // per_beat
        return f"{4 if beats == 2 else beats}/4"
    half = per_beat // 2
    if per_beat % 2 == 0 and per_bar % half == 0 and per_bar // half >= 2:
        return f"{per_bar // half}/8"
    return "4/4"
