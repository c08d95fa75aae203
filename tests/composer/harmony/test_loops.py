"""Looped major and minor harmony keeps the progression people expect: I-V-vi-IV stays I-V-vi-IV (the tonic was
once put on every other chord, so it became I-V-I-IV), while the modes' vamps still lean on their tonic."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from composer.harmony.plan import plan_harmony
from composer.harmony.tables import POP_LOOPS
from composer.styles import style_for
from composer.theory import tonic_pc
from prompts.music import PITCH_CLASSES, split_chord_symbol
from prompts.spec import Spec
from prompts.words.progressions import realise


def _roots(numerals: str, tonic: str, mode: str) -> tuple[int, ...]:
    return tuple(PITCH_CLASSES[split_chord_symbol(realise(n, tonic, mode))[0]] for n in numerals.split())


@pytest.mark.parametrize(("tonic", "mode", "family"), [("C", "major", "major"), ("E", "major", "major"),
                                                       ("A", "minor", "minor"), ("D", "minor", "minor")])
def test_pop_loops_are_played_as_written(tonic: str, mode: str, family: str) -> None:
    spec = Spec(prompt="pop", genre="pop", tonic=tonic, mode=mode, bars=8)
    style = dataclasses.replace(style_for("pop"), chords_per_bar=1.0)
    home = tonic_pc(tonic)  # a piece starts at home: vi-IV-I-V is heard I-IV-I-V the first time round
    loops = {(home, *_roots(loop, tonic, mode)[1:]): loop for loop in POP_LOOPS[family]}
    heard = set()
    for seed in range(40):
        chords = plan_harmony(spec, style, np.random.default_rng(seed))
        first_bars = tuple(c.root_pc for c in chords if c.start < 4 * spec.bar_quarters)
        assert first_bars in loops, f"seed {seed}: bars 1-4 play {[c.symbol for c in chords][:4]}, no loop of the style"
        heard.add(loops[first_bars])
    assert len(heard) >= 4, f"only {sorted(heard)} over 40 seeds"


def test_a_modal_vamp_still_leans_on_its_tonic() -> None:
    spec = Spec(prompt="rock", genre="rock", tonic="D", mode="mixolydian", bars=8)
    style = style_for("rock")
    for seed in range(10):
        chords = plan_harmony(spec, style, np.random.default_rng(seed))
        on_tonic = sum(c.duration for c in chords if c.root_pc == tonic_pc("D"))
        assert on_tonic / (8 * spec.bar_quarters) >= 0.5, [c.symbol for c in chords]
