"""Golden remix instructions (tests/prompts/edit/golden_edits.jsonl) and the edit language's own rules.

Each golden line names a parent prompt (parsed with the rules only), an instruction, and the Spec fields
and EditPlan fields it must produce, or the words its EditError must contain. All failures are reported
in one assertion so a change to a reader shows its whole effect at once.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from prompts import ParseConfig, ParseError, Spec, parse
from prompts.edit.language import (
    EXAMPLES,
    Edit,
    EditError,
    EditPlan,
    apply_edits,
    parse_edits,
    read_instruction,
)
from prompts.edit.words import correct_typos
from tests.prompts.test_golden import mismatches

HERE = Path(__file__).parent
RULES_ONLY = ParseConfig(use_encoder=False)
KINDS_COVERED = {"tempo", "key", "meter", "length", "instruments", "drums", "style", "mood", "density", "register",
                 "variation", "continuation", "harmonise"}


def load_cases() -> list[dict[str, Any]]:
    lines = (HERE / "golden_edits.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@cache
def parent_spec(prompt: str) -> Spec:
    return parse(prompt, RULES_ONLY)


def spec_mismatches(spec: Spec, edits: list[Edit], expect: dict[str, Any]) -> list[str]:
    """The golden prompts' checker for the Spec fields, plus the edit kinds read from the instruction."""
    rest = {key: want for key, want in expect.items() if key != "kinds"}
    problems = mismatches(spec, rest, approx_floats=True)
    kinds = [edit.kind for edit in edits if edit.kind != "note"]
    if "kinds" in expect and kinds != expect["kinds"]:
        problems.append(f"kinds: expected {expect['kinds']!r}, got {kinds!r}")
    return problems


def plan_mismatches(plan: EditPlan, expect: dict[str, Any]) -> list[str]:
    data = plan.to_dict()
    problems = []
    for key, want in expect.items():
        if key == "notes_has":
            ok, got = any(want in note for note in plan.notes), plan.notes
        elif key == "summary_has":
            ok, got = any(want in line for line in plan.summary), plan.summary
        else:
            got = data[key]
            ok = got == want
        if not ok:
            problems.append(f"plan.{key}: want {want!r}, got {got!r}")
    return problems


def check_case(case: dict[str, Any]) -> list[str]:
    parent = parent_spec(case["parent"])
    try:
        edits = parse_edits(case["instruction"], parent)
        spec, plan = apply_edits(parent, edits)
    except EditError as exc:
        if "error" in case and case["error"] in str(exc):
            return []
        return [f"unexpected EditError: {exc}"]
    if "error" in case:
        return [f"expected an EditError containing {case['error']!r}; got {plan.summary} {plan.notes}"]
    return spec_mismatches(spec, edits, case["expect"]) + plan_mismatches(plan, case["plan"])


def test_golden_edits() -> None:
    cases = load_cases()
    assert len(cases) >= 80
    failures = []
    for case in cases:
        problems = check_case(case)
        if problems:
            failures.append(f"{case['parent']!r} + {case['instruction']!r}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} of {len(cases)} golden edits failed:\n" + "\n".join(failures)


def test_golden_edits_cover_every_kind() -> None:
    seen: set[str] = set()
    for case in load_cases():
        if "error" in case:
            continue
        seen |= {edit.kind for edit in parse_edits(case["instruction"], parent_spec(case["parent"]))}
    assert KINDS_COVERED <= seen, f"kinds without a golden case: {sorted(KINDS_COVERED - seen)}"


def test_unreadable_instruction_lists_examples() -> None:
    with pytest.raises(EditError) as caught:
        parse_edits("asdf qwerty", parent_spec("jazz in C major at 120 bpm, 8 bars"))
    message = str(caught.value)
    assert sum(example in message for example in EXAMPLES) >= 4
    assert isinstance(caught.value, ParseError) and isinstance(caught.value, ValueError)


def test_edit_error_for_non_text_and_overlong_input() -> None:
    parent = parent_spec("jazz in C major at 120 bpm, 8 bars")
    with pytest.raises(EditError, match="must be text"):
        parse_edits(42, parent)  # type: ignore[arg-type]
    with pytest.raises(EditError, match="at most 1000"):
        parse_edits("faster " * 200, parent)


def test_seed_prompt_and_parent_are_kept() -> None:
    parent = Spec.from_dict({**parent_spec("jazz in C major at 120 bpm, 8 bars").to_dict(), "seed": 1234})
    spec, plan = apply_edits(parent, parse_edits("faster and add strings", parent))
    assert spec.seed == 1234 and not plan.new_seed
    assert spec.prompt.startswith(parent.prompt) and "faster" in spec.prompt
    assert parent.tempo_bpm == 120 and len(parent.instruments) == 3


def test_style_defaults_do_not_become_explicit() -> None:
    """A later style change must still be free to update what the first one only inferred."""
    parent = parent_spec("happy pop song")
    bossa, _ = apply_edits(parent, parse_edits("make it bossa nova", parent))
    march, plan = apply_edits(bossa, parse_edits("make it a march", bossa))
    assert march.time_signature == "2/4" and plan.regenerate
    assert "time_signature" not in march.explicit and "genre" in march.explicit


def test_notes_reach_the_spec() -> None:
    parent = parent_spec("jazz in C major at 120 bpm, 8 bars")
    spec, plan = apply_edits(parent, parse_edits("at 999 bpm", parent))
    assert spec.tempo_bpm == 400 and spec.notes == tuple(plan.notes) and plan.notes


def test_edits_round_trip_as_json() -> None:
    parent = parent_spec("piano and violin in D minor at 90 bpm, 16 bars")
    edits = parse_edits("swap the violin for a cello, up a fifth, vary bars 3-4", parent)
    again = [Edit(**json.loads(json.dumps(edit.to_dict()))) for edit in edits]
    assert apply_edits(parent, again)[0] == apply_edits(parent, edits)[0]
    assert json.dumps(apply_edits(parent, edits)[1].to_dict())


def test_typo_repair_leaves_real_words_alone() -> None:
    text, notes = correct_typos("make the piano slower and add a cello")
    assert text == "make the piano slower and add a cello" and notes == []
    fixed, notes = correct_typos("slowr please")
    assert fixed.startswith("slower") and notes


def test_server_limit_on_bars() -> None:
    parent = parent_spec("jazz in C major at 120 bpm, 8 bars")
    with pytest.raises(EditError, match="at most 16 bars"):
        parse_edits("make it 24 bars", parent, max_bars=16)


def test_read_instruction_is_the_one_application_that_validates() -> None:
    """The remix path reads an instruction once: the Spec and plan it gets are what parse_edits + apply_edits
    give, and it refuses exactly what parse_edits refuses (at the caller's bar limit)."""
    for case in load_cases():
        parent = parent_spec(case["parent"])
        try:
            expected = apply_edits(parent, parse_edits(case["instruction"], parent))
        except EditError as exc:
            with pytest.raises(EditError, match=re.escape(str(exc))):
                read_instruction(case["instruction"], parent)
            continue
        spec, plan = read_instruction(case["instruction"], parent)
        assert (spec, plan.to_dict()) == (expected[0], expected[1].to_dict()), case["instruction"]
    with pytest.raises(EditError, match="at most 16 bars"):
        read_instruction("make it 24 bars", parent_spec("jazz in C major at 120 bpm, 8 bars"), max_bars=16)
