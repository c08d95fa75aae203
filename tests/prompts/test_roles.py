"""Roles come from the style and the instrument, not the order of the words (issue 13, section 2): a named sax,
trumpet, flute, violin or whistle leads, a band's keys and guitars comp when such a lead is there, a bass plays the
bass and never the lead, and with no melodic instrument named the first keyboard or guitar carries the tune."""

from __future__ import annotations

import pytest

from prompts import ParseConfig, parse
from prompts.resolve import lead_index, style_roles
from prompts.words.genres import GENRES

RULES_ONLY = ParseConfig(use_encoder=False)

CASES = [
    # prompt, {program: role} expected for the programs named
    ("salsa in C minor with piano montuno, trumpet and drums", {0: "chords", 56: "melody", 32: "bass"}),
    ("tight funk groove in E minor with slap bass, clavinet and drums", {36: "bass", 7: "melody"}),
    ("a slow romantic jazz ballad in Eb for tenor sax and piano trio", {66: "melody", 0: "chords", 32: "bass"}),
    ("a jazz tune with piano, guitar and alto sax", {65: "melody", 0: "chords", 26: "chords"}),
    ("a lively celtic reel in D for tin whistle and fiddle", {78: "melody", 40: "counter"}),
    ("a joyful gospel song in Ab with organ and choir", {52: "melody", 16: "chords"}),
    ("a dramatic tango in A minor for bandoneon and violin", {23: "melody", 40: "counter"}),
    ("a jazz tune in Bb for trumpet and tenor sax with drums", {56: "melody", 66: "counter"}),
    ("a bossa nova with nylon guitar and flute", {73: "melody", 24: "chords"}),
]


@pytest.mark.parametrize(("prompt", "expected"), CASES, ids=[c[0] for c in CASES])
def test_roles_follow_the_style_and_the_instrument(prompt: str, expected: dict[int, str]) -> None:
    spec = parse(prompt, RULES_ONLY)
    roles = {i.program: i.role for i in spec.instruments}
    assert {p: roles.get(p) for p in expected} == expected, roles
    assert sum(i.role == "melody" for i in spec.instruments) == 1, roles


@pytest.mark.parametrize("order", [((36, None), (7, None)), ((7, None), (36, None))])
def test_a_bass_never_leads_whoever_is_named_first(order: tuple) -> None:
    """A slap bass and a clavinet, in either order: the clavinet carries the riff, the bass plays the bass."""
    roles = {i.program: i.role for i in style_roles(list(order), GENRES["funk"])}
    assert roles == {36: "bass", 7: "melody"}


def test_the_lead_does_not_depend_on_the_naming_order() -> None:
    """Every order of a trumpet, a piano and a bass in salsa gives the trumpet the tune and the piano the montuno."""
    import itertools

    for order in itertools.permutations([(0, None), (56, None), (32, None)]):
        named = style_roles(list(order), GENRES["latin"])
        assert {i.program: i.role for i in named} == {56: "melody", 0: "chords", 32: "bass"}, order
        assert order[lead_index(list(order), GENRES["latin"])][0] == 56


def test_only_basses_named_leave_the_first_one_the_tune_and_no_genre_still_works() -> None:
    """The rule never fails: a lone bass still plays (the parser adds the style's lead before it elsewhere)."""
    assert [i.role for i in style_roles([(33, None)], None)] == ["melody"]
    assert [i.role for i in style_roles([(0, None), (40, None)], None)] == ["chords", "melody"]
