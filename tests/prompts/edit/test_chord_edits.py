"""Chord edits in remixes (tests/prompts/edit/golden_chord_edits.jsonl): a progression set in symbols, Roman
numerals or by name (in the parent's key), the harmonic rhythm, the chords' colour, and "keep the chords";
each keeps what it does not name. The lines have the format of golden_edits.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prompts.edit.types import recolour
from tests.prompts.edit.test_edits import check_case, parent_spec

HERE = Path(__file__).parent
CASES = [json.loads(line) for line in (HERE / "golden_chord_edits.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[case["instruction"] for case in CASES])
def test_golden_chord_edit(case: dict) -> None:
    problems = check_case(case)
    assert not problems, f"{case['parent']!r} + {case['instruction']!r}: " + "; ".join(problems)


def test_richer_keeps_roots_and_makes_dominants() -> None:
    assert recolour(("C", "Dm", "G", "Bdim", "D"), "C", "major", "richer") == ("Cmaj7", "Dm7", "G7", "Bm7b5", "D7")
    assert recolour(("Dm", "Bb", "A", "C/E"), "D", "minor", "richer") == ("Dm7", "Bbmaj7", "A7", "C7/E")
    assert recolour(("Cmaj9", "G7", "Am7", "Bm7b5"), "C", "major", "triads") == ("C", "G", "Am", "Bdim")


def test_words_of_chord_edits_are_not_typo_repaired() -> None:
    spec = parent_spec("jazz in C major at 120 bpm, 8 bars")
    from prompts.edit.language import read_instruction

    _, plan = read_instruction("reharmonize it jazzier", spec)
    assert plan.chords_from_parent == "richer" and not any("read '" in note for note in plan.notes)
