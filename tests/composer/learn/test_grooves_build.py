"""The groove build's reading of MMA's MIDI: chord-relative names, strums as one hit, swing, same bytes.

The MIDI here is written by hand with symusic in the shape MMA writes (one drum track, named pitched tracks,
192 ticks a quarter) over the build's own progression, so the test needs neither the .deb nor MMA.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
import symusic

from composer.arrange.grooves import GrooveTextsError, load_groove_texts
from composer.learn.grooves import (
    base_of,
    caption,
    derive,
    groove_texts,
    name_words,
    variant_of,
    write_groove_texts,
    write_grooves,
)
from composer.learn.grooves_mma import PROGRESSION, GrooveSource, Rendered, _logical_lines, file_doc
from prompts.encoder import get_encoder

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


def test_a_line_track_that_strikes_chords_above_the_bass_is_a_chord_part() -> None:
    # kara's funk: "Bass-4" stabs C-E-G (and a strummed E-G chop) over C3; "Bass-11" the low line under them
    stabs = _track("Bass-4", [(96, 20, 60, 60), (96, 20, 64, 60), (96, 20, 67, 60), (288, 40, 64, 70),
                              (291, 40, 67, 70), (480, 1, 64, 40)])
    line = _track("Bass-11", [(0, 180, 36, 100), (384, 180, 43, 90)])
    # a low bass doubled in octaves, and an arpeggio whose single notes ring over each other, stay lines
    octaves = _track("Bass-Octave", [(0, 90, 36, 90), (0, 90, 48, 90), (192, 90, 43, 90), (192, 90, 55, 90)])
    arpeggio = _track("Arpeggio", [(0, 400, 60, 70), (96, 400, 64, 70), (192, 400, 67, 70)])
    row = derive(_rendered([stabs, line, octaves, arpeggio]))
    roles = {t["name"]: t["role"] for t in row["tracks"]}
    assert roles == {"Bass-4": "chord", "Bass-11": "bass", "Bass-Octave": "bass", "Arpeggio": "arpeggio"}
    assert row["tracks"][0]["hits"] == [[0, 24, 5, 60, 3], [0, 72, 10, 70, 2], [0, 120, 0, 40, 1]]


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


def test_a_files_doc_is_read_in_both_of_mmas_forms(tmp_path) -> None:
    """`Begin Doc ... End` blocks and one-line `Doc` commands continued with backslashes (nitejazz's form, which
    the build used to drop), in file order; `Begin DocVar` blocks are not the description."""
    path = tmp_path / "nite.mma"
    path.write_text("// nitejazz\n\nDoc A slow jazz trio beat for slow and sassy stuff. Initially written for \\\n"
                    "    a 56bpm version of Chelsea Bridge.\n\nBegin DocVar\n  PUSH0 The swing feeling.\nEnd\n"
                    "Begin Doc\n  Second part.\nEnd\nAuthor Bob van der Poel\n", encoding="latin-1")
    assert file_doc(path) == ("A slow jazz trio beat for slow and sassy stuff. Initially written for a 56bpm "
                              "version of Chelsea Bridge. Second part.")


def _payload() -> dict:
    drums = _track("Drum", [(0, 1, 36, 100), (96, 1, 42, 60), (192, 1, 63, 80), (384, 1, 38, 90)], drum=True)
    walk = _track("Walk", [(i * 192, 180, 36 + i % 3, 90) for i in range(8)])
    rows = [derive(_rendered([walk, drums])), {**derive(_rendered([walk])), "name": "TestGrooveFill",
                                               "variant": "fill"}]
    return {"grooves": rows, "families": {"stdlib/test": "A test family. Slow and smoky."}, "notice": "GPL-2+ notice",
            "licence": "GPL-2.0-or-later"}


def test_each_main_groove_is_described_by_its_own_words() -> None:
    payload = _payload()
    assert name_words("SlowJazz1Walk") == "Slow Jazz Walk" and name_words("rock1A") == "rock A"
    assert caption(payload["grooves"][0]) == ("Test Groove: a straight 4/4 groove, walking bass, Acoustic Bass, "
                                              "latin percussion, sparse drums")
    assert groove_texts(payload) == [  # fills, intros and endings are chosen with their main groove, never alone
        ("TestGroove", "Test Groove"), ("TestGroove", "Test Groove: A test."),
        ("TestGroove", "Test Groove: A test family."),
        ("TestGroove", "Test Groove: Slow and smoky."), ("TestGroove", caption(payload["grooves"][0]))]


def test_groove_texts_are_unit_float16_rows_in_the_same_bytes_and_belong_to_their_grooves(tmp_path) -> None:
    payload = _payload()
    grooves = tmp_path / "grooves.json.gz"
    write_grooves(payload, grooves)
    embed = get_encoder().embed
    count = write_groove_texts(payload, grooves.read_bytes(), embed, tmp_path / "a.npz")
    write_groove_texts(payload, grooves.read_bytes(), embed, tmp_path / "b.npz")
    assert count == 5 and (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        assert data["vectors"].dtype == np.float16 and data["vectors"].shape == (5, 384)
        assert str(data["licence"]) == "GPL-2.0-or-later" and "GPL" in str(data["notice"])
    texts = load_groove_texts(tmp_path / "a.npz", grooves)
    assert texts is not None and texts.names == ("TestGroove",) and list(texts.owner) == [0] * 5
    assert np.allclose(np.linalg.norm(texts.vectors, axis=1), 1.0, atol=2e-3)
    query = embed(["Test Groove: Slow and smoky."])[0]
    assert texts.similarity(query)[0] == pytest.approx(1.0, abs=2e-3)  # a groove scores the best of its texts
    write_grooves({**payload, "notice": "changed"}, grooves)
    with pytest.raises(GrooveTextsError, match="rebuild both"):
        load_groove_texts(tmp_path / "b.npz", grooves)
