"""Rate limits over the jobs table: every accepted request is a job, so the counts are durable and shared by
every process and machine that uses the store.

`count_jobs_since` / `oldest_job_since` say how much of a window is used and when it frees a slot (for the
refusal's words). `Quota` makes the limit binding: `enqueue_job(quota=...)` counts and inserts in one
transaction under one lock per user and one per server (`admit`), so two bot replicas, or two shards,
accepting one person's requests at the same instant cannot both take the last slot. SQLite's single
writer already serialises that; on PostgreSQL the locks do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.backends import Connection
from storage.core import StoreCore
from storage.errors import StoreError
from storage.records import format_timestamp


@dataclass(frozen=True, slots=True)
class Quota:
    """At most `per_user` jobs of the user and `per_guild` of the server accepted since `since` (failed ones
    aside: an apology costs no allowance); None: no limit of that scope."""

    since: datetime
    per_user: int | None = None
    per_guild: int | None = None


class QuotaExceeded(StoreError):
    """A job was refused because a rate limit is full; `scope` is "user" or "guild"."""

    def __init__(self, scope: str, used: int, limit: int) -> None:
        super().__init__(f"the {scope} rate limit is full ({used} of {limit})")
        self.scope, self.used, self.limit = scope, used, limit


def _window(
    since: datetime, user_id: str | None, guild_id: str | None, include_failed: bool = True
) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause (and its parameters) of a rate-limit window; at least one scope is required."""
    if user_id is None and guild_id is None:
        raise StoreError("counting jobs needs a user_id, a guild_id or both")
    if not isinstance(since, datetime) or since.tzinfo is None:
        raise StoreError(f"since must be a timezone-aware datetime, got {since!r}")
    clauses, params = ["created_at >= ?"], [format_timestamp(since)]
    if not include_failed:
        clauses.append("state != 'failed'")
    for column, value in (("user_id", user_id), ("guild_id", guild_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), tuple(params)


def _counts(since: datetime, scopes: list[tuple[str, str]], include_failed: bool) -> tuple[str, tuple[str, ...]]:
    """One statement counting each (`"user"` or `"guild"`, id) window: one round trip however many scopes."""
    counts: list[str] = []
    params: list[str] = []
    for scope, value in scopes:
        where, scoped = _window(since, value if scope == "user" else None, value if scope == "guild" else None,
                                include_failed)
        counts.append(f"(SELECT count(*) FROM jobs WHERE {where})")
        params.extend(scoped)
    return "SELECT " + ", ".join(counts), tuple(params)


async def admit(conn: Connection, quota: Quota, user_id: str | None, guild_id: str | None) -> None:
    """Inside the transaction that has just inserted a new job: hold the user's and the server's locks
    (always in that order, so two admissions never wait on each other in a circle), then count both
    windows, the new job included, in one statement (its snapshot is taken after the locks, so it sees
    every admission that held them before) and raise `QuotaExceeded`, rolling the insert back, if either
    is over. The insert comes first so that the work done under the server's lock, which every admission
    there takes, is only this count and the commit. (A redelivered request inserts nothing and is never
    counted, so it finds its job rather than a refusal.)"""
    scopes = [(scope, value, limit) for scope, value, limit in
              (("user", user_id, quota.per_user), ("guild", guild_id, quota.per_guild))
              if value is not None and limit is not None]
    if not scopes:
        return
    await conn.lock(*(f"quota:{scope}:{value}" for scope, value, _ in scopes))  # one round trip for both
    sql, params = _counts(quota.since, [(scope, value) for scope, value, _ in scopes], include_failed=False)
    row = (await conn.fetch(sql, params))[0]
    for (scope, _, limit), used in zip(scopes, list(row), strict=True):
        if int(used) > limit:
            raise QuotaExceeded(scope, int(used) - 1, limit)


class QuotaMixin(StoreCore):
    """How much of a rate-limit window is used (see the module docstring)."""

    async def count_jobs_since(
        self, since: datetime, *, user_id: str | None = None, guild_id: str | None = None,
        include_failed: bool = True,
    ) -> int:
        """How many jobs (any state; without `include_failed`, not those that failed for good) were accepted
        at or after `since` for this user and/or server: durable rate-limit counting that survives a restart."""
        where, params = _window(since, user_id, guild_id, include_failed)
        rows = await self._read(f"SELECT count(*) FROM jobs WHERE {where}", params)
        return int(rows[0][0])

    async def window_counts(
        self, since: datetime, user_id: str, guild_id: str | None, *, include_failed: bool = True
    ) -> tuple[int, int | None]:
        """`count_jobs_since` for the user and for the server (None without one) in one read: the bot counts
        both before it accepts each request, and a burst of them queues on the store's one reader."""
        scopes = [("user", user_id)] + ([("guild", guild_id)] if guild_id is not None else [])
        sql, params = _counts(since, scopes, include_failed)
        row = list((await self._read(sql, params))[0])
        return int(row[0]), (int(row[1]) if guild_id is not None else None)

    async def oldest_job_since(
        self, since: datetime, *, user_id: str | None = None, guild_id: str | None = None,
        include_failed: bool = True,
    ) -> datetime | None:
        """When the oldest job counted by `count_jobs_since` was accepted (when the window frees a slot)."""
        where, params = _window(since, user_id, guild_id, include_failed)
        rows = await self._read(f"SELECT min(created_at) FROM jobs WHERE {where}", params)
        return None if rows[0][0] is None else datetime.fromisoformat(rows[0][0])
