"""Remix instrument edits and style changes give roles as a prompt naming that line-up in that genre would (issue 13,
section 2: a named piano in a trio comps, a named sax leads), through the one rule (`prompts.resolve.style_roles`);
a lead the user chose stays; a swap passes on the bass line, and the tune where the rule puts it."""

from __future__ import annotations

import pytest

from prompts import ParseConfig, Spec, parse
from prompts.edit.language import read_instruction

RULES_ONLY = ParseConfig(use_encoder=False)
JAZZ = "jazz in C major at 120 bpm, 8 bars"  # tenor sax melody, piano chords, upright bass


def remix(parent: Spec | str, *instructions: str) -> Spec:
    spec = parse(parent, RULES_ONLY) if isinstance(parent, str) else parent
    for instruction in instructions:
        spec, _ = read_instruction(instruction, spec)
    return spec


def roles(spec: Spec) -> dict[int, str]:
    return {inst.program: inst.role for inst in spec.instruments}


CASES = [
    # parent prompt, instruction, {program: role} expected
    ("a jazz tune in Bb for piano and bass", "add a tenor sax", {66: "melody", 0: "chords", 32: "bass"}),
    ("a salsa with piano", "add a trumpet", {56: "melody", 0: "chords", 32: "bass"}),
    (JAZZ, "add a trumpet", {66: "melody", 56: "counter", 0: "chords"}),
    (JAZZ, "only piano and trumpet", {0: "chords", 56: "melody"}),
    (JAZZ, "swap the piano for a trumpet", {66: "melody", 56: "counter", 32: "bass"}),
    (JAZZ, "swap the sax for a rhodes", {4: "melody", 0: "chords", 32: "bass"}),
    (JAZZ, "swap the bass for a cello", {66: "melody", 0: "chords", 42: "bass"}),
    ("a jazz tune in Bb for tenor sax, trumpet and piano", "swap the sax for a rhodes", {56: "melody", 4: "chords"}),
    ("a jazz tune in Bb for tenor sax, trumpet and piano", "remove the sax", {56: "melody", 0: "chords"}),
    ("a classical piece for solo piano", "add drums and bass", {0: "melody", 43: "bass"}),
    ("a jazz tune for tenor sax", "make it a jazz trio", {0: "melody", 32: "bass"}),
    (JAZZ, "let the piano lead", {0: "melody", 66: "counter", 32: "bass"}),
    (JAZZ, "the piano takes the melody", {0: "melody", 66: "counter"}),
    (JAZZ, "give the tune to the piano", {0: "melody", 66: "counter"}),
    (JAZZ, "play it on a flute", {73: "melody", 0: "chords", 32: "bass"}),
    (JAZZ, "add a square lead", {66: "melody", 80: "counter"}),
    ("a pop song in C with piano and choir", "make it gospel", {52: "melody", 0: "chords"}),
    ("a dramatic tango for bandoneon and violin", "make it jazz", {40: "melody", 23: "chords"}),
    ("a jazz tune for tenor sax and piano", "make it bossa nova", {66: "melody", 0: "chords"}),
]


@pytest.mark.parametrize(("parent", "instruction", "expected"), CASES, ids=[f"{c[0]} + {c[1]}" for c in CASES])
def test_edits_give_the_roles_of_the_style(parent: str, instruction: str, expected: dict[int, str]) -> None:
    spec = remix(parent, instruction)
    got = roles(spec)
    assert {p: got.get(p) for p in expected} == expected, got
    assert sum(inst.role == "melody" for inst in spec.instruments) == 1, got


SAME_AS_A_PROMPT = [
    # parent, instruction, a prompt naming the line-up the remix has, in its genre
    ("a jazz tune in Bb for piano and bass", "add a tenor sax", "a jazz tune in Bb for piano, bass and tenor sax"),
    ("a salsa with piano", "add a trumpet", "a salsa with piano, bass and trumpet"),
    (JAZZ, "only piano and trumpet", "jazz with piano and trumpet"),
    ("a pop song in C with piano and choir", "make it gospel", "a gospel song in C with piano and choir"),
    ("a dramatic tango for bandoneon and violin", "make it jazz", "a jazz tune for bandoneon and violin"),
    ("a pop song in C with piano", "make it bossa nova and add a flute", "a bossa nova with piano and flute"),
]


@pytest.mark.parametrize(("parent", "instruction", "prompt"), SAME_AS_A_PROMPT, ids=[c[1] for c in SAME_AS_A_PROMPT])
def test_a_remixed_line_up_has_the_roles_its_prompt_has(parent: str, instruction: str, prompt: str) -> None:
    """One rule for both: every part of the remix plays the role the same instrument gets from the prompt."""
    remixed, named = roles(remix(parent, instruction)), roles(parse(prompt, RULES_ONLY))
    assert remix(parent, instruction).genre == parse(prompt, RULES_ONLY).genre
    shared = [p for p in remixed if p in named]  # a rhythm section either side may differ in kind (tango's contrabass)
    assert len(shared) >= 2 and {p: named[p] for p in shared} == {p: remixed[p] for p in shared}, (remixed, named)
    assert "melody" in {remixed[p] for p in shared}, (remixed, named)


def test_a_lead_the_user_chose_stays_through_later_edits_and_styles() -> None:
    """The piano the user gave the tune over a sax keeps it when a trumpet joins and in bossa nova; once the
    piano goes, the rule's lead (the sax, the first melodic part) takes it back."""
    chosen = remix("a jazz tune for tenor sax and piano", "let the piano lead")
    for instruction in ("add a trumpet", "make it bossa nova", "swap the bass for a cello", "faster"):
        chosen = remix(chosen, instruction)
        assert roles(chosen)[0] == "melody", (instruction, roles(chosen))
    assert roles(chosen)[66] == "counter" and roles(chosen)[56] == "counter"
    after = roles(remix(chosen, "remove the piano"))
    assert after[66] == "melody" and after[56] == "counter", after


def test_a_swap_of_a_chosen_lead_passes_the_tune_on() -> None:
    """ "let the piano lead", then "swap the piano for a rhodes": the rhodes leads, though the rule alone
    would give the tune to the sax."""
    spec = remix("a jazz tune for tenor sax and piano", "let the piano lead", "swap the piano for a rhodes")
    assert roles(spec)[4] == "melody" and roles(spec)[66] == "counter", roles(spec)
