"""MIDI writing and reading: metadata, channels (checked with music21's independent reader), bar count,
swing, clamping, round trips and bad input."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
import symusic
from music21 import midi as m21midi

from composer.files.midi import (
    MidiError,
    key_signature_sharps,
    midi_bytes_to_piece,
    piece_to_midi_bytes,
    swing_time,
)
from composer.piece import Note, Piece, Track
from prompts.spec import Spec
from tests.fixtures.pieces import jig_6_8, tune_4_4

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _m21_events(data: bytes) -> list[list[m21midi.MidiEvent]]:
    mf = m21midi.MidiFile()
    mf.readstr(data)
    return [[e for e in t.events if not isinstance(e, m21midi.DeltaTime)] for t in mf.tracks]


def _meta(data: bytes, kind: m21midi.MetaEvents) -> list[bytes]:
    return [e.data for track in _m21_events(data) for e in track if e.type == kind]


def test_meta_events_read_back_by_music21() -> None:
    piece = tune_4_4()
    piece = replace(piece, spec=replace(piece.spec, tonic="Eb", mode="dorian", tempo_bpm=96,
                                        time_signature="6/8", bars=4))
    data = piece_to_midi_bytes(piece)
    (tempo,) = _meta(data, m21midi.MetaEvents.SET_TEMPO)
    assert int.from_bytes(tempo, "big") == round(60_000_000 / 96)
    (ts,) = _meta(data, m21midi.MetaEvents.TIME_SIGNATURE)
    assert ts[0] == 6 and 2 ** ts[1] == 8
    (ks,) = _meta(data, m21midi.MetaEvents.KEY_SIGNATURE)
    assert int.from_bytes(ks[:1], "big", signed=True) == -6 and ks[1] == 1  # Eb minor family: 6 flats
    names = {n.decode() for n in _meta(data, m21midi.MetaEvents.SEQUENCE_TRACK_NAME)}
    assert {"Flute", "Acoustic Bass", "Piano", "Drums"} <= names


def test_channels_and_programs_read_by_independent_reader() -> None:
    piece = tune_4_4()
    data = piece_to_midi_bytes(piece)
    by_name: dict[str, tuple[set[int], set[int]]] = {}
    for events in _m21_events(data):
        name = next((e.data.decode() for e in events if e.type == m21midi.MetaEvents.SEQUENCE_TRACK_NAME), "")
        notes = {e.channel for e in events if e.type == m21midi.ChannelVoiceMessages.NOTE_ON}
        programs = {e.data for e in events if e.type == m21midi.ChannelVoiceMessages.PROGRAM_CHANGE}
        if notes:
            by_name[name] = (notes, programs)
    assert by_name["Drums"][0] == {10}  # music21 counts channels from 1: GM percussion channel 10
    pitched = [by_name[n] for n in ("Flute", "Acoustic Bass", "Piano")]
    channels = [next(iter(ch)) for ch, _ in pitched]
    assert all(len(ch) == 1 for ch, _ in pitched) and len(set(channels)) == 3 and 10 not in channels
    assert [progs for _, progs in pitched] == [{73}, {32}, {0}]


@pytest.mark.parametrize(
    ("tonic", "minor", "sharps"),
    [("C", False, 0), ("G", False, 1), ("F#", False, 6), ("Gb", False, -6), ("Cb", False, -7), ("Bb", False, -2),
     ("A", True, 0), ("E", True, 1), ("D#", True, 6), ("Eb", True, -6), ("Bb", True, -5), ("Db", True, 4),
     ("G#", False, -4), ("C#", True, 4), ("F", True, -4)],
)
def test_key_signature_sharps(tonic: str, minor: bool, sharps: int) -> None:
    assert key_signature_sharps(tonic, minor) == sharps


def test_bar_count_exact_and_notes_clipped() -> None:
    piece = tune_4_4(bars=4)
    piece.tracks[0].notes.append(Note(72, 15.0, 3.0, 90))  # runs 2 quarters past the end
    piece.tracks[0].notes.append(Note(74, 16.5, 1.0, 90))  # starts after the end
    score = symusic.Score.from_midi(piece_to_midi_bytes(piece))
    tpq = score.ticks_per_quarter
    last_end = max(n.time + n.duration for t in score.tracks for n in t.notes) / tpq
    assert last_end == pytest.approx(16.0)
    assert math.ceil(last_end / piece.bar_quarters - 1e-9) == 4
    assert all(n.pitch != 74 for n in score.tracks[0].notes)


def test_bar_count_kept_when_last_bar_is_silent() -> None:
    spec = Spec(bars=3, tempo_bpm=120)
    piece = Piece(spec, [Track("Lead", 0, "melody", [Note(60, 0.0, 1.0)])], [])
    score = symusic.Score.from_midi(piece_to_midi_bytes(piece))
    assert score.end() / score.ticks_per_quarter == pytest.approx(12.0)


def test_swing_delays_offbeat_eighths_only_in_the_midi() -> None:
    piece = tune_4_4(bars=2, swing=True)
    straight_starts = [n.start for n in piece.tracks[0].notes]
    score = symusic.Score.from_midi(piece_to_midi_bytes(piece))
    tpq = score.ticks_per_quarter
    got = [(n.time / tpq, (n.time + n.duration) / tpq) for n in score.tracks[0].notes]
    flat = [x for span in got for x in span]
    # bar 1: C(0-1) E(1-1.5) F(1.5-2) G(2-3) C(3-4) -> the off-beat 1.5 moves to 1 2/3 for both notes
    assert flat[:10] == pytest.approx([0, 1, 1, 1 + 2 / 3, 1 + 2 / 3, 2, 2, 3, 3, 4], abs=1 / tpq)
    # bar 2 starts with two eighths: B(4-4.5) A(4.5-5)
    assert flat[10:14] == pytest.approx([4, 4 + 2 / 3, 4 + 2 / 3, 5], abs=1 / tpq)
    assert [n.start for n in piece.tracks[0].notes] == straight_starts  # the Piece stays straight
    for start, end in got:
        assert end > start and math.floor(start / 4.0 + 1e-9) == math.floor((end - 1e-9) / 4.0)


def test_swing_time_keeps_bar_lines_and_beats() -> None:
    assert swing_time(0.5, 4.0) == pytest.approx(2 / 3)
    assert swing_time(3.5, 4.0) == pytest.approx(3 + 2 / 3)
    assert swing_time(2.0, 4.0) == 2.0 and swing_time(0.25, 4.0) == 0.25
    assert swing_time(3.5, 3.5) == 3.5  # a 7/8 bar line at 3.5 never moves
    assert swing_time(4.0, 3.5) == pytest.approx(3.5 + 2 / 3)  # off-beat counted from the bar line


def test_six_eight_without_swing_is_straight() -> None:
    piece = jig_6_8(bars=2)
    score = symusic.Score.from_midi(piece_to_midi_bytes(piece))
    starts = [n.time / score.ticks_per_quarter for n in score.tracks[0].notes]
    assert starts == [i * 0.5 for i in range(12)]
    assert [(ts.numerator, ts.denominator) for ts in score.time_signatures] == [(6, 8)]


def test_pitch_and_velocity_are_clamped() -> None:
    notes = [Note(130, 0.0, 1.0, 200), Note(-5, 1.0, 1.0, 0)]
    piece = Piece(Spec(bars=1), [Track("Lead", 0, "melody", notes)], [])
    score = symusic.Score.from_midi(piece_to_midi_bytes(piece))
    assert [(n.pitch, n.velocity) for n in score.tracks[0].notes] == [(127, 127), (0, 1)]


def _flat_notes(track: Track) -> list[float]:
    notes = sorted(track.notes, key=lambda n: (n.start, n.pitch))
    return [x for n in notes for x in (n.pitch, n.start, n.duration, n.velocity)]


@pytest.mark.parametrize("swing", [False, True])
def test_round_trip_restores_the_piece(swing: bool) -> None:
    piece = tune_4_4(swing=swing)
    back = midi_bytes_to_piece(piece_to_midi_bytes(piece), piece.spec)
    assert back.swing == swing and back.chords == piece.chords
    assert [(t.name, t.program, t.role, t.is_drum) for t in back.tracks] == [
        (t.name, t.program, t.role, t.is_drum) for t in piece.tracks]
    for ours, theirs in zip(piece.tracks, back.tracks, strict=True):
        assert _flat_notes(theirs) == pytest.approx(_flat_notes(ours), abs=1e-3)
    assert piece_to_midi_bytes(back) == piece_to_midi_bytes(piece)


def test_reads_music21_written_chorale() -> None:
    spec = Spec(tonic="F#", mode="minor", bars=5)
    piece = midi_bytes_to_piece((FIXTURES / "bwv66_6_first4.mid").read_bytes(), spec)
    assert [t.name for t in piece.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [len(t.notes) for t in piece.tracks] == [19, 19, 23, 23]
    assert [t.role for t in piece.tracks] == ["melody", "counter", "counter", "bass"]
    assert not any(t.is_drum for t in piece.tracks)
    assert max(n.end for t in piece.tracks for n in t.notes) == pytest.approx(17.0)


def test_reads_format0_drums_on_channel_10() -> None:
    spec = Spec(time_signature="3/4", bars=2)
    piece = midi_bytes_to_piece((FIXTURES / "guitar_drums_format0.mid").read_bytes(), spec)
    drums = [t for t in piece.tracks if t.is_drum]
    guitar = [t for t in piece.tracks if not t.is_drum]
    assert len(drums) == 1 and sorted({n.pitch for n in drums[0].notes}) == [36, 42]
    assert len(guitar) == 1 and guitar[0].program == 24
    assert [n.start for n in guitar[0].notes] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "Standard MIDI"), (b"RIFF....", "Standard MIDI"),
     (b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00", "malformed"),
     (b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00", "no notes")],
)
def test_bad_bytes_raise_midi_error(data: bytes, message: str) -> None:
    with pytest.raises(MidiError, match=message):
        midi_bytes_to_piece(data, Spec())


def test_too_many_pitched_tracks_is_refused() -> None:
    tracks = [Track(f"T{i}", i, "chords", [Note(60, 0.0, 1.0)]) for i in range(16)]
    with pytest.raises(MidiError, match="15 pitched tracks"):
        piece_to_midi_bytes(Piece(Spec(bars=1), tracks, []))
