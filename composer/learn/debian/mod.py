"""ProTracker modules (.mod: Circus Linux's music) read into a `Song`.

A MOD is a 20-byte title, 31 sample headers (22-byte name, length, finetune, volume, loop), the song
length and a 128-entry order list, a 4-byte tag at 1080 ("M.K.", "4CHN", "8CHN"... which says the
channel count), then the patterns, as many as the highest order + 1: 64 rows of 4 bytes per channel
(sample number split across bytes 0 and 2, a 12-bit Amiga period, an effect and its value). Period 428
plays a sample at its own rate, IT's C-5 = 60; other periods are a semitone per 2^(1/12). The speed and
tempo are ProTracker's defaults (6, 125) unless the first row sets them (effect F: under 32 is speed,
else BPM). Effects B (order jump) and D (pattern break, decimal row) steer the order list. The played
rows become tracks with `tracker.song_from_rows`, like an IT module's.
"""

from __future__ import annotations

import math

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

TAG_AT = 1080
PATTERNS_AT = 1084
ROWS = 64
SAMPLES = 31
MIDDLE_PERIOD = 428
MIDDLE_NOTE = 60
MOD_JUMP, MOD_BREAK, MOD_SPEED = 0xB, 0xD, 0xF
FOUR_CHANNEL_TAGS = (b"M.K.", b"M!K!", b"FLT4", b"4CHN")


def channel_count(tag: bytes) -> int:
    """The channels a tag says ("M.K." four, "6CHN" six, "16CH" sixteen); 0 for no MOD tag."""
    if tag in FOUR_CHANNEL_TAGS:
        return 4
    if tag == b"FLT8":
        return 8
    if tag[1:] == b"CHN" and tag[:1].isdigit():
        return int(tag[:1])
    if tag[2:] == b"CH" and tag[:2].isdigit():
        return int(tag[:2])
    return 0


def period_note(period: int) -> int:
    """The IT note (C-5 = 60) an Amiga period plays."""
    return MIDDLE_NOTE + round(12 * math.log2(MIDDLE_PERIOD / period))


def read_pattern(data: bytes, at: int, channels: int) -> list[list[Event]]:
    """One pattern's 64 rows of `Event`s (IT effect numbers for jump and break, speed kept as F)."""
    out: list[list[Event]] = [[] for _ in range(ROWS)]
    for row in range(ROWS):
        for ch in range(channels):
            cell = data[at + 4 * (row * channels + ch):at + 4 * (row * channels + ch) + 4]
            if len(cell) < 4:
                raise TrackerError(f"pattern at {at} runs past the end of the file")
            sample = (cell[0] & 0xF0) | (cell[2] >> 4)
            period = ((cell[0] & 0x0F) << 8) | cell[1]
            effect, value = cell[2] & 0x0F, cell[3]
            if effect == MOD_JUMP:
                effect = EFFECT_JUMP
            elif effect == MOD_BREAK:
                effect, value = EFFECT_BREAK, (value >> 4) * 10 + (value & 15)
            elif effect != MOD_SPEED:
                effect = 0
            note = period_note(period) if period else None
            if note is not None or sample or effect:
                out[row].append((ch, note, sample or None, effect, value))
    return out


def read_mod(data: bytes, piece: str) -> Song:
    """The channels of a MOD as tracks (melodic and drum apart), its first row's tempo, a 4/4 meter."""
    channels = channel_count(data[TAG_AT:TAG_AT + 4]) if len(data) >= PATTERNS_AT else 0
    if not channels:
        raise TrackerError(f"{piece}: not a ProTracker module (no tag at 1080)")
    names = {n + 1: data[20 + 30 * n:42 + 30 * n].split(b"\0", 1)[0].decode("latin-1").strip()
             for n in range(SAMPLES)}
    length = min(data[950], 128)
    orders = list(data[952:952 + length])
    size = ROWS * channels * 4
    count = max(data[952:1080]) + 1
    if PATTERNS_AT + count * size > len(data):
        raise TrackerError(f"{piece}: its patterns run past the end of the file")
    patterns = [read_pattern(data, PATTERNS_AT + n * size, channels) for n in range(count)]
    speed, tempo = 6, 125
    for _, _, _, effect, value in patterns[orders[0]][0] if orders else []:
        if effect == MOD_SPEED and value:
            speed, tempo = (value, tempo) if value < 32 else (speed, value)
    played = play_rows(orders, count, lambda n: patterns[n])
    timing = Timing(speed, tempo, beat_rows(speed, tempo, DEFAULT_ROWS_PER_BEAT), DEFAULT_ROWS_PER_BAR)
    title = data[:20].split(b"\0", 1)[0].decode("latin-1").strip()
    return song_from_rows(piece, title or piece, played, names, timing)
