"""MusicXML export, checked by parsing the written file back with music21."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from music21 import clef, converter, harmony, key, meter, note, tempo
from music21 import stream as m21stream

from composer.files.measures import BeatGrid
from composer.files.musicxml import piece_to_score, write_musicxml
from composer.piece import Chord, Note, Piece, Track
from prompts.spec import Instrument, Spec
from tests.fixtures.pieces import jig_6_8, tune_4_4


def _reparse(piece: Piece, tmp_path: Path) -> m21stream.Score:
    path = write_musicxml(piece, tmp_path / "piece.musicxml")
    return converter.parse(path)


def _first(part: m21stream.Part, cls: type) -> object:
    return part.recurse().getElementsByClass(cls).first()


def test_parts_clefs_key_meter_measures(tmp_path: Path) -> None:
    piece = tune_4_4()
    score = _reparse(piece, tmp_path)
    parts = list(score.parts)
    assert [p.partName for p in parts] == ["Flute", "Acoustic Bass", "Piano", "Drums"]
    clefs = [type(_first(p, clef.Clef)) for p in parts]
    assert clefs == [clef.TrebleClef, clef.BassClef, clef.TrebleClef, clef.PercussionClef]
    signature = _first(parts[0], key.KeySignature)
    assert signature.sharps == 0
    assert _first(parts[0], meter.TimeSignature).ratioString == "4/4"
    assert _first(parts[0], tempo.MetronomeMark).number == 120
    assert all(len(p.getElementsByClass(m21stream.Measure)) == piece.spec.bars for p in parts)


def test_notes_survive_with_pitch_and_offsets(tmp_path: Path) -> None:
    piece = tune_4_4(bars=2)
    flute = _reparse(piece, tmp_path).parts[0].flatten().getElementsByClass(note.Note)
    got = [(n.pitch.midi, float(n.offset), float(n.quarterLength)) for n in flute if not n.tie or n.tie.type == "start"]
    expected = [(n.pitch, n.start, n.duration) for n in piece.tracks[0].notes]
    assert got == expected


def test_chord_symbols_above_melody(tmp_path: Path) -> None:
    score = _reparse(tune_4_4(bars=4), tmp_path)
    symbols = list(score.parts[0].recurse().getElementsByClass(harmony.ChordSymbol))
    assert [s.figure for s in symbols] == ["C", "G7", "Am", "F"]
    assert [float(s.getOffsetBySite(s.activeSite)) for s in symbols] == [0.0] * 4
    assert not list(score.parts[1].recurse().getElementsByClass(harmony.ChordSymbol))


def test_six_eight_dorian_key_and_measures(tmp_path: Path) -> None:
    piece = jig_6_8()
    score = _reparse(piece, tmp_path)
    assert _first(score.parts[0], meter.TimeSignature).ratioString == "6/8"
    assert _first(score.parts[0], key.KeySignature).sharps == 0  # D dorian: no accidentals
    assert [len(p.getElementsByClass(m21stream.Measure)) for p in score.parts] == [8, 8]


def test_flat_key_spells_with_flats(tmp_path: Path) -> None:
    spec = Spec(tonic="Bb", mode="major", bars=1, instruments=(Instrument("Sax", 65, "melody"),))
    notes = [Note(70, 0.0, 1.0), Note(75, 1.0, 1.0), Note(63, 2.0, 1.0), Note(61, 3.0, 1.0)]
    score = _reparse(Piece(spec, [Track("Sax", 65, "melody", notes)], []), tmp_path)
    assert [n.pitch.name for n in score.parts[0].flatten().getElementsByClass(note.Note)] == ["B-", "E-", "E-", "D-"]
    assert _first(score.parts[0], key.KeySignature).sharps == -2


def test_accidentals_only_where_the_signature_and_bar_do_not_imply_them(tmp_path: Path) -> None:
    """Bb major: Bb and Eb carry no sign (the signature has them); Db does; an E natural needs a natural and the
    Eb after it in the same bar a flat again; the next bar starts from the signature. Read from the raw XML,
    because that is what a notation program shows."""
    import xml.etree.ElementTree as ET

    spec = Spec(tonic="Bb", mode="major", bars=2, instruments=(Instrument("Sax", 65, "melody"),))
    pitches = [70, 63, 75, 61, 64, 63, 70, 63]
    notes = [Note(p, i * 1.0, 1.0) for i, p in enumerate(pitches)]
    path = write_musicxml(Piece(spec, [Track("Sax", 65, "melody", notes)], []), tmp_path / "piece.musicxml")
    shown = []
    for n in ET.parse(path).getroot().iter("note"):
        if n.find("pitch") is not None:
            sign = n.find("accidental")
            shown.append(sign.text if sign is not None else None)
    assert shown == [None, None, None, "flat", "natural", "flat", None, None]


def test_chromatic_notes_spelled_by_leading_tone_and_direction(tmp_path: Path) -> None:
    """D minor: the leading tone is C#, not Db. Bb major: a black key outside the key is spelled toward where
    the line goes, F#-G rising and Gb-F falling; with nowhere to go it follows the key's flats."""
    d_minor = Spec(tonic="D", mode="minor", bars=1, instruments=(Instrument("Sax", 65, "melody"),))
    notes = [Note(p, i * 1.0, 1.0) for i, p in enumerate([62, 61, 62, 69])]
    names = [n.pitch.name for n in _reparse(Piece(d_minor, [Track("Sax", 65, "melody", notes)], []), tmp_path)
             .parts[0].flatten().getElementsByClass(note.Note)]
    assert names == ["D", "C#", "D", "A"]
    b_flat = Spec(tonic="Bb", mode="major", bars=2, instruments=(Instrument("Sax", 65, "melody"),))
    notes = [Note(p, i * 1.0, 1.0) for i, p in enumerate([65, 66, 67, 70, 66, 65, 62, 66])]
    names = [n.pitch.name for n in _reparse(Piece(b_flat, [Track("Sax", 65, "melody", notes)], []), tmp_path)
             .parts[0].flatten().getElementsByClass(note.Note)]
    assert names == ["F", "F#", "G", "B-", "G-", "F", "D", "G-"]


