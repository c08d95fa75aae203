"""Per-user and per-server rate limits (sliding one-hour windows) with refusals a person can act on.

The limits live in `GuildSettings` (rate_per_user_per_hour, rate_per_guild_per_hour); the counts come
from the durable jobs table (every accepted request is a job), so a restart forgives nothing. A job that
failed for good (its worker crashed, a fault of ours, a request that could not be made) is not counted:
nobody should lose an hour's allowance to an answer that was only an apology. On a shared queue (several
bot processes) `quota` makes the same limits binding inside the job's insert (`storage.quota`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import GuildSettings, Quota, Store
from storage.records import utc_now

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Refusal:
    """Why a request was not accepted, in words for the person who asked."""

    message: str


class RateLimiter:
    """Counts a user's and a server's accepted jobs of the last hour in the store (failed ones aside)."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self._clock = clock

    async def _wait_min(self, since: datetime, now: datetime, **scope: str) -> int:
        """Minutes until the oldest counted job leaves the window (at least 1)."""
        oldest = await self.store.oldest_job_since(since, include_failed=False, **scope)
        if oldest is None:
            return 1
        return max(1, round((oldest + WINDOW - now).total_seconds() / 60))

    async def check(self, user_id: str, guild_id: str | None, settings: GuildSettings) -> Refusal | None:
        """None if both limits allow one more request; otherwise which limit and when to come back.

        Call it just before the job is written (the caller serialises check and submit)."""
        now = self._clock()
        since = now - WINDOW
        by_user, by_guild = await self.store.window_counts(since, user_id, guild_id, include_failed=False)
        limits = [({"user_id": user_id}, by_user, settings.rate_per_user_per_hour,
                   "You have asked for {used} pieces in the last hour, this server's limit per person.")]
        if guild_id is not None and by_guild is not None:
            limits.append(({"guild_id": guild_id}, by_guild, settings.rate_per_guild_per_hour,
                           "This server has used its {limit} pieces for the hour."))
        for scope, used, limit, said in limits:
            if used >= limit:
                wait_min = await self._wait_min(since, now, **scope)
                return Refusal(f"{said.format(used=used, limit=limit)} Try again in about {wait_min} min.")
        return None

    def quota(self, guild_id: str | None, settings: GuildSettings) -> Quota:
        """The limits `check` applies, for the store to enforce atomically with the insert."""
        return Quota(self._clock() - WINDOW, settings.rate_per_user_per_hour,
                     settings.rate_per_guild_per_hour if guild_id is not None else None)
