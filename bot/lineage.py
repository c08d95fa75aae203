"""A generation's family tree of remixes, as text (rich) and as a picture (matplotlib), with who made each
step and what they asked for. Used by `motif lineage`, the console chat and the Discord bot.

A tree may hold thousands of generations (a chain of 1,100 remixes, 2,000 remixes of one piece), so what
is shown is the neighbourhood of the asked-about generation, bounded by `Caps`: its ancestors (the root
and the nearest few), its siblings and a few levels of its descendants. Whatever is left out is counted
in marker rows ("+1,994 more", "… 1,092 more between"), so the numbers always add up to the
whole tree. Every walk is iterative, so no depth of tree reaches Python's recursion limit, and the
picture's pixel size is bounded because the rows and depth drawn are.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.markup import escape
from rich.tree import Tree

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABEL_CHARS = 38
ROW_IN, INDENT_IN, LABEL_IN, DPI = 0.42, 0.45, 3.3, 100
"""Picture geometry: inches per row, per level of depth, for a label; dots per inch."""
MAX_PICTURE_PX = 3200
"""Neither side of a lineage picture is larger (a bound the caps already keep; this is the backstop)."""


class Member(Protocol):
    """What the tree needs of a stored generation (a `Generation` or a `GenerationSummary`)."""

    @property
    def id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def prompt(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """A generation as a tree needs it (no MIDI, no spec): small and picklable, so a tree of thousands can be
    sent to a worker process to be drawn."""

    id: str
    parent_id: str | None
    author: str | None
    prompt: str
    created_at: datetime


@dataclass(frozen=True)
class Caps:
    """How much of a tree is shown around the focused generation (the rest is counted in markers)."""

    ancestors: int = 6
    """Nearest ancestors shown (the root is always shown too)."""
    siblings: int = 4
    """Other children of the focus's parent shown, nearest in time."""
    children: int = 6
    """Children shown per generation below the focus."""
    below: int = 3
    """Levels of descendants shown below the focus."""
    nodes: int = 30
    """Generations shown in all (if at least ancestors + siblings + 2); with at most one marker per shown
    generation, one for other roots and one gap marker, rows <= 2 * nodes + 2."""


DRAWN = Caps()


@dataclass(frozen=True)
class Node:
    """One row of the shown tree: a generation, or a marker standing for `hidden` generations left out.

    `id` is the generation id (a marker's is a key starting with "…"), `parent_id` the row it hangs
    from (None at the top), `author` the author id ("" when unknown), `depth` and `row` its place.
    """

    id: str
    parent_id: str | None
    author: str
    ask: str
    depth: int
    row: int
    hidden: int = 0

    @property
    def is_marker(self) -> bool:
        return self.hidden > 0


@dataclass
class _Family:
    """The tree as maps: children by creation time, in-set parents, and the size of every reachable subtree."""

    by_id: dict[str, Member]
    kids: dict[str | None, list[str]]
    parent: dict[str, str | None]
    size: dict[str, int]


def _family(members: Iterable[Member]) -> _Family:
    """Children lists and subtree sizes; a parent outside the set makes a root; cycles are unreachable."""
    by_id = {m.id: m for m in members}
    kids: dict[str | None, list[str]] = {}
    parent: dict[str, str | None] = {}
    for m in sorted(by_id.values(), key=lambda m: m.created_at):
        up = m.parent_id if m.parent_id in by_id and m.parent_id != m.id else None
        parent[m.id] = up
        kids.setdefault(up, []).append(m.id)
    order: list[str] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        gen_id = stack.pop()
        order.append(gen_id)
        stack.extend(reversed(kids.get(gen_id, [])))
    size = dict.fromkeys(order, 1)
    for gen_id in reversed(order):
        up = parent[gen_id]
        if up is not None:
            size[up] += size[gen_id]
    return _Family(by_id, kids, parent, size)


def _path(family: _Family, focus: str) -> list[str]:
    """Root .. focus, by parent links."""
    path = [focus]
    while (up := family.parent[path[-1]]) is not None:
        path.append(up)
    return path[::-1]


def _nearest(group: list[str], focus: str, count: int) -> list[str]:
    """`focus` and the `count` members of `group` nearest to it in order, in their order."""
    at = group.index(focus)
    chosen = sorted(range(len(group)), key=lambda i: (abs(i - at), i))[: count + 1]
    return [group[i] for i in sorted(chosen)]


def _choose(family: _Family, focus: str, caps: Caps) -> tuple[list[str], set[str]]:
    """(the full path root .. focus, every generation shown): the root, the nearest ancestors, the focus's
    nearest siblings and a few levels of its descendants; all of a tree of at most `caps.nodes`."""
    path = _path(family, focus)
    if len(family.size) <= caps.nodes:
        return path, set(family.size)
    kept = {path[0], *path[-(caps.ancestors + 1):]}
    kept.update(_nearest(family.kids[family.parent[focus]], focus, caps.siblings))
    level = [focus]
    for _ in range(caps.below):
        level = [c for gen_id in level for c in family.kids.get(gen_id, [])[: caps.children]]
        room = max(0, caps.nodes - len(kept))
        kept.update(level[:room])
        if room <= len(level):
            break
    return path, kept


@dataclass(frozen=True)
class _Marker:
    key: str
    hidden: int
    text: str


