"""Importing a user's MIDI file: real fixtures, round trips through Motif's writer, and hostile inputs
(each refused with a clear MidiImportError, in bounded time)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.melody.source import load_default_melody_source
from composer.theory import tonic_pc
from composer.upload.importer import MidiImportError, import_midi
from prompts.spec import Instrument, Spec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return kind + len(body).to_bytes(4, "big") + body


def smf(tracks: list[bytes], division: int = 96, fmt: int = 1, ntrks: int | None = None) -> bytes:
    """A Standard MIDI File assembled by hand from raw track bodies."""
    header = _chunk(b"MThd", fmt.to_bytes(2, "big") + (ntrks or len(tracks)).to_bytes(2, "big")
                    + division.to_bytes(2, "big"))
    return header + b"".join(_chunk(b"MTrk", body) for body in tracks)


END = b"\x00\xff\x2f\x00"
TEMPO_100 = b"\x00\xff\x51\x03" + (600_000).to_bytes(3, "big")


def _notes(count: int, delta: bytes = b"\x10") -> bytes:
    """`count` quarter-ish notes (middle C) in running status after one status byte."""
    body = bytearray(b"\x00\x90\x3c\x40")
    for _ in range(count):
        body += delta + b"\x3c\x00" + b"\x00\x3c\x40"
    return bytes(body + delta + b"\x3c\x00")


def test_bach_chorale_fixture() -> None:
    result = import_midi((FIXTURES / "bwv66_6_first4.mid").read_bytes(), filename="bwv66_6_first4.mid")
    spec = result.spec
    assert (spec.tonic, spec.mode) == ("F#", "minor")  # the key signature, which Krumhansl rates close
    assert (spec.tempo_bpm, spec.time_signature, spec.bars, spec.drums) == (96, "4/4", 5, False)
    assert [(i.name, i.program, i.role) for i in spec.instruments] == [
        ("Soprano", 0, "melody"), ("Alto", 0, "chords"), ("Tenor", 0, "chords"), ("Bass", 0, "bass")]
    assert spec.prompt == "imported: bwv66_6_first4.mid"
    soprano = result.piece.melody()
    assert soprano is not None and soprano.notes[0].pitch == 73 and soprano.notes[0].start == 0.0  # C#5 pickup
    assert result.piece.chords and result.piece.chords[0].start == 0.0


def test_format0_guitar_with_drums() -> None:
    result = import_midi((FIXTURES / "guitar_drums_format0.mid").read_bytes())
    spec = result.spec
    assert (spec.tempo_bpm, spec.time_signature, spec.bars, spec.drums) == (100, "3/4", 2, True)
    assert [(i.program, i.role) for i in spec.instruments] == [(24, "melody")]
    drums = [t for t in result.piece.tracks if t.is_drum]
    assert len(drums) == 1 and len(drums[0].notes) == 6
    guitar = result.piece.melody()
    assert guitar is not None and [n.pitch for n in guitar.notes[:3]] == [58, 60, 62]


def test_piano_piece_splits_chordal_top_part() -> None:
    two_staves = import_midi((FIXTURES / "maple_leaf_m1_8.mid").read_bytes())
    assert (two_staves.spec.tonic, two_staves.spec.mode, two_staves.spec.time_signature) == ("Ab", "major", "2/4")
    assert two_staves.spec.bars == 8
    roles = [i.role for i in two_staves.spec.instruments]
    assert roles.count("melody") == 1 and "bass" in roles
    one_track = import_midi((FIXTURES / "maple_leaf_chordified_m5_8.mid").read_bytes())
    melody = one_track.piece.melody()
    assert melody is not None
    assert len({n.start for n in melody.notes}) == len(melody.notes), "the melody is a single line"
    assert [i.name for i in one_track.spec.instruments] == ["Piano", "Piano accompaniment"]


@pytest.mark.parametrize("spec", [
    Spec(tonic="D", mode="minor", tempo_bpm=132, time_signature="3/4", bars=8, genre="waltz", seed=3,
         instruments=(Instrument("Violin", 40, "melody"), Instrument("Piano", 0, "chords"),
                      Instrument("Cello", 42, "bass"))),
    Spec(tonic="Bb", mode="major", tempo_bpm=96, time_signature="4/4", bars=12, genre="funk", drums=True, seed=5,
         instruments=(Instrument("Alto Sax", 65, "melody"), Instrument("Electric Bass (finger)", 33, "bass"))),
    Spec(tonic="E", mode="major", tempo_bpm=70, time_signature="6/8", bars=4, genre="folk", seed=11,
         instruments=(Instrument("Flute", 73, "melody"), Instrument("Acoustic Guitar (nylon)", 24, "chords"))),
])
def test_round_trip_through_motif_writer(spec: Spec) -> None:
    piece = compose(spec, load_default_melody_source())
    found = import_midi(piece_to_midi_bytes(piece), filename="mine.mid").spec
    assert (found.tempo_bpm, found.time_signature, found.bars, found.drums) == (
        spec.tempo_bpm, spec.time_signature, spec.bars, spec.drums)
    assert sorted(i.program for i in found.instruments) == sorted(i.program for i in spec.instruments)
    assert tonic_pc(found.tonic) == tonic_pc(spec.tonic) and found.mode == spec.mode
    melody = next(i for i in found.instruments if i.role == "melody")
    assert melody.program == spec.instruments[0].program


def _refused(data: bytes, words: str, **limits: float) -> None:
    started = time.perf_counter()
    with pytest.raises(MidiImportError, match=words):
        import_midi(data, **limits)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 12


def test_empty_and_random_bytes() -> None:
    _refused(b"", "empty")
    _refused(bytes(range(256)) * 4, "not a MIDI file")
    _refused(b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a MIDI file")
    _refused(b"MThd\x00\x00", "too short")


def test_truncated_file() -> None:
    data = (FIXTURES / "bwv66_6_first4.mid").read_bytes()
    _refused(data[: len(data) // 2], "truncated")
    _refused(data[:20], "truncated")


def test_oversized_file_refused_before_parsing() -> None:
    data = smf([TEMPO_100 + _notes(700_000) + END])
    assert len(data) > 2 * 1024 * 1024
    _refused(data, "bytes; Motif imports MIDI files up to 1048576")


def test_million_notes() -> None:
    data = smf([TEMPO_100 + _notes(1_000_000, b"\x00") + END])
    _refused(data, "more than 20000 notes", max_bytes=8 * 1024 * 1024)
    _refused(smf([_notes(150_000, b"\x00") + END]), "more than 20000 notes")


def test_zero_tempo_and_zero_ticks_per_quarter() -> None:
    _refused(smf([b"\x00\xff\x51\x03\x00\x00\x00" + _notes(4) + END]), "tempo of zero")
    _refused(smf([TEMPO_100 + _notes(4) + END], division=0), "0 ticks")
    _refused(smf([TEMPO_100 + _notes(4) + END], division=0xE728), "SMPTE")


def test_huge_delta_times_are_refused_quickly() -> None:
    _refused(smf([TEMPO_100 + _notes(500, delta=b"\xff\xff\xff\x7f") + END]), "runs past")


def test_parse_timeout_and_memory_limit() -> None:
    data = (FIXTURES / "bwv66_6_first4.mid").read_bytes()
    _refused(data, "took longer than", timeout_s=0.001)
    _refused(data, "memory|stopped|no usable answer", memory_mb=8)


def test_corrupt_events() -> None:
    _refused(smf([b"\x00\x3c\x40" + END]), "before any status")
    _refused(smf([b"\x00\x90\x3c\xc0" + END]), "above 127")
    _refused(smf([b"\x00\xf3\x01" + END]), "unexpected system message")
    _refused(smf([b"\x00\x90\x3c\x40\x81\x81\x81\x81\x01\x3c\x00" + END]), "longer than MIDI allows")
    _refused(smf([TEMPO_100 + END]), "no notes")


def test_caps_clamps_and_warnings() -> None:
    fast = b"\x00\xff\x51\x03" + (60_000).to_bytes(3, "big")  # 1000 bpm
    result = import_midi(smf([fast + _notes(8, b"\x60") + END]))
    assert result.spec.tempo_bpm == 400 and any("outside 20-400" in w for w in result.warnings)
    odd_meter = b"\x00\xff\x58\x04\x0b\x03\x18\x08"  # 11/8
    result = import_midi(smf([TEMPO_100 + odd_meter + _notes(8, b"\x60") + END]))
    assert result.spec.time_signature == "4/4" and any("11/8" in w for w in result.warnings)
    long_piece = import_midi(smf([TEMPO_100 + _notes(70, b"\x83\x00") + END]))  # 70 whole notes at 96 tpq
    assert long_piece.spec.bars == 64 and any("keeps the first 64" in w for w in long_piece.warnings)
    melody = long_piece.piece.melody()
    assert melody is not None and max(n.end for n in melody.notes) <= 64 * 4


def test_imported_piece_writes_valid_midi() -> None:
    for name in ("bwv66_6_first4.mid", "guitar_drums_format0.mid", "maple_leaf_m1_8.mid"):
        result = import_midi((FIXTURES / name).read_bytes())
        again = import_midi(piece_to_midi_bytes(result.piece))
        assert (again.spec.bars, again.spec.time_signature, again.spec.tempo_bpm) == (
            result.spec.bars, result.spec.time_signature, result.spec.tempo_bpm)
