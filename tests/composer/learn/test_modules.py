"""The S3M, XM and MOD readers on tiny modules written here, byte for byte in each format: the order list
followed (a decimal-coded break, a jump back that ends the song), each sample's transposition applied (an
S3M C4 rate, an XM relative note), drum-named samples kept out of the tune, the first row's speed (MOD)."""

from __future__ import annotations

import struct

import pytest

from composer.learn.debian.lead import pick_lead
from composer.learn.debian.mod import period_note, read_mod
from composer.learn.debian.s3m import read_s3m
from composer.learn.debian.tracker import TrackerError
from composer.learn.debian.xm import read_xm

TUNE = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 64, 67, 72, 67, 64]


def pad16(blob: bytes) -> bytes:
    return blob + bytes(-len(blob) % 16)


def s3m_module() -> bytes:
    """Two patterns: the tune on channel 0 (sample 1, C4 rate doubled: an octave up) every 2 rows, a snare
    on channel 1; row 15 breaks (C10, decimal) to row 10 of order 1, whose row 40 jumps back to order 0."""
    def cell(ch: int, note: int | None, sample: int, effect: int = 0, value: int = 0) -> bytes:
        head = ch | (32 if note is not None else 0) | (128 if effect else 0)
        body = bytes([head])
        if note is not None:
            body += bytes([(note // 12 - 1) << 4 | note % 12, sample])
        return body + (bytes([effect, value]) if effect else b"")

    def pattern(rows: dict[int, list[bytes]]) -> bytes:
        body = b"".join(b"".join(rows.get(r, [])) + b"\0" for r in range(64))
        return struct.pack("<H", len(body) + 2) + body

    first = {2 * i: [cell(0, p - 12, 1)] for i, p in enumerate(TUNE[:8])}
    for r in range(0, 16, 4):
        first.setdefault(r, []).append(cell(1, 60, 2))
    first.setdefault(15, []).append(cell(2, None, 0, 3, 0x10))
    second = {10 + 2 * i: [cell(0, p - 12, 1)] for i, p in enumerate(TUNE[8:])}
    second.setdefault(40, []).append(cell(2, None, 0, 2, 0))
    samples = []
    for name, rate in (("Flute lead", 16726), ("Snare", 8363)):
        blob = bytearray(0x50)
        blob[0] = 1
        struct.pack_into("<I", blob, 0x20, rate)
        blob[0x30:0x30 + len(name)] = name.encode()
        blob[0x4C:0x50] = b"SCRS"
        samples.append(bytes(blob))
    patterns = [pad16(pattern(first)), pad16(pattern(second))]
    orders = bytes([0, 1, 255, 255])
    header = bytearray(0x60)
    header[:5], header[0x1C], header[0x1D] = b"tiny3", 0x1A, 16
    struct.pack_into("<HHH", header, 0x20, len(orders), len(samples), len(patterns))
    header[0x2C:0x30], header[0x31], header[0x32] = b"SCRM", 6, 125
    tables_at = 0x60 + len(orders)
    start = len(pad16(bytes(tables_at + 2 * (len(samples) + len(patterns)))))
    pointers, at = [], start
    for blob in samples + patterns:
        pointers.append(at // 16)
        at += len(pad16(blob))
    head = bytes(header) + orders + struct.pack(f"<{len(pointers)}H", *pointers)
    return pad16(head) + b"".join(pad16(b) for b in samples + patterns)


def xm_module() -> bytes:
    """One pattern of 32 rows, 2 channels: the tune (instrument 1, its sample a relative note -12 below,
    written an octave up) and a "kick" (instrument 2); a key off ends the last note."""
    rows = 48
    cells = []
    for row in range(rows):
        for ch in range(2):
            if ch == 0 and row % 2 == 0 and row // 2 < len(TUNE):
                cells.append(bytes([0x83, TUNE[row // 2] - 11 + 12, 1]))
            elif ch == 0 and row == 2 * len(TUNE):
                cells.append(bytes([0x81, 97]))
            elif ch == 1 and row % 4 == 0:
                cells.append(bytes([0x83, 49, 2]))
            else:
                cells.append(b"\x80")
    data = b"".join(cells)
    pattern = struct.pack("<IBHH", 9, 0, rows, len(data)) + data
    instruments = b""
    for name, relative in (("Lead synth", -12), ("Kick", 0)):
        head = bytearray(263)
        struct.pack_into("<I", head, 0, 263)
        head[4:4 + len(name)] = name.encode()
        struct.pack_into("<HI", head, 27, 1, 40)
        sample = bytearray(40)
        struct.pack_into("<b", sample, 16, relative)
        instruments += bytes(head) + bytes(sample)
    header = bytearray(80 + 256)
    header[:17], header[17:21], header[37] = b"Extended Module: ", b"tiny", 0x1A
    struct.pack_into("<HI", header, 58, 0x0104, 276)
    struct.pack_into("<8H", header, 64, 1, 0, 2, 1, 2, 1, 6, 125)
    return bytes(header) + pattern + instruments


def mod_module() -> bytes:
    """Four channels, one pattern: speed 5 set on the first row (F05), the tune on channel 0 (sample 1),
    a sample named "bassdrum" on channel 1."""
    samples = bytearray(31 * 30)
    for index, name in enumerate(("whistle", "bassdrum")):
        samples[30 * index:30 * index + len(name)] = name.encode()
    cells = bytearray(64 * 4 * 4)

    def put(row: int, ch: int, sample: int, period: int, effect: int = 0, value: int = 0) -> None:
        at = 4 * (row * 4 + ch)
        cells[at:at + 4] = bytes([(sample & 0xF0) | period >> 8, period & 0xFF, (sample & 15) << 4 | effect,
                                  value])

    for i, pitch in enumerate(TUNE):
        put(2 * i, 0, 1, round(428 / 2 ** ((pitch - 60) / 12)), *((0xF, 5) if i == 0 else (0, 0)))
    for row in range(0, 64, 8):
        put(row, 1, 2, 428)
    orders = bytes([0]) + bytes(127)
    return b"tiny mod".ljust(20, b"\0") + bytes(samples) + bytes([1, 127]) + orders + b"M.K." + bytes(cells)


def melodic(song) -> list:  # noqa: ANN001 - a Song
    return [t for t in song.tracks if not t.is_drum]


def test_s3m_follows_breaks_transposes_by_rate_and_keeps_drums_apart() -> None:
    song = read_s3m(s3m_module(), "tiny")
    assert (song.title, song.meter, song.tempo_bpm) == ("tiny3", "4/4", 125.0)
    lead = melodic(song)
    assert [t.name for t in lead] == ["Flute lead"] and [t.name for t in song.tracks if t.is_drum] == ["Snare"]
    notes = lead[0].notes
    assert [p for p, _, _ in notes] == TUNE  # written an octave low, the doubled C4 rate puts it back
    # 16 rows of order 0 (4 quarters), then order 1 from row 10: its row 10 is quarter 4.
    assert notes[7][1] == 3.5 and notes[8][1] == 4.0
    assert pick_lead(song).track is lead[0]


def test_xm_applies_relative_notes_and_key_off() -> None:
    song = read_xm(xm_module(), "tiny")
    assert (song.title, song.tempo_bpm) == ("tiny", 125.0)
    lead = melodic(song)
    assert [t.name for t in lead] == ["Lead synth"] and [t.name for t in song.tracks if t.is_drum] == ["Kick"]
    assert [p for p, _, _ in lead[0].notes] == TUNE
    assert lead[0].notes[-1][2] == 0.5  # cut by the key off two rows later


def test_mod_reads_periods_and_the_first_rows_speed() -> None:
    assert (period_note(428), period_note(214), period_note(856), period_note(381)) == (60, 72, 48, 62)
    song = read_mod(mod_module(), "tiny")
    assert song.title == "tiny mod" and song.tempo_bpm == 150.0  # 24 * 125 / (4 rows * speed 5)
    lead = melodic(song)
    assert [t.name for t in lead] == ["whistle"] and [t.name for t in song.tracks if t.is_drum] == ["bassdrum"]
    assert [p for p, _, _ in lead[0].notes] == TUNE


def test_bytes_of_another_format_are_refused() -> None:
    for reader in (read_s3m, read_xm, read_mod):
        with pytest.raises(TrackerError):
            reader(b"IMPM" + bytes(2000), "x")
