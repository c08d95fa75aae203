"""FastTracker 2 modules (.xm: Heroes's and Njam's music) read into a `Song`.

The header ("Extended Module: ") gives the song name, the order list, the channel and pattern counts and
the default speed and BPM. Each pattern has its own header (length, rows, packed size); a cell is either
five bytes (note, instrument, volume, effect, value) or a byte with bit 7 set whose low bits say which of
them follow. Notes 1-96 are C-0..B-7 with C-4 (49) at the sample's own rate, IT's C-5 = 60; 97 is key off.
Effects B (order jump) and D (pattern break, decimal row) steer the order list. The instruments follow the
patterns; each names itself and maps notes to samples, whose relative note transposes them, so the
sample that plays C-4 gives the instrument's transposition. The played rows become tracks with
`tracker.song_from_rows`, like an IT module's.
"""

from __future__ import annotations

import struct

from composer.learn.debian.song import Song
from composer.learn.debian.tracker import (
    DEFAULT_ROWS_PER_BAR,
    DEFAULT_ROWS_PER_BEAT,
    EFFECT_BREAK,
    EFFECT_JUMP,
    Event,
    Timing,
    TrackerError,
    beat_rows,
    play_rows,
    song_from_rows,
)

MAGIC = b"Extended Module: "
KEY_OFF = 97
XM_JUMP, XM_BREAK = 0xB, 0xD
XM_TO_IT = 11
"""XM note 49 (C-4) sounds the sample at its own rate, as IT's 60 (C-5) does."""
NOTE_OFF_IT = 255
SAMPLE_HEADER_BYTES = 40


def _text(data: bytes, at: int, size: int) -> str:
    return data[at:at + size].split(b"\0", 1)[0].decode("latin-1").strip()


def read_pattern(data: bytes, at: int, channels: int) -> tuple[list[list[Event]], int]:
    """One pattern's rows (IT-numbered notes, IT effect numbers for jump and break) and where the next
    pattern starts."""
    if at + 9 > len(data):
        raise TrackerError(f"pattern at {at} lies outside the file")
    header, _, rows, size = struct.unpack_from("<IBHH", data, at)
    pos = at + header
    end = min(len(data), pos + size)
    out: list[list[Event]] = [[] for _ in range(rows)]
    cell = 0
    while pos < end and cell < rows * channels:
        head = data[pos]
        if head & 0x80:
            pos += 1
            fields = [None] * 5
            for bit in range(5):
                if head & (1 << bit):
                    fields[bit] = data[pos] if pos < end else 0
                    pos += 1
        else:
            fields = list(data[pos:pos + 5])
            pos += 5
        raw, inst, _, effect, value = (list(fields) + [None] * 5)[:5]
        row, ch = divmod(cell, channels)
        cell += 1
        note = None
        if raw == KEY_OFF:
            note = NOTE_OFF_IT
        elif raw and raw < KEY_OFF:
            note = raw + XM_TO_IT
        effect, value = effect or 0, value or 0
        if effect == XM_JUMP:
            effect = EFFECT_JUMP
        elif effect == XM_BREAK:
            effect, value = EFFECT_BREAK, (value >> 4) * 10 + (value & 15)
        else:
            effect = 0
        if note is not None or inst or effect:
            out[row].append((ch, note, inst or None, effect, value))
    return out, at + header + size


def instruments(data: bytes, at: int, count: int) -> tuple[dict[int, str], dict[int, int]]:
    """Instrument number -> name, and -> transposition (the relative note of the sample it plays at C-4)."""
    names: dict[int, str] = {}
    tune: dict[int, int] = {}
    for number in range(1, count + 1):
        if at + 29 > len(data):
            break
        size = struct.unpack_from("<I", data, at)[0]
        names[number] = _text(data, at + 4, 22)
        samples = struct.unpack_from("<H", data, at + 27)[0]
        if samples == 0 or size < 33:
            at += max(size, 29)
            continue
        sample_header = struct.unpack_from("<I", data, at + 29)[0] or SAMPLE_HEADER_BYTES
        keymap = data[at + 33:at + 33 + 96]
        heads = at + size
        lengths, relative = [], []
        for index in range(samples):
            head = heads + index * sample_header
            if head + SAMPLE_HEADER_BYTES > len(data):
                raise TrackerError(f"instrument {number}'s samples run past the end of the file")
            lengths.append(struct.unpack_from("<I", data, head)[0])
            relative.append(struct.unpack_from("<b", data, head + 16)[0])
        chosen = keymap[48] if len(keymap) > 48 and keymap[48] < samples else 0
        tune[number] = relative[chosen]
        at = heads + samples * sample_header + sum(lengths)
    return names, tune


def read_xm(data: bytes, piece: str) -> Song:
    """The channels of an XM module as tracks (melodic and drum apart), its default tempo, a 4/4 meter."""
    if len(data) < 80 or data[:17] != MAGIC:
        raise TrackerError(f"{piece}: not a FastTracker 2 module")
    header = struct.unpack_from("<I", data, 60)[0]
    length, _, channels, pat_n, ins_n, _, speed, bpm = struct.unpack_from("<8H", data, 64)
    orders = list(data[80:80 + min(length, 256)])
    patterns, at = [], 60 + header
    for _ in range(pat_n):
        rows, at = read_pattern(data, at, channels)
        patterns.append(rows)
    names, tune = instruments(data, at, ins_n)
    speed, bpm = speed or 6, bpm or 125
    played = play_rows(orders, len(patterns), lambda n: patterns[n])
    timing = Timing(speed, bpm, beat_rows(speed, bpm, DEFAULT_ROWS_PER_BEAT), DEFAULT_ROWS_PER_BAR)
    return song_from_rows(piece, _text(data, 17, 20) or piece, played, names, timing, tune)
