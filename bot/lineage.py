"""A generation's family tree of remixes, as text (rich) and as a picture (matplotlib), with who made each
step and what they asked for. Used by `motif lineage`, the console chat and the Discord bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.tree import Tree

from storage import Generation

LABEL_CHARS = 38


@dataclass(frozen=True)
class Node:
    """One generation in the tree: id, parent, who, what they asked, depth and row for drawing."""

    id: str
    parent_id: str | None
    author: str
    ask: str
    depth: int
    row: int


def layout(generations: list[Generation]) -> list[Node]:
    """Depth-first order of a tree (children by creation time), one row per generation."""
    by_parent: dict[str | None, list[Generation]] = {}
    ids = {g.id for g in generations}
    for g in sorted(generations, key=lambda g: g.created_at):
        parent = g.parent_id if g.parent_id in ids else None
        by_parent.setdefault(parent, []).append(g)
    nodes: list[Node] = []

    def visit(g: Generation, depth: int) -> None:
        nodes.append(Node(g.id, g.parent_id, g.author or "someone", g.prompt, depth, len(nodes)))
        for child in by_parent.get(g.id, []):
            visit(child, depth + 1)

    for root in by_parent.get(None, []):
        visit(root, 0)
    return nodes


def short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_tree(generations: list[Generation], highlight: str | None = None) -> Tree:
    """A rich Tree: `id  author: "what they asked"`, the asked-about generation in bold."""
    nodes = layout(generations)
    root = Tree("[bold]lineage[/]")
    branches: dict[str, Tree] = {}
    for node in nodes:
        style = "bold green" if node.id == highlight else ""
        label = f"[{style}]{node.id}[/]  {node.author}: “{short(node.ask, 60)}”" if style else \
            f"{node.id}  {node.author}: “{short(node.ask, 60)}”"
        parent = branches.get(node.parent_id or "", root)
        branches[node.id] = parent.add(label)
    return root


def draw_tree(generations: list[Generation], out_path: Path, highlight: str | None = None) -> Path:
    """A PNG of the tree: one box per generation (id, author, instruction), lines from parent to child."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    nodes = layout(generations)
    by_id = {n.id: n for n in nodes}
    depth = max((n.depth for n in nodes), default=0)
    fig, ax = plt.subplots(figsize=(3.2 * (depth + 1) + 1, 0.75 * len(nodes) + 1), dpi=110)
    for node in nodes:
        x, y = node.depth * 3.2, -node.row
        parent = by_id.get(node.parent_id or "")
        if parent is not None:
            ax.plot([parent.depth * 3.2 + 0.1, parent.depth * 3.2 + 0.1, x], [-parent.row - 0.25, y, y],
                    color="#888888", linewidth=1, zorder=1)
        face = "#d8f0d8" if node.id == highlight else "#f2f2f2"
        ax.text(x, y, f"{node.id} · {short(node.author, 18)}\n{short(node.ask)}", fontsize=8, va="center",
                ha="left", zorder=2, family="DejaVu Sans",
                bbox={"boxstyle": "round,pad=0.3", "facecolor": face, "edgecolor": "#666666"})
    ax.set_xlim(-0.3, 3.2 * (depth + 1) + 0.5)
    ax.set_ylim(-len(nodes) + 0.4, 0.6)
    ax.axis("off")
    fig.tight_layout()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, facecolor="white")
    plt.close(fig)
    return out_path
