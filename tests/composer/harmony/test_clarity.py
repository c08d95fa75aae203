"""Harmony plans are chosen to establish the requested key, measured as the output checks hear it."""

from __future__ import annotations

import numpy as np

from composer.generate import plan_clear_harmony
from composer.harmony.clarity import clarity, key_correlations, piece_says_key, says_key
from composer.piece import Chord, Note, Piece, Track
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


def _piece(spec: Spec, pitches: list[int]) -> Piece:
    notes = [Note(p, float(i), 1.0, 80) for i, p in enumerate(pitches)]
    drums = Track("drums", 0, "drums", [Note(36, float(i), 0.5, 90) for i in range(len(pitches))], is_drum=True)
    return Piece(spec, [Track("lead", 0, "melody", notes), drums], [])


def test_piece_says_key_hears_every_pitched_part() -> None:
    c_major = [60, 64, 67, 72, 65, 69, 67, 64, 62, 67, 71, 74, 72, 67, 64, 60]
    assert piece_says_key(_piece(Spec(prompt="x", tonic="C", mode="major"), c_major))
    assert not piece_says_key(_piece(Spec(prompt="x", tonic="E", mode="major"), c_major))
    assert piece_says_key(_piece(Spec(prompt="x", tonic="D", mode="dorian"), c_major)), "same collection as C major"
    a_minor = [57, 60, 64, 69, 68, 69, 71, 72, 64, 62, 60, 59, 57, 64, 57, 45]
    assert piece_says_key(_piece(Spec(prompt="x", tonic="A", mode="minor"), a_minor))
