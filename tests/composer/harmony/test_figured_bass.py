"""The classical bass line's inversions (issue 13 §2): inside a phrase only, never at its start or its close,
a V6 / V6/5 only into a root-position tonic, none in a piece shorter than a phrase, and drawn apart from the
chords so the tune composed over them is the one the root-position plan would get.

The plans are the real ones (`plan_harmony` over the real styles and tables); a chord is inverted when its
bass is a chord tone other than its root.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from composer.harmony import progressions as prog
from composer.harmony import tables
from composer.harmony.plan import plan_harmony
from composer.piece import Chord
from composer.styles import style_for
from composer.theory import tonic_pc
from prompts import ParseConfig, parse

RULES_ONLY = ParseConfig(use_encoder=False)
CLASSICAL = ("a classical piece in D major for piano, 8 bars", "a baroque minuet in G for harpsichord, 8 bars",
             "a chopin nocturne in C minor for piano, 16 bars", "a waltz in F for piano, 3/4, 12 bars",
             "a march in Bb for brass, 8 bars")


def _inverted(chord: Chord) -> bool:
    return chord.bass_pc is not None and chord.bass_pc != chord.root_pc


def _plan(prompt: str, seed: int) -> tuple[list[Chord], int, float]:
    spec = dataclasses.replace(parse(prompt, RULES_ONLY), seed=seed)
    return plan_harmony(spec, style_for(spec.genre), np.random.default_rng(seed)), tonic_pc(spec.tonic), \
        spec.bar_quarters


@pytest.mark.parametrize("prompt", CLASSICAL)
def test_inversions_stay_inside_phrases(prompt: str) -> None:
    """Over ten seeds: every four-bar phrase opens on a root-position chord, the piece closes V-I on roots, and a
    dominant with its third in the bass goes to the tonic in root position; some chords are inverted."""
    inverted = 0
    for seed in range(1, 11):
        chords, home, bar_q = _plan(prompt, seed)
        symbols = [c.symbol for c in chords]
        inverted += sum(map(_inverted, chords))
        openings = [c for c in chords if abs(c.start / bar_q % 4) < 1e-9]
        assert not [c for c in openings if _inverted(c)], (seed, symbols)
        assert not any(map(_inverted, chords[-2:])), (seed, symbols)
        for before, after in zip(chords, chords[1:], strict=False):
            if (before.root_pc - home) % 12 == 7 and _inverted(before):
                assert after.root_pc == home and not _inverted(after), (seed, symbols)
    assert inverted >= 5, f"{prompt}: {inverted} inverted chords in ten plans"


@pytest.mark.parametrize("prompt", ["a classical piece in D major for piano, 3 bars",
                                    "a heartfelt pop ballad in C with piano, 2 bars"])
def test_a_piece_shorter_than_a_phrase_keeps_its_chords_on_their_roots(prompt: str) -> None:
    """Two or three bars have no inside to a phrase: every chord stands on its root."""
    for seed in range(1, 13):
        chords, _, _ = _plan(prompt, seed)
        assert not any(map(_inverted, chords)), (seed, [c.symbol for c in chords])


@pytest.mark.parametrize("prompt", CLASSICAL)
def test_the_bass_line_leaves_the_chords_and_the_draws_after_them_alone(prompt: str) -> None:
    """The same seed gives the same chord roots with or without the bass figures, and the plan's generator ends
    in the same state (the melody drawn next from it is the same tune)."""
    spec = dataclasses.replace(parse(prompt, RULES_ONLY), seed=3)
    style = style_for(spec.genre)
    for seed in range(1, 9):
        figured_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        figured = prog.functional(spec, style, figured_rng)
        plain = prog._functional_phrases(spec, style, plain_rng, 4, tables.FUNCTIONS)
        assert [[(s.degree, s.shift) for s in bar] for bar in figured] == \
            [[(s.degree, s.shift) for s in bar] for bar in plain]
        assert figured_rng.integers(1 << 30) == plain_rng.integers(1 << 30)


def test_figure_bass_keeps_the_opening_and_the_cadence() -> None:
    """A phrase I IV ii V7 I: the first I, the cadence V7 and the I after it stay; only IV and ii may turn; with
    ii's figures forced (ii6 only) the ii is ii6."""
    figures = {"I": ("I6",), "IV": ("IV6",), "ii": ("ii6",), "V7": ("V65",)}
    out = prog.figure_bass(["I", "IV", "ii", "V7", "I"], figures, np.random.default_rng(0), cadence=3)
    assert out == ["I", "IV6", "ii6", "V7", "I"]
    inner = prog.figure_bass(["I", "V7", "I", "IV", "V7"], figures, np.random.default_rng(0), cadence=4)
    assert inner == ["I", "V65", "I", "IV6", "V7"]  # V6/5 into a root-position I; IV6 before the half close
