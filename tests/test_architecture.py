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


def module_graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Which of a package's modules each of its modules imports: every import statement, those inside
    functions and under `TYPE_CHECKING` included (a circle through a type hint is still a circle)."""
    paths = {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (root / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import mod` imports the module; `from pkg import thing` the package.
                targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in paths else node.module
                            for a in node.names}
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None (depth-first search, colouring modules as it goes)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


@pytest.mark.parametrize("package", ["bot"])
def test_no_import_circles(package: str) -> None:
    cycle = find_cycle(module_graph(package))
    assert cycle is None, " -> ".join(cycle or [])