def test_guitar_is_written_in_the_octave_treble_clef_at_sounding_pitch(tmp_path: Path) -> None:
    spec = Spec(bars=1, instruments=(Instrument("Guitar", 24, "melody"),))
    notes = [Note(40, 0.0, 1.0), Note(52, 1.0, 1.0), Note(64, 2.0, 1.0), Note(79, 3.0, 1.0)]
    part = _reparse(Piece(spec, [Track("Guitar", 24, "melody", notes)], []), tmp_path).parts[0]
    assert isinstance(_first(part, clef.Clef), clef.Treble8vbClef)
    assert [n.pitch.midi for n in part.flatten().getElementsByClass(note.Note)] == [40, 52, 64, 79]


def test_awkward_rhythms_and_overlaps_do_not_crash(tmp_path: Path) -> None:
    """Overlapping voices, notes across bar lines, tiny and off-grid durations, out-of-range pitches."""
    notes = [Note(60, 0.0, 5.3), Note(64, 0.1, 0.07), Note(67, 0.33, 2.9), Note(60, 0.5, 1.0), Note(140, 3.9, 0.2),
             Note(55, 6.7, 3.0), Note(48, 7.99, 0.01)]
    spec = Spec(bars=2, time_signature="7/8")
    piece = Piece(spec, [Track("Keys", 0, "chords", notes)], [Chord(0.0, 3.5, 0, "maj7", "Cmaj7", 4)])
    score = _reparse(piece, tmp_path)
    assert len(score.parts[0].getElementsByClass(m21stream.Measure)) == 2
    for n in score.parts[0].flatten().notesAndRests:
        assert n.quarterLength * 12 == pytest.approx(round(n.quarterLength * 12))  # on the 1/12 grid


def test_beat_grid_prefers_sixteenths_and_keeps_real_triplets() -> None:
    assert BeatGrid([0.26]).snap(0.26) == 0.25 and BeatGrid([2.0]).snap(2.0) == 2.0
    assert BeatGrid([0.3334]).snap(0.3334) == pytest.approx(1 / 3) and BeatGrid([0.74]).snap(0.74) == 0.75
    assert BeatGrid([1.6666]).snap(1.6666) == pytest.approx(5 / 3)
    assert BeatGrid([0.4]).snap(0.4) == 0.5  # a detached note's release is not a triplet
    grid = BeatGrid([1 / 3, 0.4])  # one grid per beat: a real triplet there puts the whole beat in triplets
    assert grid.snap(0.4) == pytest.approx(1 / 3) and grid.divisor(1.5) == 4


