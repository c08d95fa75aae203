"""One source for each fact (design.md section 5): the music facts live in `prompts.music`, the limits of a
request in `prompts.limits`, and no other module of the packages states them again.

The scans read every module's syntax tree, so a copy is found wherever it is written (a module constant, an
inline tuple in an `if`, a dataclass default, a Discord parameter's range).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from prompts import limits, music
from prompts.spec import MODES, TONICS, Spec

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("prompts", "composer", "bot", "storage")
MUSIC = ROOT / "prompts" / "music.py"
LIMITS = ROOT / "prompts" / "limits.py"
MODAL_NAMES = frozenset({"dorian", "phrygian", "lydian", "mixolydian", "locrian", "aeolian"})
"""The mode names that are not also everyday words ("major", "minor" are), so two of them mean a mode list."""
LIMIT_NAMES = frozenset({
    "max_bars", "max_chars", "max_prompt_chars", "min_tempo_bpm", "max_tempo_bpm", "min_bpm", "max_bpm",
    "fastest_bpm",
})
"""Names (in any case) that state a request limit when bound to a number."""
RESTATED_ON_PURPOSE = {"storage/settings.py": ("MIN_TEMPO_BPM", "MAX_TEMPO_BPM")}
"""Copies a module must keep: the store imports nothing of `prompts` (tests/storage/test_store_paths.py), so
it states the tempo range itself, and `test_the_store_keeps_the_same_tempo_range` holds the copies equal."""


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(nodes: list[ast.expr | None]) -> list[str] | None:
    """The strings of a literal's elements, or None when any element is something else."""
    values = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return values if len(values) == len(nodes) else None


def _numeric(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    return isinstance(node, ast.Tuple) and all(_numeric(e) for e in node.elts)


def _is_mode_list(names: list[str] | None) -> bool:
    return bool(names) and set(names) <= set(MODES) and len(set(names) & MODAL_NAMES) >= 2


def restated_modes(tree: ast.Module) -> list[int]:
    """Lines where a module lists modes: a tuple, list or set literal of mode names only (two or more of them
    modal), or a dict from mode names to numbers (a per-mode fact such as intervals or offsets). A table
    mapping words to modes ("dorian" -> "dorian" beside "natural minor" -> "minor") is vocabulary and
    passes, as does a per-mode table of Motif's own choices (progressions, colour chords)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and _is_mode_list(_strings(node.elts)):
            lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and _is_mode_list(_strings(node.keys)) \
                and all(_numeric(value) for value in node.values):
            lines.append(node.lineno)
    return lines


def _product(node: ast.expr) -> int | None:
    """The value of an expression made only of int literals multiplied together (`10 * 1024 * 1024`)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _product(node.left), _product(node.right)
        return None if left is None or right is None else left * right
    return None


def _ints(node: ast.AST) -> set[int]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is int}


def _bound_names(node: ast.Assign | ast.AnnAssign) -> list[tuple[str, ast.expr | None]]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    pairs: list[tuple[str, ast.expr | None]] = []
    for target in targets:
        if isinstance(target, ast.Name):
            pairs.append((target.id, node.value))
        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs += [(t.id, v) for t, v in zip(target.elts, node.value.elts, strict=False) if isinstance(t, ast.Name)]
    return pairs


