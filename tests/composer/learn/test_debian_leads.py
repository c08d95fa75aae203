"""Lead lines from songs: which track is the tune, its skyline, the key normalisation, phrases by piece, the
chords under it, and which licence and family each Debian file gets."""

from __future__ import annotations

import pytest

from composer.learn.debian.chords import bar_chords
from composer.learn.debian.families import FAMILIES, family_of
from composer.learn.debian.lead import monophony, pick_lead, skyline, song_key
from composer.learn.debian.phrases import PHRASE_BARS, Labels, song_records
from composer.learn.debian.song import Harmony, Song, Track
from composer.learn.debian.sources import SOURCES
from composer.learn.extract import ExtractError
from composer.melody.corpus import Melody, split_of

D_MAJOR_TUNE = [74, 76, 78, 79, 81, 79, 78, 76]
"""D E F# G A G F# E: one bar of eighths in D major."""


def d_major_song(bars: int = 20) -> Song:
    """A song in D major: a tune of eighths, a bass on D and A, a pad of D major triads, drums."""
    bar = 4.0
    tune = [(p, b * bar + i * 0.5, 0.5) for b in range(bars) for i, p in enumerate(D_MAJOR_TUNE)]
    bass = [(38 if b % 2 == 0 else 45, b * bar, 4.0) for b in range(bars)]
    pad = [(p, b * bar, 4.0) for b in range(bars) for p in (62, 66, 69)]
    drums = [(36, b * bar + beat, 0.25) for b in range(bars) for beat in range(4)]
    return Song("tune", "Tune", 120.0, "4/4", [
        Track("Bass", 33, False, bass), Track("Warm pad", 89, False, pad),
        Track("Lead", 80, False, tune), Track("Drums", 0, True, drums),
    ])


def test_the_lead_is_the_tune_not_the_bass_pad_or_drums() -> None:
    song = d_major_song()
    choice = pick_lead(song)
    assert choice is not None and choice.track.name == "Lead" and choice.index == 2
    assert 3 not in choice.scores  # drums are never candidates
    assert monophony(song.tracks[2].notes) == 1.0 and monophony(song.tracks[1].notes) == 0.0


def test_no_lead_without_a_pitched_track() -> None:
    assert pick_lead(Song("d", "d", 120.0, "4/4", [Track("Drums", 0, True, [(36, i, 0.25) for i in range(40)])])) is None


def test_skyline_keeps_the_top_note_on_the_grid_and_cuts_at_the_meter_change() -> None:
    notes = [(60, 0.0, 2.0), (64, 0.0, 1.0), (62, 1.01, 1.0), (67, 3.0, 2.0), (69, 5.0, 1.0)]
    assert skyline(notes) == [(64, 0.0, 1.0), (62, 1.0, 1.0), (67, 3.0, 2.0), (69, 5.0, 1.0)]
    assert skyline(notes, end_q=4.0) == [(64, 0.0, 1.0), (62, 1.0, 1.0), (67, 3.0, 1.0)]


def test_records_are_normalised_phrases_that_share_their_piece() -> None:
    song = d_major_song(bars=20)
    assert (song_key(song).tonic_pc, song_key(song).mode) == (2, "major")
    records = song_records(song, Labels("openmsx", "pop", "GPL-2.0"))
    assert [r["bars"] for r in records] == [PHRASE_BARS, 20 - PHRASE_BARS]
    assert [r["id"] for r in records] == ["openmsx/tune#000", "openmsx/tune#001"]
    first = records[0]
    assert [p for p, _, _ in first["notes"][:8]] == [p - 2 for p in D_MAJOR_TUNE]  # D major -> C major
    assert (first["mode"], first["tonic_pc"], first["meter"], first["tempo_bpm"]) == ("major", 2, "4/4", 120)
    assert first["chords"][:2] == ["C", "C"] and first["chords_from"] == "heard"
    assert len(first["chords"]) == first["bars"]
    assert {r["piece"] for r in records} == {"openmsx/tune"}
    melodies = [Melody.from_dict(r) for r in records]
    assert {m.split for m in melodies} == {split_of("openmsx/tune")}
    assert melodies[0].family == "pop" and melodies[0].licence == "GPL-2.0" and melodies[0].bars == 16


def test_written_chord_symbols_win_and_are_transposed() -> None:
    song = d_major_song(bars=2)
    song.harmony = [Harmony(0.0, 4, "mi7"), Harmony(1.0, 9, "7"), Harmony(4.0, 2, "ma7")]
    chords, origin = bar_chords(song, 2, -2, 0, 2)
    assert origin == "harmony" and chords == ["G7", "Cmaj7"]  # A7 sounds longest in bar 0; a tone down


def test_a_bar_of_thin_or_clustered_accompaniment_has_no_chord() -> None:
    song = Song("c", "c", 100.0, "4/4", [
        Track("Lead", 73, False, [(72 + i % 3, i * 0.5, 0.5) for i in range(24)]),
        Track("Cluster", 0, False, [(p, 0.0, 4.0) for p in (60, 61, 62, 63, 64, 65)] + [(60, 4.0, 0.25)]),
    ])
    chords, _ = bar_chords(song, 0, 0, 0, 3)
    assert chords == [None, None, None]


def test_a_song_without_a_usable_line_is_refused() -> None:
    song = Song("s", "s", 100.0, "4/4", [Track("Lead", 80, False, [(60 + i, i * 4.0, 1.0) for i in range(16)])])
    song.meter_end_q = 8.0
    with pytest.raises(ExtractError, match="only 2 notes"):
        song_records(song, Labels("x", "pop", "MIT"))


@pytest.mark.parametrize(("relative", "licence"), [
    ("demos/Saber-FinalStep.mmpz", "BSD-2-Clause"), ("demos/Skiessi/Skiessi-C64.mmpz", "CC-BY-SA-4.0"),
    ("shorties/Skiessi-222.mmpz", "GPL-2+"), ("demos/CapDan/CapDan-TwilightArea-OriginalByAlf42red.mmpz",
                                               "CC-BY-SA-3.0"),
    ("demos/CapDan/CapDan-ReggaeTry.mmpz", "Artistic-2"), ("shorties/Crunk(Demo).mmp", "Artistic-2"),
    ("demos/Shovon-ProgressiveHousePluckDemo.mmpz", "GPL-2+"),
])
def test_lmms_files_get_their_copyright_files_licence(relative: str, licence: str) -> None:
    lmms = next(s for s in SOURCES if s.name == "lmms")
    assert lmms.licence_of(relative) == licence


def test_every_licence_has_its_own_file_and_notice() -> None:
    names = [s.output_name(t.licence) for s in SOURCES for t in s.terms]
    assert len(names) == len(set(names))
    assert "openmsx.jsonl.gz" in names and "lmms-gpl-2-plus.jsonl.gz" in names
    for source in SOURCES:
        for terms in source.terms:
            assert "Copyright" in terms.notice and source.terms_of(terms.licence) is terms
        assert source.licence_of("anything") == source.default
        assert source.default in {t.licence for t in source.terms}


def test_families_are_genre_ids_or_named_extras() -> None:
    from prompts.words.genres import GENRES

    extras = {"game", "trance"}
    used = {family for table in FAMILIES.values() for family in table.values()}
    assert used - extras <= set(GENRES)
    assert family_of("openmsx", "city_blues_redfarn") == "blues" and family_of("openmsx", "nope") is None
    assert set(FAMILIES) == {s.name for s in SOURCES}
