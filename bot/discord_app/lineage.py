"""A remix tree for people on Discord: an indented outline, a picture, and a per-person limit on asking.

Both views come from `bot.lineage.layout` (one bounded, iterative layout of the neighbourhood of the
asked-about piece); the picture is drawn by `lineage_png` in a worker process, never in the event loop.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from discord.utils import escape_markdown

from bot.discord_app.embeds import mention
from bot.discord_app.limits import Refusal
from bot.lineage import Caps, Member, entries, layout, lineage_picture, shown_authors

MAX_LINES = 25
OUTLINE = Caps(ancestors=4, siblings=3, children=4, below=2, nodes=12)
"""The outline's share of a tree: rows <= 2 * nodes + 2, cut at MAX_LINES (an embed holds 4,096 characters)."""
LINEAGE_PER_WINDOW = 4
LINEAGE_WINDOW_S = 60.0
"""Lineage answers a person may ask for in a sliding window (each draws a picture in a worker)."""

__all__ = ["OUTLINE", "LineageLimiter", "entries", "lineage_png", "lineage_text", "shown_authors"]


def lineage_text(tree: Iterable[Member], focus: str) -> str:
    """The tree as an outline, one line per piece with who made it; the asked-for piece is marked."""
    lines: list[str] = []
    for node in layout(tree, focus, OUTLINE)[:MAX_LINES]:
        indent = f"{'  ' * node.depth}{'└ ' if node.depth else ''}"
        if node.is_marker:
            lines.append(f"{indent}*{node.ask}*")
            continue
        mark = " ◀" if node.id == focus else ""
        who = mention(node.author) if node.author else "someone"
        prompt = escape_markdown(node.ask.split(" | ")[-1][:50])
        lines.append(f"{indent}`{node.id}` {who}: {prompt}{mark}")
    return "\n".join(lines)


def lineage_png(tree: Iterable[Member], focus: str, names: Mapping[str, str]) -> bytes:
    """The tree as a PNG picture; `names` maps author ids to display names.

    Module-level and given plain records, so `WorkerPool.call` can run it in a worker process."""
    return lineage_picture(tree, focus, names)


class LineageLimiter:
    """At most `per_window` lineage answers per person in any `window_s` seconds, counted in memory.

    Lineage is not a job (nothing is composed or stored), so the durable job-based `RateLimiter` does not
    see it; this stops one person from keeping the workers busy drawing trees. A restart forgives."""

    def __init__(self, per_window: int = LINEAGE_PER_WINDOW, window_s: float = LINEAGE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_window = per_window
        self.window_s = window_s
        self._clock = clock
        self._asked: dict[str, deque[float]] = {}

    def check(self, user_id: str) -> Refusal | None:
        """None (and the request counted) if this person may ask now; otherwise when to come back."""
        now = self._clock()
        if len(self._asked) > 10_000:  # forget everyone whose window has passed (bounded memory)
            self._asked = {u: q for u, q in self._asked.items() if q and q[-1] > now - self.window_s}
        asked = self._asked.setdefault(user_id, deque())
        while asked and asked[0] <= now - self.window_s:
            asked.popleft()
        if len(asked) >= self.per_window:
            wait_s = max(1, round(asked[0] + self.window_s - now))
            return Refusal(f"You have asked for {len(asked)} lineage trees in the last {self.window_s:g} s, "
                           f"the most Motif draws per person. Try again in about {wait_s} s.")
        asked.append(now)
        return None
