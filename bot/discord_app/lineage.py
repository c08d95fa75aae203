"""A remix tree for people: an indented text outline and a small picture (boxes joined parent to child)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.discord_app.embeds import mention
from storage import Generation

MAX_LINES = 25


def _children(tree: Sequence[Generation]) -> dict[str | None, list[Generation]]:
    kids: dict[str | None, list[Generation]] = {}
    for gen in tree:
        kids.setdefault(gen.parent_id, []).append(gen)
    return kids


def lineage_text(tree: Sequence[Generation], focus: str) -> str:
    """The tree as an outline, one line per piece with who made it; the asked-for piece is marked."""
    kids = _children(tree)
    lines: list[str] = []

    def walk(gen: Generation, depth: int) -> None:
        if len(lines) >= MAX_LINES:
            return
        mark = " ◀" if gen.id == focus else ""
        who = mention(gen.author) if gen.author else "someone"
        prompt = gen.prompt.split(" | ")[-1][:50]
        lines.append(f"{'  ' * depth}{'└ ' if depth else ''}`{gen.id}` {who}: {prompt}{mark}")
        for child in kids.get(gen.id, []):
            walk(child, depth + 1)

    for root in kids.get(None, []):
        walk(root, 0)
    if len(tree) > len(lines):
        lines.append(f"... and {len(tree) - len(lines)} more")
    return "\n".join(lines)


def _layout(tree: Sequence[Generation]) -> dict[str, tuple[float, float]]:
    """x = depth, y = leaf order (parents centred over their children)."""
    kids = _children(tree)
    places: dict[str, tuple[float, float]] = {}
    next_row = [0.0]

    def place(gen: Generation, depth: int) -> float:
        rows = [place(child, depth + 1) for child in kids.get(gen.id, [])]
        row = sum(rows) / len(rows) if rows else next_row[0]
        if not rows:
            next_row[0] += 1
        places[gen.id] = (float(depth), row)
        return row

    for root in kids.get(None, []):
        place(root, 0)
    return places


def lineage_png(tree: Sequence[Generation], focus: str, names: dict[str, str]) -> bytes:
    """The tree as a PNG picture; `names` maps author ids to display names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    places = _layout(tree)
    depth = max((x for x, _ in places.values()), default=0)
    rows = max((y for _, y in places.values()), default=0)
    fig, ax = plt.subplots(figsize=(2.6 * (depth + 1), 0.7 * (rows + 1) + 0.6), dpi=100)
    for gen in tree:
        if gen.parent_id in places and gen.id in places:
            (x0, y0), (x1, y1) = places[gen.parent_id], places[gen.id]
            ax.plot([x0, x1], [y0, y1], color="#999999", zorder=1)
    for gen in tree:
        if gen.id not in places:
            continue
        x, y = places[gen.id]
        who = names.get(gen.author or "", gen.author or "?")
        colour = "#5865f2" if gen.id == focus else "#e3e5e8"
        ax.text(
            x,
            y,
            f"{gen.id}\n{who}",
            ha="center",
            va="center",
            fontsize=8,
            zorder=2,
            color="white" if gen.id == focus else "black",
            bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "#4f545c"},
        )
    ax.set_xlim(-0.6, depth + 0.6)
    ax.set_ylim(rows + 0.6, -0.6)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
