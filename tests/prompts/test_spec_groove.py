"""Spec.groove: the MMA groove a prompt's free words chose, checked as a name, kept through dicts and edits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from prompts.edit.language import read_instruction
from prompts.spec import Instrument, Spec


def test_a_groove_round_trips_and_defaults_to_none() -> None:
    assert Spec().groove is None and Spec.from_dict({}).groove is None
    spec = Spec(genre="jazz", groove="SlowJazz1Walk")
    assert spec.to_dict()["groove"] == "SlowJazz1Walk" and Spec.from_dict(spec.to_dict()) == spec
    assert replace(spec, groove=None) != spec  # the groove is part of what the Spec asks for


@pytest.mark.parametrize("bad", ["", "slow jazz", "x" * 65, "../grooves", 5])
def test_a_groove_is_a_name(bad: object) -> None:
    with pytest.raises(ValueError, match="groove"):
        Spec(groove=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="groove"):
        Spec.from_dict({"groove": bad})


def test_an_edit_that_keeps_the_genre_keeps_the_groove() -> None:
    spec = Spec(prompt="smoky late-night lounge", genre="jazz", tempo_bpm=104, drums=True, groove="SlowJazz",
                instruments=(Instrument("Tenor Sax", 66, "melody"), Instrument("Acoustic Bass", 32, "bass")))
    faster, _ = read_instruction("make it faster", spec, 64)
    assert faster.tempo_bpm > spec.tempo_bpm and faster.groove == "SlowJazz"
