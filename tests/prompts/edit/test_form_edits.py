"""Form edits in remixes (tests/prompts/edit/golden_form_edits.jsonl): "add a bridge", "repeat the chorus",
"add an intro / outro", "make it loop(able)", "key change up a tone at bar 9", "modulate up a semitone for the
last chorus"; each keeps what it does not name (`EditPlan.form_bars`: the parent's bar each child bar plays).
The lines have the format of golden_edits.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prompts.edit.language import read_instruction
from tests.prompts.edit.test_edits import check_case, parent_spec

HERE = Path(__file__).parent
CASES = [json.loads(line) for line in (HERE / "golden_form_edits.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[case["instruction"] + " / " + case["parent"] for case in CASES])
def test_golden_form_edit(case: dict) -> None:
    problems = check_case(case)
    assert not problems, f"{case['parent']!r} + {case['instruction']!r}: " + "; ".join(problems)


def test_key_change_splits_the_form_at_its_bar() -> None:
    spec, _ = read_instruction("key change up a tone at bar 9", parent_spec("a folk tune in G major, 16 bars"))
    assert [(s.name, s.bars, s.shift) for s in spec.form] == [("A", 8, 0), ("A", 8, 2)]
    song = parent_spec("a pop song in C major, verse and chorus")
    spec, _ = read_instruction("modulate up a semitone for the last chorus", song)
    assert [(s.name, s.shift) for s in spec.form] == [("verse", 0), ("chorus", 1)]
    spec, _ = read_instruction("key change down two semitones at bar 5", song)
    assert [(s.name, s.bars, s.shift) for s in spec.form] == [("verse", 4, 0), ("verse", 4, -2), ("chorus", 8, -2)]


def test_form_words_are_not_typo_repaired() -> None:
    _, plan = read_instruction("make it loopable", parent_spec("a folk tune in G major, 8 bars"))
    assert not any("read '" in note for note in plan.notes)
