"""The style plan's chords outside the mode colour the melody (`composer.melody.sample.plan_colour`): the
committed model's line over a major loop with bVII may play its flat seventh there and nowhere else, never the
B or A that rub against it; over V in a minor loop it plays no natural seventh."""

from __future__ import annotations

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.melody.sample import melody_request, plan_colour
from composer.melody.source import chord_at
from composer.piece import Chord
from prompts.spec import Spec

MAJOR = Spec(prompt="a pop song in C", tonic="C", mode="major", time_signature="4/4", bars=8, seed=1, genre="pop")
BVII = [Chord(b * 4.0, 4.0, root, "maj", name) for b, (root, name) in
        enumerate([(0, "C"), (10, "Bb"), (5, "F"), (0, "C")] * 2)]
MINOR = Spec(prompt="a film cue in A minor", tonic="A", mode="minor", time_signature="4/4", bars=8, seed=1,
             genre="cinematic")
WITH_V = [Chord(b * 4.0, 4.0, root, quality, name) for b, (root, quality, name) in
          enumerate([(9, "min", "Am"), (5, "maj", "F"), (4, "maj", "E"), (9, "min", "Am")] * 2)]


@pytest.fixture(scope="module")
def model():
    return load_melody_source("model")


def test_the_colour_is_allowed_where_its_chord_sounds_and_its_rubs_are_not() -> None:
    request = melody_request(MAJOR, BVII, 0, allow_chromatic=False)
    assert 10 in request.allowed_pcs
    over_bvii = [pcs for start, end, pcs in request.avoid if start == 4.0]
    assert over_bvii == [frozenset({9, 11})], "A and B rub against Bb's chord; C, the tonic, does not"
    elsewhere = {pcs for start, _, pcs in request.avoid if start != 4.0 and start != 20.0}
    assert elsewhere == {frozenset({10})}, "the flat seventh only over its own chord"
    inside = [Chord(b * 4.0, 4.0, root, "maj", "x") for b, root in enumerate((0, 5, 7, 0))]
    plain = melody_request(MAJOR, inside, 0, allow_chromatic=False)
    assert plan_colour(plain, MAJOR, inside, 0) == plain and not plain.avoid


def test_the_line_plays_the_chords_colour(model) -> None:
    flats = 0
    for seed in range(4):
        notes = model.generate(MAJOR, BVII, np.random.default_rng(seed))
        for n in notes:
            chord = chord_at(BVII, n.start + 1e-6)
            assert chord is not None
            if n.pitch % 12 == 10:
                flats += 1
                assert chord.root_pc == 10, "Bb only over the Bb chord"
            if chord.root_pc == 10:
                assert n.pitch % 12 not in (9, 11), "no A or B against Bb"
    assert flats >= 1, "the chord's colour is heard: Bb over the Bb bars"


def test_no_natural_seventh_over_the_dominant_in_minor(model) -> None:
    shift = 0  # A minor is the model's own key
    request = melody_request(MINOR, WITH_V, shift, allow_chromatic=False)
    assert {pcs for start, _, pcs in request.avoid} == {frozenset({7})}
    for seed in range(3):
        for n in model.generate(MINOR, WITH_V, np.random.default_rng(seed)):
            chord = chord_at(WITH_V, n.start + 1e-6)
            if chord is not None and chord.root_pc == 4:
                assert n.pitch % 12 != 7, "G natural against E major's G#"
