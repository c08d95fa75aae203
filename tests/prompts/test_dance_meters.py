"""A dance whose name is its meter sets the meter (the listening review heard "a baroque minuet" in 4/4), and a
meter the user writes still wins; the dance word still names the genre."""

from __future__ import annotations

import pytest

from prompts.parse import parse
from prompts.words.timing import DANCE_METERS


@pytest.mark.parametrize(("prompt", "meter", "genre"), [
    ("a baroque minuet in G for harpsichord, 16 bars", "3/4", "baroque"),
    ("a classical minuet", "3/4", "classical"),
    ("a sarabande in D minor", "3/4", None),
    ("a gigue for violin", "6/8", "jig"),
    ("a minuet in 4/4", "4/4", "classical"),
    ("baroque music in G", "4/4", "baroque"),
])
def test_dance_words_set_their_meter(prompt: str, meter: str, genre: str | None) -> None:
    spec = parse(prompt)
    assert (spec.time_signature, spec.genre) == (meter, genre)


def test_every_dance_meter_is_one_motif_writes() -> None:
    from prompts.spec import TIME_SIGNATURES

    assert set(DANCE_METERS.values()) <= set(TIME_SIGNATURES)