def _shown(family: _Family, path: list[str], kept: set[str]) -> dict[str | None, list[str | _Marker]]:
    """The shown tree: what hangs under each shown row (None: the top), markers counting what is left out.

    Where the path is cut, a gap marker after the root stands for the ancestors skipped (and everything
    that branches off them); the first shown ancestor after it hangs from the gap marker."""
    below: dict[str | None, list[str | _Marker]] = {}
    resumed = next((i for i in range(1, len(path)) if path[i] in kept), 0)
    for up in [None, *kept]:
        children = family.kids.get(up, [])
        entries: list[str | _Marker] = [c for c in children if c in kept]
        hidden = sum(family.size[c] for c in children if c not in kept)
        if up == path[0] and resumed > 1:
            skipped = family.size[path[1]] - family.size[path[resumed]]
            gap = _Marker(f"…gap:{up}", skipped, f"… {skipped:,} more between")
            entries.append(gap)
            below[gap.key] = [path[resumed]]
            hidden -= family.size[path[1]]
        if hidden > 0:
            entries.append(_Marker(f"…more:{up}", hidden, f"+{hidden:,} more"))
        below[up] = entries
    return below


def layout(members: Iterable[Member], focus: str | None = None, caps: Caps = DRAWN) -> list[Node]:
    """The rows to show: preorder (children by creation time) of the neighbourhood of `focus` (default:
    the oldest root), each shown generation followed by a marker counting its children left out."""
    family = _family(members)
    if not family.size:
        return []
    if focus not in family.size:
        focus = family.kids[None][0]
    below = _shown(family, *_choose(family, focus, caps))
    rows: list[Node] = []
    stack: list[tuple[str | _Marker, str | None, int]] = [(e, None, 0) for e in reversed(below[None])]
    while stack:
        entry, up, depth = stack.pop()
        if isinstance(entry, _Marker):
            rows.append(Node(entry.key, up, "", entry.text, depth, len(rows), entry.hidden))
            key = entry.key
        else:
            member = family.by_id[entry]
            rows.append(Node(member.id, up, member.author or "", member.prompt, depth, len(rows)))
            key = entry
        stack.extend((e, key, depth + 1) for e in reversed(below.get(key, [])))
    return rows


def entries(members: Iterable[Member]) -> list[Entry]:
    """`members` stripped to what the layout reads."""
    return [Entry(m.id, m.parent_id, m.author, m.prompt, m.created_at) for m in members]


def shown_authors(members: Iterable[Member], focus: str | None = None, caps: Caps = DRAWN) -> set[str]:
    """The author ids on the rows shown around `focus`: the only names worth looking up."""
    return {n.author for n in layout(members, focus, caps) if n.author}


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """One line of at most `limit` characters (whitespace collapsed, an ellipsis where it was cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_tree(generations: Iterable[Member], highlight: str | None = None) -> Tree:
    """A rich Tree: `id  author: "what they asked"`, the asked-about generation in bold green.

    Ids, names and prompts are escaped: a prompt is the user's text, and "[/]" in it is not markup."""
    root = Tree("[bold]lineage[/]")
    branches: dict[str | None, Tree] = {None: root}
    for node in layout(generations, highlight):
        if node.is_marker:
            label = f"[dim]{escape(node.ask)}[/]"
        else:
            label = f"{escape(node.id)}  {escape(node.author or 'someone')}: “{escape(short(node.ask, 60))}”"
            label = f"[bold green]{label}[/]" if node.id == highlight else label
        branches[node.id] = branches.get(node.parent_id, root).add(label)
    return root


def lineage_picture(generations: Iterable[Member], focus: str | None = None,
                    names: Mapping[str, str] | None = None) -> bytes:
    """A PNG of the shown tree: one box per row (id, who, what they asked), an elbow from parent to child.

    `names` maps author ids to display names. The size is bounded: at most `2 * DRAWN.nodes + 2` rows,
    a depth of `DRAWN.ancestors + DRAWN.below + 3`, and `MAX_PICTURE_PX` on either side."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    nodes = layout(generations, focus)
    names = names or {}
    depth = max((n.depth for n in nodes), default=0)
    width_in = min(INDENT_IN * depth + LABEL_IN + 0.4, MAX_PICTURE_PX / DPI)
    height_in = min(ROW_IN * len(nodes) + 0.4, MAX_PICTURE_PX / DPI)
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=DPI)
    try:
        _draw_rows(ax, nodes, focus, names)
        ax.set_xlim(-0.15, width_in - 0.25)
        ax.set_ylim(-(height_in - 0.4) / ROW_IN + 0.4, 0.6)
        ax.axis("off")
        fig.subplots_adjust(0, 0, 1, 1)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor="white")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _draw_rows(ax: Axes, nodes: Sequence[Node], focus: str | None, names: Mapping[str, str]) -> None:
    """Boxes at (depth * INDENT_IN, -row), elbows from just under the parent's box to each child."""
    by_id = {n.id: n for n in nodes}
    for node in nodes:
        x, y = node.depth * INDENT_IN, -node.row
        parent = by_id.get(node.parent_id or "")
        if parent is not None:
            px = parent.depth * INDENT_IN + 0.1
            ax.plot([px, px, x], [-parent.row - 0.3, y, y], color="#888888", linewidth=1, zorder=1)
        if node.is_marker:
            ax.text(x, y, node.ask, fontsize=8, va="center", ha="left", color="#555555", style="italic",
                    family="DejaVu Sans", parse_math=False)
            continue
        who = short(names.get(node.author, node.author or "someone"), 18)
        face = "#d8f0d8" if node.id == focus else "#f2f2f2"
        ax.text(x, y, f"{node.id} · {who}\n{short(node.ask)}", fontsize=7, va="center", ha="left", zorder=2,
                family="DejaVu Sans", parse_math=False,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": face, "edgecolor": "#666666"})


def draw_tree(generations: Iterable[Member], out_path: Path, highlight: str | None = None) -> Path:
    """Write `lineage_picture` of the tree around `highlight` to `out_path`."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(lineage_picture(generations, highlight))
    return out_path
