"""A band style's rhythm section comes with the instruments the user names (issue: "grooves that sound like
their genre"): "bebop with alto sax and drums" gets the style's bass and piano, unless the user says solo,
"just", "only", or names a line-up of their own (three players, the drums counted: sax, bass and drums is a bebop
trio, guitar, bass and drums a power trio)."""

from __future__ import annotations

import pytest

from prompts import ParseConfig, parse

RULES_ONLY = ParseConfig(use_encoder=False)

CASES = [
    # prompt, the (role, program) set expected, whether a note says what was added
    ("bebop in F with alto sax and drums", {("melody", 65), ("bass", 32), ("chords", 0)}, True),
    # a named line-up that is the style's rhythm section: the drums count, nothing is added
    ("fast bebop in F with alto sax, walking bass and drums", {("melody", 65), ("bass", 32)}, False),
    ("rock with guitar, bass and drums", {("melody", 29), ("bass", 34)}, False),
    ("a 12-bar blues in G with electric guitar, bass and drums", {("melody", 27), ("bass", 33)}, False),
    ("a jazz tune for tenor sax, piano, bass and drums", {("melody", 66), ("chords", 0), ("bass", 32)}, False),
    ("jazz piano trio", {("melody", 0), ("bass", 32)}, False),
    ("rock with guitar and bass", {("melody", 29), ("bass", 34), ("chords", 30)}, True),
    ("a jazz tune in Bb for trumpet and tenor sax with drums", {("melody", 56), ("counter", 66), ("bass", 32),
                                                             ("chords", 0)}, True),
    ("a dramatic tango in A minor for bandoneon and violin", {("melody", 23), ("counter", 40), ("bass", 43),
                                                            ("chords", 0)}, True),
    ("a klezmer tune in D with clarinet and violin", {("melody", 71), ("counter", 40), ("bass", 58),
                                                    ("chords", 21)}, True),
    ("dark trap beat in C minor with 808 and synth lead", {("bass", 38), ("melody", 81), ("pad", 89)}, True),
    ("a slow jazz ballad for tenor sax and piano trio", {("melody", 66), ("chords", 0), ("bass", 32)}, False),
    ("rock with guitar, bass and keys", {("melody", 29), ("bass", 34), ("chords", 0)}, False),
    ("rock with guitar, no bass", {("melody", 29), ("chords", 30)}, True),
    ("just piano jazz", {("melody", 0)}, False),
    ("jazz for solo alto sax", {("melody", 65)}, False),
    ("a waltz for violin only", {("melody", 40)}, False),
    ("a lullaby for music box", None, None),
    ("a romantic piano nocturne in Db", None, None),
    ("a four-part chorale for organ", None, None),
]


@pytest.mark.parametrize(("prompt", "expected", "noted"), CASES, ids=[c[0] for c in CASES])
def test_the_named_instruments_get_the_styles_rhythm_section(prompt: str, expected: set | None,
                                                             noted: bool | None) -> None:
    spec = parse(prompt, RULES_ONLY)
    played = {(i.role, i.program) for i in spec.instruments}
    said = [n for n in spec.notes if "rhythm section" in n]
    if expected is None:  # a style that is no band keeps what was named
        assert len(spec.instruments) == 1 and not said, (played, said)
        return
    assert played == expected, played
    assert bool(said) == noted, said
