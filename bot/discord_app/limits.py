"""Per-user and per-server rate limits (sliding one-hour windows) with refusals a person can act on.

The limits themselves live in `GuildSettings` (rate_per_user_per_hour, rate_per_guild_per_hour); this
counts accepted requests in memory, so a restart forgives the last hour (the queue itself is durable).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from storage import GuildSettings

WINDOW_S = 3600.0


@dataclass(frozen=True)
class Refusal:
    """Why a request was not accepted, in words for the person who asked."""

    message: str


class RateLimiter:
    """Sliding-window counters keyed by user and by server."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        return hits

    def check(self, user_id: str, guild_id: str | None, settings: GuildSettings) -> Refusal | None:
        """Count this request if both limits allow it; otherwise say which limit and when to come back."""
        now = self._clock()
        mine = self._recent(f"user:{user_id}", now)
        if len(mine) >= settings.rate_per_user_per_hour:
            wait_min = max(1, round((mine[0] + WINDOW_S - now) / 60))
            return Refusal(f"You have asked for {len(mine)} pieces in the last hour, this server's limit per person."
                           f" Try again in about {wait_min} min.")
        server = self._recent(f"guild:{guild_id}", now) if guild_id is not None else None
        if server is not None and len(server) >= settings.rate_per_guild_per_hour:
            wait_min = max(1, round((server[0] + WINDOW_S - now) / 60))
            return Refusal(f"This server has used its {settings.rate_per_guild_per_hour} pieces for the hour."
                           f" Try again in about {wait_min} min.")
        mine.append(now)
        if server is not None:
            server.append(now)
        return None