def test_detached_comping_is_not_written_as_nested_triplets(tmp_path: Path) -> None:
    """The swing comp's 0.4-beat chords used to snap to triplets beside sixteenths (nested tuplets on the page);
    the melody's real triplets stay triplets."""
    from music21 import chord as m21chord

    spec = Spec(bars=1, instruments=(Instrument("Sax", 65, "melody"), Instrument("Piano", 0, "chords")))
    melody = [Note(72, 0.0, 1 / 3), Note(74, 1 / 3, 1 / 3), Note(76, 2 / 3, 1 / 3), Note(77, 1.0, 3.0)]
    comp = [Note(p, t, d) for t, d in ((1.0, 0.4), (2.5, 0.9)) for p in (60, 64, 67)]
    piece = Piece(spec, [Track("Sax", 65, "melody", melody), Track("Piano", 0, "chords", comp)], [])
    score = _reparse(piece, tmp_path)
    sax = [float(n.quarterLength) for n in score.parts[0].flatten().notes]
    assert sax[:3] == [pytest.approx(1 / 3)] * 3
    piano = score.parts[1].flatten()
    assert all(float(e.quarterLength) * 4 == round(float(e.quarterLength) * 4) for e in piano.notesAndRests)
    assert not any(e.duration.tuplets for e in piano.notesAndRests)
    assert [float(c.offset) for c in piano.getElementsByClass(m21chord.Chord)] == [1.0, 2.5]


def test_empty_track_and_no_chords(tmp_path: Path) -> None:
    piece = tune_4_4(bars=2)
    piece = replace(piece, tracks=[Track("Silent", 0, "melody", [])] + piece.tracks[1:], chords=[])
    score = _reparse(piece, tmp_path)
    assert len(score.parts) == 4 and len(score.parts[0].flatten().getElementsByClass(note.Note)) == 0


def test_export_is_fast() -> None:
    piece = tune_4_4()
    piece_to_score(piece)  # warm music21's lazy imports
    start = time.perf_counter()
    write_musicxml(piece, Path("/dev/null"))
    assert time.perf_counter() - start < 1.5  # ~0.15 s measured; generous for a shared 2-core machine


def test_two_handed_parts_get_a_grand_staff_and_single_lines_do_not() -> None:
    from music21 import converter

    from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
    from composer.piece import Note, Piece, Track
    from prompts.spec import Instrument, Spec

    spec = Spec(bars=2, instruments=(Instrument("piano", 0, "melody"), Instrument("flute", 73, "counter")))
    right = [Note(72 + i % 5, float(i), 1.0) for i in range(8)]
    left = [Note(48, float(i), 1.0) for i in range(0, 8, 2)] + [Note(55, float(i), 1.0) for i in range(1, 8, 2)]
    flute = [Note(79, float(i), 2.0) for i in range(0, 8, 2)]
    piece = Piece(spec, [Track("piano", 0, "melody", right + left), Track("flute", 73, "counter", flute)], [])
    xml = score_to_musicxml_bytes(piece_to_score(piece)).decode()
    assert xml.count("<staves>2</staves>") == 1
    parsed = converter.parse(xml, format="musicxml")
    clefs = [type(p.recurse().getElementsByClass("Clef").first()).__name__ for p in parsed.parts]
    assert clefs.count("TrebleClef") == 2 and clefs.count("BassClef") == 1  # piano RH, flute; piano LH
    lower = [p for p in parsed.parts if type(p.recurse().getElementsByClass("Clef").first()).__name__ == "BassClef"][0]
    assert all(n.pitch.midi < 60 for n in lower.recurse().notes if hasattr(n, "pitch"))


def test_a_users_chord_symbols_are_written_as_they_were_given(tmp_path: Path) -> None:
    """C7#9, Bb7#5 and C/E asked in E major: the user's spelling (Bb, not A#), the kind, the text and the
    added degree of each, as a notation program reads them back."""
    from composer.harmony.given import plan_given

    asked = ("C7#9", "Bb7#5", "C/E", "Ebmaj9")
    spec = Spec(tonic="E", bars=len(asked), chords=asked, instruments=(Instrument("Flute", 73, "melody"),))
    melody = Track("Flute", 73, "melody", [Note(76, 4.0 * i, 4.0) for i in range(len(asked))])
    symbols = list(_reparse(Piece(spec, [melody], plan_given(spec)), tmp_path).recurse()
                   .getElementsByClass(harmony.ChordSymbol))
    assert [(s.root().name, s.chordKind, s.chordKindStr) for s in symbols] == [
        ("C", "dominant-seventh", "7#9"), ("B-", "augmented-seventh", "7#5"), ("C", "major", ""),
        ("E-", "major-ninth", "maj9")]
    assert symbols[2].bass().name == "E" and symbols[1].bass().name == "B-"
    sharp_nine = symbols[0].getChordStepModifications()
    assert [(m.modType, m.degree, m.interval.semitones) for m in sharp_nine] == [("add", 9, 1)]
