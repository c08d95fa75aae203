"""On PostgreSQL, procrastinate runs the jobs; the `jobs` table stays the record of each request.

Who keeps what. Our `jobs` row is what a user's request *is*: its idempotency key, the rate-limit counts
(`quota.py`), its state as `motif db queue` shows it, and what was composed and posted (`result`, so a job
run twice posts once). procrastinate (3.10, PostgreSQL-native: `SELECT ... FOR UPDATE SKIP LOCKED` fetches,
LISTEN/NOTIFY wake-ups, worker heartbeats, retries) carries the *execution*: which worker runs which job
next, noticing a dead worker, running the job again.

How the two stay one:

- **Written before acknowledged, in one transaction.** `enqueue_job(defer_run=True)` inserts our row and
  defers its procrastinate job (`defer`, procrastinate's own `procrastinate_defer_jobs_v1`) on the same
  connection, in the same transaction as the rate-limit count: both commit, or neither. procrastinate's
  insert trigger NOTIFYs its workers at that commit.
- **Fair turns by user.** procrastinate fetches by priority, then age. A job's priority is minus the number
  of its user's jobs already waiting or running when it is written, so in a burst every member's first
  request comes before anyone's second, and a newcomer's first goes ahead of a busy member's backlog
  (`defer`).
- **One run at a time per job.** The procrastinate job's `lock` is our job id: procrastinate never runs two
  of them at once, and `requeue_unscheduled_jobs` finds a row that has lost its procrastinate job.
- **Leases.** procrastinate's workers send heartbeats; the job of a worker whose heartbeat stops is *stalled*
  and is handed back to the queue by whichever worker sweeps next (`bot.discord_app.queue`), where
  `claim_job` takes our row over (or fails it for good on its last attempt).

Its schema is applied when a PostgreSQL store opens (`backends.pg_schema.install_runner`). Nothing here
imports procrastinate at module load: SQLite stores never need it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storage.backends import Connection
from storage.core import StoreCore
from storage.paths import PostgresUrl

if TYPE_CHECKING:
    import procrastinate

QUEUE = "motif"
"""The procrastinate queue Motif's jobs go to (one queue: fairness is by priority, not by queue)."""
TASK_NAME = "motif.run_job"
"""The procrastinate task that runs one of our jobs; its only argument is `job_id`."""
RUNNER_MAX_ATTEMPTS = 20
"""procrastinate's own retries of one task (a store outage, a post that failed); our row's `max_attempts`
is what bounds composing, so this only has to outlast an outage."""
_SWEEP_LOCK = "runner:requeue"

_WAITING = "state IN ('pending', 'running')"
_PRIORITY = f"(SELECT -count(*) FROM jobs WHERE user_id = :user AND {_WAITING} AND id <> :job)::int"
"""Minus the user's other jobs waiting or running now (see `defer`); 0 without a user."""
_DEFER = (
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue::varchar, :task::varchar, COALESCE(" + _PRIORITY + ", 0),"
    " :job::text, NULL::text, :args::jsonb, NULL::timestamptz)]::procrastinate_job_to_defer_v1[])"
)
_UNSCHEDULED = (
    f"SELECT id, user_id FROM jobs WHERE {_WAITING} AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS run"
    " WHERE run.lock = jobs.id AND run.status IN ('todo', 'doing')) ORDER BY created_at, rowid"
)


async def defer(conn: Connection, job_id: str, user_id: str | None) -> int:
    """Defer the procrastinate job that runs our job `job_id`, inside the caller's transaction (so it exists
    exactly when our row does), in one statement; return procrastinate's job id.

    Its priority is minus the user's other jobs waiting or running now: the round this job would run in,
    were turns taken member by member (0 for someone with nothing queued; jobs without a user count 0)."""
    rows = await conn.fetch(_DEFER, {"queue": QUEUE, "task": TASK_NAME, "user": user_id, "job": job_id,
                                     "args": json.dumps({"job_id": job_id})})
    return int(rows[0][0][0])


def runner_app(url: PostgresUrl) -> procrastinate.App:
    """A procrastinate app on the store's database, through psycopg 3.

    The pool is psycopg's *null* pool: every query opens its connection and closes it. A worker makes a few
    queries per job (fetch, finish, heartbeat), so the cost is a few milliseconds per job; in exchange a
    server outage leaves no broken connections behind and no reconnect backoff to sit out (a regular
    psycopg pool retries a lost connection after 1, 2, 4, 8... s, and callers wait up to its 30 s timeout):
    the first query after the server is back simply connects."""
    import procrastinate
    from psycopg_pool import AsyncNullConnectionPool

    connector = procrastinate.PsycopgConnector(
        conninfo=url.url, pool_factory=AsyncNullConnectionPool, kwargs={"connect_timeout": 10}, timeout=10,
    )
    return procrastinate.App(connector=connector)


class RunnerMixin(StoreCore):
    """What the PostgreSQL store does for procrastinate beyond `enqueue_job(defer_run=True)`."""

    async def requeue_unscheduled_jobs(self) -> int:
        """Defer a procrastinate job for every waiting or running row that has none in `todo` or `doing`
        (rows copied across by `motif db copy`, written before this queue ran on procrastinate, or whose
        procrastinate job gave up while our row still waits); return how many. Safe to call from every
        worker: one sweep at a time, and `claim_job` makes a second run of a finished job a no-op."""
        if self._dialect.name != "postgresql":
            return 0

        async def sweep(conn: Connection) -> int:
            await conn.lock(_SWEEP_LOCK)
            rows = await conn.fetch(_UNSCHEDULED)
            for row in rows:
                await defer(conn, str(row["id"]), row["user_id"])
            return len(rows)

        return await self._transact(sweep)

    async def runner_heartbeat(self, worker_id: int) -> bool:
        """Mark procrastinate's worker `worker_id` alive now; False when its row is gone (another worker pruned
        it after it went silent for longer than the stalled timeout: it must register again)."""

        async def beat(conn: Connection) -> bool:
            rows = await conn.fetch(
                "UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = ? RETURNING id", (worker_id,)
            )
            return bool(rows)

        return await self._transact(beat)

    async def runner_jobs(self) -> dict[str, int]:
        """procrastinate's jobs for Motif by status (todo, doing, succeeded, failed...), for monitoring."""
        if self._dialect.name != "postgresql":
            return {}
        rows = await self._read(
            "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = ? GROUP BY status", (QUEUE,)
        )
        return {str(row[0]): int(row[1]) for row in rows}
