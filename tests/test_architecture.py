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
    return {name: _imports(path, paths) - {name} for name, path in paths.items()}


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


# -- Rooms by stage (design.md section 5): composer/ and prompts/ ----------------------------------------

PACKAGES = ("prompts", "composer", "storage", "bot")
ROOMS = ("composer", "prompts")
MAX_LOOSE_MODULES = 12
MAX_MODULE_LINES = 400
PROMPTS_FOR_COMPOSER = frozenset({
    "prompts.spec",               # the Spec, its instruments, modes, meters and MAX_PARTS
    "prompts.music",              # music facts: modes, their families, pitch classes, note names, chords
    "prompts.limits",             # limits of a request: tempo range, bars, parts, characters, sizes
    "prompts.words.instruments",  # General MIDI names
    "prompts.words.keys",         # how a tonic is spelled in a mode (Ab major, G# minor)
    "prompts.edit.types",         # the EditPlan a remix follows (data, no reading)
    "prompts.errors",             # UserError, the family of errors the user can fix
})
"""The only modules of `prompts` that `composer` may import: the Spec and music facts, never the readers."""
REQUEST_PATH = ("bot.studio", "bot.discord_app.worker")
"""Where every request starts: the studio (CLI, chat, Discord) and the Discord worker process."""


def all_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a file's import statements name (in functions and under TYPE_CHECKING too)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                        for a in node.names}
    return {target for target in targets if target in modules}


def project_graph() -> dict[str, set[str]]:
    """Module -> the project modules importing it runs: what it names, plus the `__init__` of every package
    above those that the importer is not inside (importing `composer.remix.parts` from `composer.lines` runs
    `composer/remix/__init__.py` first, so a circle through a package's exports is a circle too)."""
    modules = all_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for target in _imports(path, modules):
            edges.add(target)
            parts = target.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if not (name == package or name.startswith(package + ".")):
                    edges.add(package)
        graph[name] = edges - {name}
    return graph


def reachable(graph: dict[str, set[str]], starts: tuple[str, ...]) -> set[str]:
    seen, todo = set(starts), list(starts)
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("room", ROOMS)
def test_no_import_circles_in_the_rooms(room: str) -> None:
    """No circle among composer's or prompts' modules, counting package `__init__`s run on the way."""
    graph = project_graph()
    inside = {name: {t for t in targets if t.split(".")[0] == room}
              for name, targets in graph.items() if name.split(".")[0] == room}
    cycle = find_cycle(inside)
    assert cycle is None, " -> ".join(cycle or [])


def test_composer_takes_only_spec_and_music_facts_from_prompts() -> None:
    graph = project_graph()
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items() if name.split(".")[0] == "composer"
        for target in targets
        if target.split(".")[0] == "prompts" and target not in PROMPTS_FOR_COMPOSER | {"prompts", "prompts.words",
                                                                                         "prompts.edit"}
    )
    assert not offenders, "\n".join(offenders)


def test_the_request_path_never_imports_the_offline_pipeline() -> None:
    """Nothing a request can run (imports inside functions included) reaches `composer.learn`."""
    graph = project_graph()
    assert set(REQUEST_PATH) <= set(graph)
    learned = sorted(name for name in reachable(graph, REQUEST_PATH) if name.startswith("composer.learn"))
    assert not learned, learned


def test_only_offline_code_imports_the_offline_pipeline() -> None:
    allowed = ("composer.learn", "bot.cli.evaluation", "bot.cli.learn")
    users = sorted(
        name for name, targets in project_graph().items()
        if any(t == "composer.learn" or t.startswith("composer.learn.") for t in targets)
        and not any(name == a or name.startswith(a + ".") for a in allowed)
    )
    assert not users, users


@pytest.mark.parametrize("room", ROOMS)
def test_rooms_keep_few_loose_modules(room: str) -> None:
    loose = sorted(p.name for p in (ROOT / room).glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_MODULES, loose


@pytest.mark.parametrize("room", ROOMS)
def test_every_room_has_a_door(room: str) -> None:
    """Each subpackage has an `__init__` with a docstring saying what the room does."""
    missing = []
    for folder in sorted(p for p in (ROOT / room).iterdir() if p.is_dir() and any(p.glob("*.py"))):
        init = folder / "__init__.py"
        if not init.is_file() or ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) is None:
            missing.append(str(folder.relative_to(ROOT)))
    assert not missing, missing


@pytest.mark.parametrize("room", ROOMS)
def test_modules_stay_short(room: str) -> None:
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in (ROOT / room).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    )
    assert not long, long


def test_no_import_circles_across_the_packages() -> None:
    """The same across prompts, composer, storage and bot together (a circle may leave a room and come back)."""
    cycle = find_cycle(project_graph())
    assert cycle is None, " -> ".join(cycle or [])
