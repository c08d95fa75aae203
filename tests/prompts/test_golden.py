"""Golden prompts: what the rules must read from each, kept as data in golden_*.jsonl.

Each line checks only the fields it lists; every failing prompt is reported in one assertion so a change
to the lexicon shows its whole effect at once. The encoder is off here (rules and difflib only), so these
run fast and do not depend on the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prompts import ParseConfig, ParseError, Spec, parse

HERE = Path(__file__).parent
RULES_ONLY = ParseConfig(use_encoder=False)


def load(name: str) -> list[dict[str, Any]]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def mismatches(spec: Spec, expect: dict[str, Any], approx_floats: bool = False) -> list[str]:
    """Human-readable differences between a Spec and the expectations of one golden line (floats compared with
    pytest.approx when `approx_floats`, for values computed by edits such as 1.15x tempo factors)."""
    data = spec.to_dict()
    problems = []
    for key, want in expect.items():
        if key == "explicit_has":
            got: Any = sorted(set(want) - set(spec.explicit))
            ok = not got
        elif key == "explicit_not":
            got = sorted(set(want) & set(spec.explicit))
            ok = not got
        elif key == "explicit":
            got, ok = sorted(spec.explicit), set(want) == set(spec.explicit)
        elif key == "tempo_between":
            got, ok = spec.tempo_bpm, want[0] <= spec.tempo_bpm <= want[1]
        elif key == "tonic_in":
            got, ok = spec.tonic, spec.tonic in want
        elif key == "programs":
            got = [inst.program for inst in spec.instruments]
            ok = got == want
        elif key == "roles":
            got = [inst.role for inst in spec.instruments]
            ok = got == want
        elif key == "notes_contain":
            got, ok = list(spec.notes), any(want in note for note in spec.notes)
        elif approx_floats and isinstance(want, float):
            got, ok = data[key], data[key] == pytest.approx(want)
        else:
            got, ok = data[key], data[key] == want
        if not ok:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


def golden_failures(cases: list[dict[str, Any]]) -> list[str]:
    """One line per golden case whose prompt (read by the rules alone) raises or misses an expectation."""
    failures = []
    for case in cases:
        try:
            spec = parse(case["prompt"], RULES_ONLY)
        except ParseError as exc:
            failures.append(f"{case['prompt']!r}: raised ParseError({exc})")
            continue
        problems = mismatches(spec, case["expect"])
        if problems:
            failures.append(f"{case['prompt']!r}: " + "; ".join(problems))
    return failures


@pytest.mark.parametrize("name, at_least", [
    ("golden_prompts.jsonl", 170), ("words/golden_chords.jsonl", 100), ("words/golden_form.jsonl", 25),
])
def test_golden_prompts(name: str, at_least: int) -> None:
    """Every golden prompt reads as expected: the general set, the chord lists and the forms."""
    cases = load(name)
    assert len(cases) >= at_least
    failures = golden_failures(cases)
    assert not failures, f"{len(failures)} of {len(cases)} prompts of {name} failed:\n" + "\n".join(failures)


def test_golden_errors() -> None:
    failures = []
    for case in load("golden_errors.jsonl"):
        try:
            spec = parse(case["prompt"], RULES_ONLY)
        except ParseError as exc:
            if case["error_contains"] not in str(exc):
                failures.append(f"{case['prompt'][:40]!r}: message {exc!s} lacks {case['error_contains']!r}")
        else:
            failures.append(f"{case['prompt'][:40]!r}: parsed to {spec.to_dict()} instead of failing")
    assert not failures, "\n".join(failures)


def test_golden_covers_every_genre_and_mood() -> None:
    from prompts import GENRE_IDS, MOOD_IDS

    cases = load("golden_prompts.jsonl")
    genres = {case["expect"].get("genre") for case in cases}
    moods = {mood for case in cases for mood in case["expect"].get("moods", [])}
    assert set(GENRE_IDS) <= genres, sorted(set(GENRE_IDS) - genres)
    assert set(MOOD_IDS) <= moods, sorted(set(MOOD_IDS) - moods)


@pytest.mark.parametrize("max_bars", [4, 16])
def test_max_bars_is_configurable(max_bars: int) -> None:
    with pytest.raises(ParseError, match=f"at most {max_bars} bars"):
        parse(f"{max_bars + 1} bars", ParseConfig(max_bars=max_bars, use_encoder=False))
    assert parse("a long piece", ParseConfig(max_bars=max_bars, use_encoder=False)).bars <= max_bars
