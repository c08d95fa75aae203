"""The groove build's reading of MMA's MIDI: chord-relative names, strums as one hit, swing, same bytes.

The MIDI here is written by hand with symusic in the shape MMA writes (one drum track, named pitched tracks,
192 ticks a quarter) over the build's own progression, so the test needs neither the .deb nor MMA.
"""

from __future__ import annotations

import gzip
import json

import symusic

from composer.learn.grooves import base_of, derive, variant_of, write_grooves
from composer.learn.grooves_mma import PROGRESSION, GrooveSource, Rendered, _logical_lines

TPQ = 192


def _track(name: str, notes: list[tuple[int, int, int, int]], drum: bool = False) -> symusic.Track:
    track = symusic.Track(name, 0 if drum else 32, drum)
    for time, duration, pitch, velocity in notes:
        track.notes.append(symusic.Note(time, duration, pitch, velocity))
    return track


def _rendered(tracks: list[symusic.Track], seq_bars: int = 2) -> Rendered:
    score = symusic.Score(TPQ)
    score.tracks.extend(tracks)
    return Rendered(GrooveSource("stdlib", "test", "TestGroove", "A test."), score.dumps_midi(), seq_bars, 4.0,
                    "4/4", 120, "Off Accent=100,100")


def test_bass_notes_are_named_against_the_chord_of_their_bar() -> None:
    assert PROGRESSION[:2] == ("C", "Am")
    bass = _track("Bass", [(0, 180, 36, 100), (384, 180, 43, 90), (576, 180, 44, 90),  # C: root, fifth, G#
                           (768, 180, 45, 100), (960, 180, 48, 90), (1152, 180, 50, 90), (1344, 180, 44, 90)])
    row = derive(_rendered([bass, _track("Drum", [(0, 1, 36, 90)], drum=True)]))
    (line,) = row["tracks"]
    tones = [n[4] for n in line["notes"]]
    # G# leads a semitone up into the A of bar 2; C over Am is its third; D over Am the key's 4th step
    assert tones == ["1", "5", "a-1", "1", "3", "4", "c11"]
    assert [n[:2] for n in line["notes"]][:3] == [[0, 0], [0, 96], [0, 144]]
    assert line["role"] == "bass" and line["floor"] == 36
    # octaves count from the chord's root at or under the line's lowest note: C2 for C, A1 for Am
    assert [n[5] for n in line["notes"]][:4] == [0, 0, 0, 1]


def test_strummed_chords_are_one_hit_and_drums_keep_their_bar() -> None:
    chord = _track("Chord-Guitar", [(0, 172, 60, 70), (5, 167, 64, 74), (10, 162, 67, 73), (288, 90, 60, 60),
                                    (288, 90, 64, 60), (288, 90, 67, 60), (288, 90, 72, 60)])
    drums = _track("Drum", [(0, 1, 36, 100), (384, 1, 38, 90), (1152, 1, 38, 95), (1280, 1, 42, 70)], drum=True)
    row = derive(_rendered([chord, drums]))
    assert row["tracks"][0]["hits"] == [[0, 0, 43, 74, 3], [0, 72, 22, 60, 4]]
    assert row["drums"] == {"36": [[0, 0, 100]], "38": [[0, 96, 90], [1, 96, 95]], "42": [[1, 128, 70]]}
    assert row["swing"] == 0.2  # one note late on the off-beat (2/3 of a beat), four on the straight half beat
    assert row["name"] == "TestGroove" and row["bars"] == 2 and row["time_signature"] == "4/4"


def test_bars_past_the_sequence_and_melody_tracks_are_left_out() -> None:
    solo = _track("Solo", [(0, 100, 72, 90)])
    bass = _track("Bass", [(0, 100, 36, 90), (768, 100, 36, 90)])
    row = derive(_rendered([solo, bass], seq_bars=1))
    assert [t["name"] for t in row["tracks"]] == ["Bass"]
    assert len(row["tracks"][0]["notes"]) == 1


def test_variants_come_from_mma_names() -> None:
    names = {"BossaNova": "main", "BossaNovaFill": "fill", "BossaNovaIntro8": "intro", "BossaNova1End": "end",
             "Swing1SusPlus": "sus", "SwingWalkPlus": "plus", "kbossaFillAB": "fill"}
    assert {name: variant_of(name) for name in names} == names
    pflib = {"rock1A": "main", "rock1B": "main", "rock1FA": "fill", "rock1FB": "fill", "rock1E": "end"}
    assert {name: variant_of(name, "pflib") for name in pflib} == pflib
    assert base_of("BossaNova1SusPlus") == base_of("BossaNova1End") == "bossanova1"


def test_continued_defgroove_lines_are_joined() -> None:
    lines = _logical_lines("DefGroove SwingFill   Simple 2 bar fill. \\\n   Good for endings. // comment\nBegin Drum")
    assert " ".join(lines[0].split()) == "DefGroove SwingFill Simple 2 bar fill. Good for endings."
    assert lines[1] == "Begin Drum"


def test_the_written_file_is_the_same_bytes_for_the_same_payload(tmp_path) -> None:
    payload = {"grooves": [{"name": "B"}, {"name": "A"}], "notice": "GPL-2+"}
    write_grooves(payload, tmp_path / "a.json.gz")
    write_grooves(dict(reversed(payload.items())), tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    assert json.loads(gzip.decompress((tmp_path / "a.json.gz").read_bytes())) == payload
