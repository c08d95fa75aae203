"""Pingus's Impulse Tracker music: the IT reader on a tiny module written here (packed patterns, a pattern
break, a jump back that ends the song, a drum-named sample, a one-pitch channel), and the committed lead
lines it gave (`composer/data/leads/pingus.*`): trainable licence, real tunes in the thin families."""

from __future__ import annotations

import gzip
import json
import struct

import pytest

from composer.learn.dataset import MODEL_LICENCES
from composer.learn.debian.families import FAMILIES
from composer.learn.debian.lead import pick_lead
from composer.learn.debian.phrases import Labels, song_records
from composer.learn.debian.tracker import TrackerError, beat_rows, meter_of, read_it
from composer.melody.corpus import LEADS_DIR

Event = tuple[int, int | None, int | None, int, int]
"""(channel, note, sample, effect, effect value) as a pattern row holds it."""
SAMPLE_BYTES = 0x50
LEAD_TUNE = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 69, 67, 65, 64, 62, 60, 59]


def packed(rows: list[list[Event]]) -> bytes:
    """One IT pattern: its 8-byte header and the packed rows (every event with a fresh mask)."""
    body = b""
    for row in rows:
        for ch, note, sample, effect, value in row:
            mask = (1 if note is not None else 0) | (2 if sample else 0) | (8 if effect else 0)
            body += bytes((0x80 | (ch + 1), mask))
            body += bytes([note] if note is not None else []) + bytes([sample] if sample else [])
            body += bytes((effect, value)) if effect else b""
        body += b"\0"
    return struct.pack("<HH4x", len(body), len(rows)) + body


def module(title: str, orders: list[int], samples: list[str], patterns: list[list[list[Event]]],
           speed: int = 6, tempo: int = 125, highlight: tuple[int, int] = (4, 16)) -> bytes:
    """An IT module in sample mode (flags 0): header, orders, offset tables, sample headers, patterns."""
    header = bytearray(0xC0)
    header[:4] = b"IMPM"
    header[4:4 + len(title)] = title.encode()
    header[0x1E], header[0x1F] = highlight
    struct.pack_into("<HHHHHH", header, 0x20, len(orders), 0, len(samples), len(patterns), 0x214, 0x214)
    header[0x32], header[0x33] = speed, tempo
    tables = 0xC0 + len(orders) + 4 * (len(samples) + len(patterns))
    sample_blobs = []
    for name in samples:
        blob = bytearray(SAMPLE_BYTES)
        blob[:4] = b"IMPS"
        blob[0x14:0x14 + len(name)] = name.encode()
        sample_blobs.append(bytes(blob))
    pattern_blobs = [packed(rows) for rows in patterns]
    offsets, at = [], tables
    for blob in sample_blobs + pattern_blobs:
        offsets.append(at)
        at += len(blob)
    return (bytes(header) + bytes(orders) + struct.pack(f"<{len(offsets)}I", *offsets)
            + b"".join(sample_blobs) + b"".join(pattern_blobs))


def tiny_song() -> bytes:
    """Pattern 0: the lead (sample 1) a note every 2 rows, a kick (sample 2) and a one-pitch "hit" (sample 3)
    every 4; a break on row 31 to row 8 of the next order. Pattern 1: the tune's tail, then a jump back to
    order 0, which ends the song (the loop is read once); order 2 is never played."""
    first: list[list[Event]] = [[] for _ in range(32)]
    for step, pitch in enumerate(LEAD_TUNE[:16]):
        first[2 * step].append((0, pitch, 1, 0, 0))
    for row in range(0, 32, 4):
        first[row] += [(1, 36 + row % 12, 2, 0, 0), (2, 72, 3, 0, 0)]
    first[31].append((3, None, None, 3, 8))  # C08: break to row 8 of the next pattern
    second: list[list[Event]] = [[] for _ in range(24)]
    for step, pitch in enumerate(LEAD_TUNE[16:]):
        second[8 + 2 * step].append((0, pitch, 1, 0, 0))
    second[16].append((0, 255, None, 0, 0))  # note off
    second[20].append((3, None, None, 2, 0))  # B00: jump back to order 0
    unused = [[(0, 100, 1, 0, 0)] for _ in range(8)]
    return module("tiny tune", [0, 1, 2, 255], ["Lead flute", "Kick drum", "hit"], [first, second, unused])


def test_it_reader_follows_the_orders_and_splits_drums_from_the_tune() -> None:
    song = read_it(tiny_song(), "tiny")
    assert (song.title, song.meter, song.tempo_bpm) == ("tiny tune", "4/4", 125.0)
    lead, drums = [t for t in song.tracks if not t.is_drum], [t for t in song.tracks if t.is_drum]
    assert [t.name for t in lead] == ["Lead flute"] and {t.name for t in drums} == {"Kick drum", "hit"}
    notes = lead[0].notes
    assert [p for p, _, _ in notes] == LEAD_TUNE
    # 32 rows of pattern 0 (8 quarters), then pattern 1 from row 8: its row 8 is quarter 8.
    assert notes[15][1] == 7.5 and notes[16][1] == 8.0 and notes[16][2] == 0.5
    assert notes[-1][1] == 9.5 and notes[-1][2] == 0.5  # cut by the note off at row 16 of pattern 1
    assert all(p != 100 for t in song.tracks for p, _, _ in t.notes)  # order 2 comes after the jump back
    assert pick_lead(song).track is lead[0]
    records = song_records(song, Labels("pingus", "pop", "GPL-2+"))
    assert records[0]["track"] == "Lead flute" and len(records[0]["notes"]) == len(LEAD_TUNE)


def test_fast_highlights_read_as_eighths_and_meters_as_bars() -> None:
    assert beat_rows(speed=4, tempo=115, highlight=2) == 4  # 345 bpm read as 172.5
    assert beat_rows(speed=6, tempo=125, highlight=4) == 4
    assert (meter_of(4, 16), meter_of(4, 12), meter_of(8, 16), meter_of(8, 12), meter_of(5, 7)) == (
        "4/4", "3/4", "4/4", "3/8", "4/4")


def test_a_file_that_is_no_module_is_refused() -> None:
    with pytest.raises(TrackerError):
        read_it(b"MThd" + bytes(300), "x")
    with pytest.raises(TrackerError):
        read_it(module("silent", [0, 255], ["s"], [[[] for _ in range(4)]]), "silent")


def test_committed_pingus_leads_are_trainable_tunes_in_the_thin_families() -> None:
    path = LEADS_DIR / "pingus.jsonl.gz"
    records = [json.loads(line) for line in gzip.open(path)]
    meta = json.loads((LEADS_DIR / "pingus.meta.json").read_text())
    assert meta["licence"] == "GPL-2+" and meta["licence"] in MODEL_LICENCES
    pieces: dict[str, list[int]] = {}
    for record in records:
        assert record["family"] == FAMILIES["pingus"][record["piece"].split("/", 1)[1]]
        pieces.setdefault(record["piece"], []).extend(p for p, _, _ in record["notes"])
    families = {r["family"] for r in records}
    assert {"pop", "latin", "edm", "cinematic", "jazz"} <= families
    for piece, pitches in pieces.items():
        assert len(set(pitches)) >= 5, piece  # a tune, not a drum or an ostinato
        assert max(pitches) - min(pitches) >= 7, piece