def restated_limits(tree: ast.Module) -> list[str]:
    """Where a module states a request limit itself: `10 * 1024 * 1024`, a limit's name (MAX_BARS, max_chars,
    MIN_TEMPO_BPM...) bound to a number, or the tempo range 20..400 written out (a comparison, a `min`/`max`
    clamp, a Discord `Range[int, 20, 400]`)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and _product(node) == limits.ATTACHMENT_LIMIT_BYTES:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            found += [f"line {node.lineno}: {name} = {ast.unparse(value)}" for name, value in _bound_names(node)
                      if name.lower() in LIMIT_NAMES and value is not None and _numeric(value)]
        elif isinstance(node, ast.Compare | ast.Subscript) or (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max")):
            if {limits.MIN_TEMPO_BPM, limits.MAX_TEMPO_BPM} <= _ints(node):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_modes_are_listed_only_in_the_music_module() -> None:
    offenders = [f"{path.relative_to(ROOT)}: line {line}" for path, tree in modules() if path != MUSIC
                 for line in restated_modes(tree)]
    assert not offenders, "mode lists outside prompts/music.py:\n" + "\n".join(offenders)


def test_limits_are_stated_only_in_the_limits_module() -> None:
    offenders = []
    for path, tree in modules():
        name = path.relative_to(ROOT).as_posix()
        allowed = tuple(f": {limit} = " for limit in RESTATED_ON_PURPOSE.get(name, ()))
        if path != LIMITS:
            offenders += [f"{name}: {where}" for where in restated_limits(tree)
                          if not any(mark in where for mark in allowed)]
    assert not offenders, "request limits outside prompts/limits.py:\n" + "\n".join(offenders)


def test_the_store_keeps_the_same_tempo_range() -> None:
    from storage import settings

    assert (settings.MIN_TEMPO_BPM, settings.MAX_TEMPO_BPM) == (limits.MIN_TEMPO_BPM, limits.MAX_TEMPO_BPM)


@pytest.mark.parametrize("source, expected", [
    ('MINOR = ("minor", "dorian", "phrygian", "aeolian", "locrian")', 1),
    ('def f(m):\n    return m in {"dorian", "lydian"}', 1),
    ('OFFSET = {"major": 0, "dorian": 2, "phrygian": 4}', 1),
    ('WORDS = {"natural minor": "minor", "dorian": "dorian", "lydian": "lydian"}', 0),
    ('LOOPS = {"dorian": ["i IV"], "lydian": ["I II"]}', 0),
    ('FAMILIES = ("major", "minor")', 0),
])
def test_the_mode_scan_tells_lists_from_vocabulary(source: str, expected: int) -> None:
    assert len(restated_modes(ast.parse(source))) == expected


@pytest.mark.parametrize("source, expected", [
    ("LIMIT = 10 * 1024 * 1024", 1),
    ("MIN_TEMPO_BPM, MAX_TEMPO_BPM = 20, 400", 2),
    ("class C:\n    max_bars: int = 64", 1),
    ("ok = 20 <= bpm <= 400", 1),
    ("bpm = min(400, max(20, wanted))", 1),
    ("def f(t: Range[int, 20, 400]): ...", 1),
    ("MAX_OUTPUT_BYTES = 64 * 1024 * 1024\nmax_bars: int = limit", 0),
])
def test_the_limit_scan_finds_restated_limits(source: str, expected: int) -> None:
    assert len(restated_limits(ast.parse(source))) == expected


def test_the_mode_families_split_the_modes() -> None:
    """Every mode has exactly one third; the narrower families sit inside the wider ones."""
    assert set(music.MAJOR_THIRD_MODES) | set(music.MINOR_THIRD_MODES) == set(music.MODES)
    assert not set(music.MAJOR_THIRD_MODES) & set(music.MINOR_THIRD_MODES)
    assert set(music.TONAL_MINOR_MODES) < set(music.MINOR_THIRD_MODES)
    assert {"phrygian", "locrian"}.isdisjoint(music.TONAL_MINOR_MODES)
    assert set(music.MODAL_MODES) == set(music.MODES) - {"major", "minor", "aeolian"}
    for mode in music.MODES:
        third = music.MODE_INTERVALS[mode][2]
        assert (third == 4) == (mode in music.MAJOR_THIRD_MODES), mode


def test_the_tables_agree_with_each_other() -> None:
    """Rotating the parent major by MODE_ROTATION gives each mode's intervals; every name a tonic may have
    has a pitch class, and the spellings name the pitch class they stand for."""
    major = music.MODE_INTERVALS["major"]
    for mode, rotation in music.MODE_ROTATION.items():
        start = major.index(rotation)
        rotated = tuple((major[(start + i) % 7] - rotation) % 12 for i in range(7))
        assert rotated == music.MODE_INTERVALS[mode], mode
    assert set(music.MODE_ROTATION) == set(music.MODE_INTERVALS) == set(music.MODES)
    assert set(TONICS) <= set(music.PITCH_CLASSES)
    assert set(music.TONIC_RESPELLING) == set(music.PITCH_CLASSES) - set(TONICS)
    for table in (music.NOTE_NAMES_SHARP, music.NOTE_NAMES_FLAT, music.MAJOR_KEY_SPELLING, music.MINOR_KEY_SPELLING):
        assert [music.PITCH_CLASSES[name] for name in table] == list(range(12))
    for name, respelled in music.TONIC_RESPELLING.items():
        assert music.PITCH_CLASSES[name] == music.PITCH_CLASSES[respelled]


def test_the_limits_are_the_ones_every_check_uses() -> None:
    from prompts.parse import ParseConfig

    assert ParseConfig().max_bars == limits.MAX_BARS and ParseConfig().max_chars == limits.MAX_PROMPT_CHARS
    Spec(tempo_bpm=limits.MIN_TEMPO_BPM)
    Spec(tempo_bpm=limits.MAX_TEMPO_BPM)
    for bpm in (limits.MIN_TEMPO_BPM - 1, limits.MAX_TEMPO_BPM + 1):
        with pytest.raises(ValueError):
            Spec(tempo_bpm=bpm)
