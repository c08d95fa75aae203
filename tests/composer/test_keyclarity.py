"""Harmony plans are chosen to establish the requested key, measured as the output checks hear it."""

from __future__ import annotations

import numpy as np

from composer.generate import plan_clear_harmony
from composer.keyclarity import clarity, key_correlations, says_key
from composer.piece import Chord
from composer.styles import style_for
from prompts.spec import Spec


def test_profiles_find_plain_keys() -> None:
    c_major = np.array([6, 0, 3, 0, 4, 3, 0, 5, 0, 3, 0, 1], dtype=float)
    scores = key_correlations(c_major)
    assert max(scores, key=scores.get) == (0, "major")


def test_modal_collection_counts_as_the_key() -> None:
    spec = Spec(tonic="E", mode="phrygian")
    assert says_key((0, "major"), spec)  # E phrygian has C major's notes
    assert not says_key((7, "major"), spec)


def test_dominant_heavy_plan_is_not_clear_but_chosen_plans_are() -> None:
    spec = Spec(tonic="Eb", mode="major", genre="neo_soul", bars=8)
    dominant_heavy = [Chord(i * 4.0, 4.0, 10 if i % 2 else 5, "7" if i % 2 else "m7", "x") for i in range(7)]
    dominant_heavy.append(Chord(28.0, 4.0, 3, "maj7", "Ebmaj7"))
    assert not clarity(dominant_heavy, spec)[0]
    for seed in range(20):
        chords = plan_clear_harmony(spec, style_for("neo_soul"), np.random.default_rng(seed))
        ok, margin = clarity(chords, spec)
        assert ok and margin > 0, [c.symbol for c in chords]
