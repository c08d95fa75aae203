"""Tests for genre styles and harmony plans: coverage, tonic at both ends, cadences, forms, spelling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from composer.harmony.plan import plan_harmony, spell_root
from composer.harmony.progressions import ProgressionError, roman
from composer.styles import STYLES, StyleError, style_for
from composer.theory import CHORD_INTERVALS, tonic_pc
from prompts.spec import TIME_SIGNATURES, Spec

GENRES = (
    "jazz swing jazz_waltz blues bossa_nova latin tango pop rock metal funk neo_soul lofi hip_hop trap techno "
    "house edm synthwave chiptune ambient cinematic classical baroque chorale romantic folk celtic reel jig "
    "hornpipe sea_shanty polka waltz march klezmer reggae ragtime gospel medieval lullaby flamenco"
).split()
MODES = ("major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian")


def _plan(genre: str | None, **kw: object) -> tuple[Spec, list]:
    spec = Spec(genre=genre, **kw)  # type: ignore[arg-type]
    return spec, plan_harmony(spec, style_for(genre), np.random.default_rng(spec.seed))


def test_every_parser_genre_has_a_style() -> None:
    assert set(GENRES) == set(STYLES)
    assert style_for(None).genre == "default"
    with pytest.raises(StyleError, match="unknown genre"):
        style_for("polka_dubstep")
    assert issubclass(StyleError, ValueError)


@pytest.mark.parametrize("genre", [*GENRES, None])
def test_plan_covers_the_piece_and_is_anchored_on_the_tonic(genre: str | None) -> None:
    for i, (mode, ts) in enumerate(itertools.product(MODES, TIME_SIGNATURES)):
        bars = (1, 2, 3, 5, 8, 12, 16, 33)[i % 8]
        spec, chords = _plan(genre, tonic=("C", "F#", "Bb", "E", "Ab")[i % 5], mode=mode, time_signature=ts,
                             bars=bars, seed=i)
        total = spec.bars * spec.bar_quarters
        assert chords[0].start == 0.0
        assert abs(chords[-1].end - total) < 1e-9
        for a, b in itertools.pairwise(chords):
            assert abs(a.end - b.start) < 1e-9 and a.duration > 0
        home = tonic_pc(spec.tonic)
        assert chords[0].root_pc == home and chords[-1].root_pc == home
        assert all(c.quality in CHORD_INTERVALS for c in chords)
        if bars == 1:
            assert len(chords) == 1


@pytest.mark.parametrize("genre", ["classical", "pop", "jazz", "waltz", "folk", "tango"])
def test_authentic_cadence_before_the_final_tonic(genre: str) -> None:
    for mode, tonic in (("major", "D"), ("minor", "G")):
        spec, chords = _plan(genre, tonic=tonic, mode=mode, bars=8, seed=3)
        dominant = (tonic_pc(tonic) + 7) % 12
        assert chords[-2].root_pc == dominant
        assert 4 in CHORD_INTERVALS[chords[-2].quality] or chords[-2].quality == "5"  # a major third: V, not v


def test_twelve_bar_blues_form() -> None:
    spec, chords = _plan("blues", tonic="A", mode="major", bars=12, seed=1)
    by_bar = {int(c.start // spec.bar_quarters): c for c in chords}
    assert by_bar[4].root_pc == (9 + 5) % 12  # bar 5: IV
    assert by_bar[8].root_pc == (9 + 7) % 12  # bar 9: V
    assert all(c.quality == "7" for c in chords)


@pytest.mark.parametrize("bars", [5, 8, 16, 24, 30])
def test_blues_any_length_keeps_its_chords(bars: int) -> None:
    spec, chords = _plan("blues", tonic="E", mode="minor", bars=bars, seed=2)
    roots = {(c.root_pc - 4) % 12 for c in chords}
    assert roots <= {0, 5, 7, 8}
    assert abs(chords[-1].end - bars * spec.bar_quarters) < 1e-9


def test_jazz_uses_seventh_chords_and_ii_v() -> None:
    spec, chords = _plan("jazz", tonic="Bb", mode="major", bars=16, seed=4)
    assert all(len(CHORD_INTERVALS[c.quality]) >= 4 for c in chords)
    roots = [(c.root_pc - 10) % 12 for c in chords]
    assert any(a == 2 and b == 7 for a, b in itertools.pairwise(roots))


def test_modal_vamps_show_their_colour_chord() -> None:
    colour = {"dorian": 5, "mixolydian": 10, "phrygian": 1, "lydian": 2}
    for mode, interval in colour.items():
        seen = set()
        for seed in range(6):
            spec, chords = _plan("techno", tonic="D", mode=mode, bars=16, seed=seed)
            seen |= {((c.root_pc - 2) % 12, c.bass_pc) for c in chords}
        assert (interval, 2) in seen, (mode, seen)  # the colour chord, over the tonic pedal


def test_minor_keys_use_the_harmonic_minor_dominant() -> None:
    spec, chords = _plan("classical", tonic="A", mode="minor", bars=8, seed=0)
    dominants = [c for c in chords if c.root_pc == 4]
    assert dominants and all(c.quality in ("maj", "7") for c in dominants)


def test_flamenco_plays_the_andalusian_cadence() -> None:
    spec, chords = _plan("flamenco", tonic="A", mode="minor", bars=8, seed=0)
    roots = [c.root_pc for c in chords]
    assert {9, 7, 5, 4} <= set(roots)


def test_symbols_are_spelled_in_the_key() -> None:
    _, chords = _plan("pop", tonic="Eb", mode="minor", bars=16, seed=5)
    assert not any("#" in c.symbol for c in chords)
    _, chords = _plan("pop", tonic="E", mode="major", bars=16, seed=5)
    assert not any("b" in c.symbol.replace("m7b5", "") for c in chords)
    assert spell_root("F", "major", 3, 0) == "Bb"
    assert spell_root("Eb", "minor", 5, 0) == "Cb"
    assert spell_root("D", "major", 2, 0) == "F#"


def test_medieval_sits_on_a_drone() -> None:
    _, chords = _plan("medieval", tonic="D", mode="dorian", bars=8, seed=1)
    assert all(c.bass_pc in (None, 2) for c in chords)
    assert any(c.bass_pc == 2 and "/D" in c.symbol for c in chords)


def test_plans_are_reproducible_and_vary_with_the_seed() -> None:
    plans = {tuple(c.symbol for c in _plan("jazz", bars=16, seed=s)[1]) for s in range(8)}
    assert _plan("jazz", bars=16, seed=3)[1] == _plan("jazz", bars=16, seed=3)[1]
    assert len(plans) > 1


def test_bad_chord_token_is_a_clear_error() -> None:
    with pytest.raises(ProgressionError, match="bad chord token"):
        roman("VIII")
    assert issubclass(ProgressionError, ValueError)
