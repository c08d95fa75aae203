"""Scream Tracker 3 modules (.s3m: Pachi's, Njam's, Gweled's and Monsterz's music) read into a `Song`.

The header ("SCRM" at 0x2C) gives the song name, the order list (255 ends it, 254 is skipped, as in IT),
the initial speed and tempo, and paragraph pointers (offset / 16) to the sample headers and the patterns.
A pattern is 64 packed rows: per cell a byte (0 ends the row; low 5 bits the channel; 32: note and
sample follow, 64: volume, 128: effect and value). A note byte is octave * 16 + semitone (254 cuts the
note, 255 is none); octave 4's C is middle C, IT's C-5 = 60. Effects share IT's letters (B jump, C break);
a break's value is decimal-coded. A sample's C4 rate other than 8363 Hz shifts it by whole semitones.
The played rows become tracks with `tracker.song_from_rows`, like an IT module's.
"""

from __future__ import annotations

import math
import struct

from composer.learn.debian.song import Song
from composer.learn.debian.tracker import (
    DEFAULT_ROWS_PER_BAR,
    DEFAULT_ROWS_PER_BEAT,
    EFFECT_BREAK,
    Event,
    Timing,
    TrackerError,
    beat_rows,
    play_rows,
    song_from_rows,
)

MAGIC = b"SCRM"
HEADER_BYTES = 0x60
ROWS = 64
C4_RATE = 8363
NOTE_CUT, NO_NOTE = 254, 255


def _decimal(value: int) -> int:
    """A pattern-break row written in decimal nibbles (0x12 is row 12)."""
    return (value >> 4) * 10 + (value & 15)


def read_pattern(data: bytes, offset: int) -> list[list[Event]]:
    """A pattern's 64 rows of `Event`s, notes in IT numbering (C-5 = 60; 254 cut)."""
    out: list[list[Event]] = [[] for _ in range(ROWS)]
    if offset == 0:
        return out
    if offset + 2 > len(data):
        raise TrackerError(f"pattern at {offset} lies outside the file")
    end = min(len(data), offset + struct.unpack_from("<H", data, offset)[0])
    pos, row = offset + 2, 0
    while row < ROWS and pos < end:
        head = data[pos]
        pos += 1
        if head == 0:
            row += 1
            continue
        note = inst = None
        effect = value = 0
        if head & 32:
            raw, sample = data[pos], data[pos + 1]
            pos += 2
            if raw == NOTE_CUT:
                note = NOTE_CUT
            elif raw != NO_NOTE:
                note = (raw >> 4) * 12 + (raw & 15) + 12
            inst = sample or None
        if head & 64:
            pos += 1
        if head & 128:
            effect, value = data[pos], data[pos + 1]
            pos += 2
            if effect == EFFECT_BREAK:
                value = _decimal(value)
        out[row].append((head & 31, note, inst, effect, value))
    return out


def read_s3m(data: bytes, piece: str) -> Song:
    """The channels of an S3M module as tracks (melodic and drum apart), its initial tempo, a 4/4 meter."""
    if len(data) < HEADER_BYTES or data[0x2C:0x30] != MAGIC:
        raise TrackerError(f"{piece}: not a Scream Tracker 3 module")
    orders_n, ins_n, pat_n = struct.unpack_from("<HHH", data, 0x20)
    speed, tempo = data[0x31] or 6, data[0x32] or 125
    orders = list(data[HEADER_BYTES:HEADER_BYTES + orders_n])
    at = HEADER_BYTES + orders_n
    if at + 2 * (ins_n + pat_n) > len(data):
        raise TrackerError(f"{piece}: pointer tables run past the end of the file")
    ins = [16 * p for p in struct.unpack_from(f"<{ins_n}H", data, at)]
    pats = [16 * p for p in struct.unpack_from(f"<{pat_n}H", data, at + 2 * ins_n)]
    names, tune = {}, {}
    for number, offset in enumerate(ins, 1):
        if offset + 0x50 > len(data):
            continue
        names[number] = data[offset + 0x30:offset + 0x4C].split(b"\0", 1)[0].decode("latin-1").strip()
        rate = struct.unpack_from("<I", data, offset + 0x20)[0]
        tune[number] = round(12 * math.log2(rate / C4_RATE)) if rate else 0
    rows = play_rows(orders, len(pats), lambda n: read_pattern(data, pats[n]))
    timing = Timing(speed, tempo, beat_rows(speed, tempo, DEFAULT_ROWS_PER_BEAT), DEFAULT_ROWS_PER_BAR)
    title = data[:28].split(b"\0", 1)[0].decode("latin-1").strip()
    return song_from_rows(piece, title or piece, rows, names, timing, tune)
