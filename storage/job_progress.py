"""What a queue shared by many machines needs beyond `jobs.py`: releasing a held job once it has been
acknowledged, recording what a running job has achieved before it posts, and the figures to watch.

Why each exists. A worker on another machine may claim a job the instant it is written, before the bot
has acknowledged the request, and would then answer an interaction Discord does not yet know was
accepted: so the bot enqueues with `hold_s` and calls `release_job` after acknowledging. A worker may die
between posting and `complete_job`; the next holder must edit the message already posted rather than post
a second one and must not compose the piece again: so the piece and the message id are written to the job
(`record_job_result`) before the post goes out. `listen_for_jobs` wakes idle workers everywhere (LISTEN/NOTIFY)
the moment a job can be taken. `queue_health` is what an operator monitors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.backends import Connection, Listening
from storage.checks import check_text
from storage.core import StoreCore
from storage.errors import StoreError
from storage.jobs import JOBS_CHANNEL, Job, _check_held, _fetch_job
from storage.records import format_timestamp, to_json, utc_now


@dataclass(frozen=True, slots=True)
class QueueHealth:
    """The queue at one moment, for monitoring: how much waits, how long the oldest has waited, what fails."""

    pending: int
    running: int
    oldest_pending_s: float | None
    failed_last_hour: int
    done_last_hour: int


class JobProgressMixin(StoreCore):
    """Release held jobs, record a running job's progress, and report the queue's health."""

    async def release_job(self, job_id: str) -> bool:
        """Make a job written with `hold_s` claimable now; False when it is no longer waiting on its hold
        (already claimed after the hold ran out, or retried: a retry's wait is its own)."""
        stamp = format_timestamp(utc_now())

        async def release(conn: Connection) -> bool:
            count = await conn.execute(
                "UPDATE jobs SET run_after = NULL, updated_at = ? WHERE id = ? AND state = 'pending'"
                " AND attempts = 0 AND run_after IS NOT NULL", (stamp, job_id),
            )
            if count == 1:
                await conn.notify(JOBS_CHANNEL)
            return count == 1

        return await self._transact(release)

    async def listen_for_jobs(self, wake: Callable[[], None]) -> Listening | None:
        """Call `wake` whenever a job becomes claimable at once anywhere (a new job, a released one): idle
        workers on other machines start within milliseconds instead of at their next poll. None on SQLite
        (one process, which wakes its own lanes). Watch `Listening.lost`: after an outage, listen again."""
        return await self._backend.listen(JOBS_CHANNEL, wake)

    async def record_job_result(self, job_id: str, result: dict[str, Any], *, worker_id: str) -> Job:
        """Store what a running job has done so far (the piece, the message it is about to post) while its
        holder still holds it; the job stays running. Refused (`StoreError`) once another worker took it."""
        check_text("worker id", worker_id)
        if not isinstance(result, dict):
            raise StoreError(f"job result must be a dict, got {type(result).__name__}")
        result_json = to_json(result, "job result")
        stamp = format_timestamp(utc_now())

        async def record(conn: Connection) -> Job:
            _check_held(await _fetch_job(conn, job_id, self._dialect.for_update), worker_id, "record progress of")
            await conn.execute(
                "UPDATE jobs SET result_json = ?, updated_at = ? WHERE id = ?", (result_json, stamp, job_id)
            )
            return await _fetch_job(conn, job_id)

        return await self._transact(record)

    async def queue_health(self, now: datetime | None = None) -> QueueHealth:
        """Queue depth, the oldest waiting job's age, and the last hour's finished and failed jobs."""
        moment = utc_now() if now is None else now
        hour_ago = format_timestamp(moment - timedelta(hours=1))
        rows = await self._read(
            "SELECT (SELECT count(*) FROM jobs WHERE state = 'pending'),"
            " (SELECT count(*) FROM jobs WHERE state = 'running'),"
            " (SELECT min(created_at) FROM jobs WHERE state = 'pending'),"
            " (SELECT count(*) FROM jobs WHERE state = 'failed' AND updated_at >= ?),"
            " (SELECT count(*) FROM jobs WHERE state = 'done' AND updated_at >= ?)", (hour_ago, hour_ago),
        )
        pending, running, oldest, failed, done = rows[0]
        age = None if oldest is None else (moment - datetime.fromisoformat(oldest)).total_seconds()
        return QueueHealth(int(pending), int(running), age, int(failed), int(done))
