"""Accepting jobs: one at a time (`enqueue_job`, with the shared queue's quota and procrastinate job), or a
burst at once (`enqueue_jobs`: one transaction, two or three statements per 50 jobs).

Why the burst form exists: the bot writes each accepted request before it acknowledges it, and Discord
wants the acknowledgement within 3 s. Two hundred members pressing /compose together meant two hundred
write transactions one after another on the store's one writer, each waiting for the busy event loop
between its statements (~10 ms each on 2 cores): the last acknowledgement came after ~2.8 s. Written
together (`bot.discord_app.admission`), the burst costs a few transactions instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.backends import Connection, Row
from storage.checks import check_positive, check_text, check_user_id
from storage.core import StoreCore, fresh_ids
from storage.errors import StoreError
from storage.jobs import JOBS_CHANNEL, MAX_LEASE_S, Job, _later, job_from_row
from storage.quota import Quota, admit
from storage.records import format_timestamp, to_json, utc_now
from storage.runner import defer

MAX_BURST = 50
"""Jobs per statement of `enqueue_jobs` (10 parameters each: well inside SQLite's 32,766 and PostgreSQL's
32,767); a longer burst takes several statements in the same transaction."""
_COLUMNS = (
    "id, idempotency_key, kind, payload_json, max_attempts, user_id, guild_id, created_at, updated_at, run_after"
)


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to accept: see `JobsMixin.enqueue_job` for what each field means."""

    key: str
    kind: str
    payload: dict[str, Any]
    user_id: str | None = None
    guild_id: str | None = None
    max_attempts: int = 3
    hold_s: float | None = None


def _row_values(job: NewJob, now: datetime) -> tuple[Any, ...]:
    """The new row's values after every check, without its id (drawn when the batch is written); `now` is
    the batch's one moment, its timestamps and the end of any hold alike."""
    check_text("idempotency key", job.key, max_chars=200)
    check_text("job kind", job.kind, max_chars=64)
    check_user_id(job.user_id, optional=True)
    check_text("guild id", job.guild_id, optional=True)
    check_positive("max_attempts", job.max_attempts, integer=True, maximum=100)
    if not isinstance(job.payload, dict):
        raise StoreError(f"job payload must be a dict, got {type(job.payload).__name__}")
    held = None if job.hold_s is None else _later(now, check_positive("hold_s", job.hold_s, maximum=MAX_LEASE_S))
    payload_json = to_json(job.payload, "job payload")
    now_text = format_timestamp(now)
    return (job.key, job.kind, payload_json, job.max_attempts, job.user_id, job.guild_id, now_text, now_text, held)


async def _insert(conn: Connection, values: list[tuple[Any, ...]]) -> dict[str, Row]:
    """Insert the rows whose key is new; the rows made, by key (a key already there, or twice in `values`,
    makes none: the first writer of a key keeps it)."""
    made: dict[str, Row] = {}
    for start in range(0, len(values), MAX_BURST):
        chunk = values[start:start + MAX_BURST]
        ids = await fresh_ids(conn, "jobs", len(chunk))
        marks = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" for _ in chunk)
        params = tuple(v for job_id, row in zip(ids, chunk, strict=True) for v in (job_id, *row))
        rows = await conn.fetch(
            f"INSERT INTO jobs ({_COLUMNS}) VALUES {marks} ON CONFLICT (idempotency_key) DO NOTHING RETURNING *",
            params,
        )
        made.update((row["idempotency_key"], row) for row in rows)
    return made


async def _existing(conn: Connection, keys: list[str]) -> dict[str, Row]:
    """The rows already holding these keys."""
    found: dict[str, Row] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), MAX_BURST):
        chunk = unique[start:start + MAX_BURST]
        marks = ", ".join("?" for _ in chunk)
        rows = await conn.fetch(f"SELECT * FROM jobs WHERE idempotency_key IN ({marks})", tuple(chunk))
        found.update((row["idempotency_key"], row) for row in rows)
    return found


def _same_kind(job: Job, kind: str) -> Job:
    if job.kind != kind:
        raise StoreError(f"idempotency key {job.idempotency_key!r} already names a {job.kind!r} job, not a {kind!r} job")
    return job


class EnqueueMixin(StoreCore):
    """Write accepted jobs, once per idempotency key."""

    async def enqueue_job(
        self, key: str, kind: str, payload: dict[str, Any], user_id: str | None = None,
        guild_id: str | None = None, *, max_attempts: int = 3, hold_s: float | None = None,
        quota: Quota | None = None, defer_run: bool = False,
    ) -> tuple[Job, bool]:
        """Accept work under an idempotency key; return `(job, created)`.

        A key seen before returns the job it made, `created=False`, whatever state it is in; reusing a
        key for a different kind of job is a bug and raises `StoreError`. With `hold_s` the job is not
        claimable until `release_job` (or, if the accepting process dies first, until `hold_s` is up): a
        worker on another machine must not answer a request before it has been acknowledged. With `quota`
        the rate limits are checked in the same transaction as the insert (`quota.admit`): `QuotaExceeded`
        when full, however many processes accept requests at once. With `defer_run` (PostgreSQL) the
        procrastinate job that will run it is deferred in the same transaction (`storage.runner`).
        """
        new = NewJob(key, kind, payload, user_id, guild_id, max_attempts, hold_s)
        if defer_run and self._dialect.name != "postgresql":
            raise StoreError("defer_run needs the store on PostgreSQL: procrastinate runs jobs there only")
        if quota is None and not defer_run:
            return (await self.enqueue_jobs([new]))[0]
        values = [_row_values(new, utc_now())]

        async def insert(conn: Connection) -> tuple[Job, bool]:
            made = await _insert(conn, values)
            row = made.get(key) or (await _existing(conn, [key]))[key]
            if key in made and defer_run:  # before the quota's locks: nothing else waits while this runs
                await defer(conn, row["id"], user_id)
            elif key in made and hold_s is None:
                await conn.notify(JOBS_CHANNEL)
            if key in made and quota is not None:  # counted with the new row in: over the limit rolls it back
                await admit(conn, quota, user_id, guild_id)  # last: the server's lock is held to the commit
            return job_from_row(row), key in made

        job, created = await self._transact(insert)
        return _same_kind(job, kind), created

    async def enqueue_jobs(self, jobs: Sequence[NewJob]) -> list[tuple[Job, bool]]:
        """Accept several jobs in one transaction, each as `enqueue_job` would without a quota; `(job,
        created)` for each, in order. A key given twice comes back made once, then found (`created=False`).

        All or nothing: a job that fails its checks (or names a key of another kind) fails the whole call,
        so a caller batching other people's requests writes them one by one after such a failure."""
        if not jobs:
            return []
        now = utc_now()
        values = [_row_values(job, now) for job in jobs]
        keys = [job.key for job in jobs]

        async def insert(conn: Connection) -> list[tuple[Job, bool]]:
            made = await _insert(conn, values)
            missing = [key for key in keys if key not in made]
            found = await _existing(conn, missing) if missing else {}
            if any(job.hold_s is None for job in jobs if job.key in made):
                await conn.notify(JOBS_CHANNEL)
            rows, seen = {**found, **made}, set()
            results: list[tuple[Job, bool]] = []
            for new in jobs:  # a key given twice: made by its first mention, found by the second
                job = _same_kind(job_from_row(rows[new.key]), new.kind)  # raised here, nothing is written
                results.append((job, new.key in made and new.key not in seen))
                seen.add(new.key)
            return results

        return await self._transact(insert)
