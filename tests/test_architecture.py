"""Dependencies point one way (design.md section 1): checked by scanning every import in the packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "prompts": {"composer", "storage", "bot", "discord", "aiosqlite"},
    "composer": {"storage", "bot", "discord", "aiosqlite"},
    "storage": {"composer", "bot", "discord", "torch", "transformers"},
    "bot": set(),
}


def imported_roots(path: Path) -> set[str]:
    """Top-level module names a file imports (absolute imports only; the packages use no relative ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_only_bot_knows_discord() -> None:
    users = [
        path.relative_to(ROOT)
        for package in ("prompts", "composer", "storage")
        for path in (ROOT / package).rglob("*.py")
        if "discord" in imported_roots(path)
    ]
    assert not users, users
