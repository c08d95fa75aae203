"""Durable, idempotent jobs: accepted work is written before it is acknowledged and survives a crash.

Life of a job: `enqueue_job` (pending; `enqueue.py`) -> `claim_next_job` (running, under a lease) -> `complete_job`
(done) or `fail_job` (back to pending for a retry, or failed). A worker that dies stops renewing its
lease; once the lease runs out another worker may claim the job again, and a job whose lease expired
on its last attempt is marked failed instead (a job that keeps killing its worker must not loop).

Idempotency: the caller picks the key (the Discord interaction or message id). Enqueueing the same key
again returns the existing job with `created=False`, so a redelivered request never runs twice, and a
job's `result` is where the bot records what it posted, so a retried job can post once.

Fair scheduling is built by the caller from `prefer_users_not_in` (round robin over users):

    served: set[str] = set()
    while True:
        job = await store.claim_next_job(worker_id, lease_s=120, prefer_users_not_in=served)
        if job is None:
            await asyncio.sleep(0.5)
            continue
        if job.user_id in served:  # everyone waiting has had a turn this round: start the next round
            served.clear()
        if job.user_id is not None:
            served.add(job.user_id)
        ...

The claim takes the oldest claimable job of a user outside `served` and falls back to the oldest
claimable job of all, so users take turns while a burst from one user waits behind the others.

Hygiene: `payload[TRANSIENT_KEY]` holds what a job needs only while it may still run (a chat platform's
reply token, an uploaded file's bytes). The store drops it in the same write that ends the job (done, or
failed for good), so finished jobs keep neither secrets nor uploads; `purge_finished_jobs` then deletes
finished jobs once they are old enough not to matter for rate limits or redelivered requests.
Rate-limit counting over the table is `quota.py`'s.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from storage.backends import Connection, Row
from storage.checks import check_positive, check_text
from storage.core import StoreCore
from storage.errors import StoreError
from storage.records import format_timestamp, from_json, to_json, utc_now

JobState = Literal["pending", "running", "done", "failed"]

MAX_LEASE_S = 24 * 3600
MAX_ERROR_CHARS = 2000
TRANSIENT_KEY = "transient"
"""Payload key whose value the store removes when the job ends (see the module docstring)."""
_FINISHED = "state IN ('done', 'failed')"
JOBS_CHANNEL = "motif_jobs"
"""Announced (PostgreSQL NOTIFY) when a job becomes claimable at once, so idle workers on every machine wake."""

_CLAIMABLE = (
    "((state = 'pending' AND (run_after IS NULL OR run_after <= :now))"
    " OR (state = 'running' AND lease_until < :now))"
)
_OLDEST = "ORDER BY created_at, rowid"
TURN = ("(SELECT max(served.updated_at) FROM jobs AS served WHERE served.user_id = jobs.user_id"
        " AND served.attempts > 0)")
"""When a job's user last had a turn (a claim, or a job of theirs ending); NULL for someone never served."""


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of accepted work and where it stands."""

    id: str
    idempotency_key: str
    kind: str
    payload: dict[str, Any]
    state: JobState
    attempts: int
    max_attempts: int
    result: dict[str, Any] | None
    error: str | None
    user_id: str | None
    guild_id: str | None
    worker_id: str | None
    created_at: datetime
    updated_at: datetime
    run_after: datetime | None
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class Claim:
    """What `claim_job` found: the job, now running under the claimer; or nothing to run (`job` None: it
    ended, failed for good, or is gone), possibly not yet (`wait_until`: held for its acknowledgement, or a
    retry's pause; ask again then)."""

    job: Job | None
    wait_until: datetime | None = None
    gave_up: Job | None = None
    """The job this claim has just failed for good (its holder stopped on its last attempt): tell its asker."""


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def job_from_row(row: Row) -> Job:
    """Rebuild a `Job` from a `SELECT * FROM jobs` row."""
    return Job(
        id=row["id"], idempotency_key=row["idempotency_key"], kind=row["kind"],
        payload=from_json(row["payload_json"]), state=row["state"], attempts=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]), result=from_json(row["result_json"]), error=row["error"],
        user_id=row["user_id"], guild_id=row["guild_id"], worker_id=row["worker_id"],
        created_at=datetime.fromisoformat(row["created_at"]), updated_at=datetime.fromisoformat(row["updated_at"]),
        run_after=_moment(row["run_after"]), lease_until=_moment(row["lease_until"]),
    )


def _later(now: datetime, seconds: float) -> str:
    return format_timestamp(now + timedelta(seconds=seconds))


async def _fetch_job(conn: Connection, job_id: str, lock: str = "") -> Job:
    """The job as it is now, inside the caller's transaction; `lock` (the dialect's FOR UPDATE) holds its row
    until the transaction ends, so a check on it still holds when the update comes."""
    rows = await conn.fetch(f"SELECT * FROM jobs WHERE id = ?{lock}", (job_id,))
    if not rows:
        raise StoreError(f"job {job_id!r} does not exist")
    return job_from_row(rows[0])


def _kept_payload(job: Job) -> str:
    """The payload JSON without its transient part (see the module docstring), made here rather than in SQL:
    the same text on both engines, and PostgreSQL's JSON functions cannot read a `\u0000` escape."""
    return to_json({k: v for k, v in job.payload.items() if k != TRANSIENT_KEY}, "job payload")


def _check_held(job: Job, worker_id: str | None, action: str) -> None:
    """Refuse to finish a job that is not running, or that another worker has taken over."""
    if job.state != "running":
        raise StoreError(f"cannot {action} job {job.id}: it is {job.state}, not running")
    if worker_id is not None and job.worker_id != worker_id:
        raise StoreError(
            f"cannot {action} job {job.id}: worker {worker_id!r} lost its lease to {job.worker_id!r}"
        )


class JobsMixin(StoreCore):
    """Enqueue, claim, finish and inspect jobs."""


    async def claim_next_job(
        self, worker_id: str, lease_s: float, *, prefer_users_not_in: Collection[str] = frozenset(),
        fair_turns: bool = False,
    ) -> Job | None:
        """Atomically take the oldest claimable job (pending, or running with an expired lease), or None.

        The job becomes running under `worker_id` until `now + lease_s`, with one more attempt counted.
        `prefer_users_not_in` skips those users' jobs while anyone else's are waiting (see the module
        docstring for the round-robin idiom). With `fair_turns` the round is kept in the table instead, for
        claimers on many machines: the job of the user served longest ago (`TURN`), claims taken one at a
        time under a lock. Running jobs whose lease ran out on their last attempt are marked failed here,
        never handed out again.
        """
        check_text("worker id", worker_id)
        check_positive("lease_s", lease_s, maximum=MAX_LEASE_S)
        skip = sorted(prefer_users_not_in)
        now = utc_now()

        async def claim(conn: Connection) -> Job | None:
            stamp = format_timestamp(now)
            for row in await conn.fetch(  # another claimer may be failing some: SKIP LOCKED leaves them to it
                "SELECT * FROM jobs WHERE state = 'running' AND lease_until < ? AND attempts >= max_attempts"
                f"{self._dialect.skip_locked}", (stamp,),
            ):
                hung = job_from_row(row)
                await conn.execute(
                    "UPDATE jobs SET state = 'failed', lease_until = NULL, updated_at = ?, payload_json = ?,"
                    " error = ? WHERE id = ?",
                    (stamp, _kept_payload(hung), f"lease expired on attempt {hung.attempts} of {hung.max_attempts}"
                     f" (worker {hung.worker_id} stopped or hung)", hung.id),
                )
            if fair_turns:  # each claim must see the turns the claims before it took, on every machine
                await conn.lock("jobs:claim")
                rows = await conn.fetch(f"SELECT id FROM jobs WHERE {_CLAIMABLE} ORDER BY {TURN} NULLS FIRST,"
                                        f" created_at, rowid LIMIT 1{self._dialect.skip_locked}", {"now": stamp})
                job_id = str(rows[0][0]) if rows else None
            else:
                job_id = await self._pick_job(conn, stamp, skip, self._dialect.skip_locked)
            if job_id is None:
                return None
            rows = await conn.fetch(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker_id = ?, lease_until = ?,"
                " run_after = NULL, updated_at = ? WHERE id = ? RETURNING *",
                (worker_id, _later(now, lease_s), stamp, job_id),
            )
            return job_from_row(rows[0])

        return await self._transact(claim)

    async def claim_job(self, job_id: str, worker_id: str, lease_s: float) -> Claim:
        """Take this one job to run it (the job runner chose it: procrastinate on PostgreSQL, `storage.runner`).

        Pending and claimable: it becomes running under `worker_id` with one more attempt counted. Running
        under someone else: the runner has decided its holder is dead (a stalled worker), so it is taken
        over, unless that was its last attempt: then it is failed for good, never looped. Pending but held
        (not yet acknowledged) or pausing before a retry: `wait_until`. Done, failed or purged: nothing
        (a job run twice posts once)."""
        check_text("worker id", worker_id)
        check_positive("lease_s", lease_s, maximum=MAX_LEASE_S)
        now = utc_now()

        async def claim(conn: Connection) -> Claim:
            stamp = format_timestamp(now)
            rows = await conn.fetch(f"SELECT * FROM jobs WHERE id = ?{self._dialect.for_update}", (job_id,))
            if not rows:
                return Claim(None)
            job = job_from_row(rows[0])
            if job.state in ("done", "failed"):
                return Claim(None)
            if job.state == "pending" and job.run_after is not None and job.run_after > now:
                return Claim(None, job.run_after)
            if job.state == "running" and job.attempts >= job.max_attempts:
                await conn.execute(
                    "UPDATE jobs SET state = 'failed', lease_until = NULL, updated_at = ?, payload_json = ?,"
                    " error = ? WHERE id = ?",
                    (stamp, _kept_payload(job), f"worker {job.worker_id} stopped or hung on attempt {job.attempts}"
                     f" of {job.max_attempts}", job.id),
                )
                return Claim(None, gave_up=job)
            rows = await conn.fetch(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker_id = ?, lease_until = ?,"
                " run_after = NULL, updated_at = ? WHERE id = ? RETURNING *",
                (worker_id, _later(now, lease_s), stamp, job_id),
            )
            return Claim(job_from_row(rows[0]))

        return await self._transact(claim)

    @staticmethod
    async def _pick_job(conn: Connection, stamp: str, skip: list[str], lock: str) -> str | None:
        """The id of the oldest claimable job, preferring users not in `skip`; `lock` (SKIP LOCKED on
        PostgreSQL) passes over jobs another worker is claiming right now and keeps this one until commit."""
        if skip:
            marks = ", ".join(f":u{i}" for i in range(len(skip)))
            params: dict[str, Any] = {"now": stamp, **{f"u{i}": user for i, user in enumerate(skip)}}
            rows = await conn.fetch(
                f"SELECT id FROM jobs WHERE {_CLAIMABLE} AND (user_id IS NULL OR user_id NOT IN ({marks}))"
                f" {_OLDEST} LIMIT 1{lock}", params,
            )
            if rows:
                return str(rows[0][0])
        rows = await conn.fetch(
            f"SELECT id FROM jobs WHERE {_CLAIMABLE} {_OLDEST} LIMIT 1{lock}", {"now": stamp}
        )
        return str(rows[0][0]) if rows else None

    async def extend_lease(self, job_id: str, worker_id: str, lease_s: float) -> Job:
        """Renew a running job's lease (a heartbeat for long work); refused if another worker took it."""
        check_positive("lease_s", lease_s, maximum=MAX_LEASE_S)
        now = utc_now()

        async def extend(conn: Connection) -> Job:
            _check_held(await _fetch_job(conn, job_id, self._dialect.for_update), worker_id, "extend the lease of")
            await conn.execute(
                "UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ?",
                (_later(now, lease_s), format_timestamp(now), job_id),
            )
            return await _fetch_job(conn, job_id)

        return await self._transact(extend)

    async def complete_job(self, job_id: str, result: dict[str, Any], *, worker_id: str | None = None) -> Job:
        """Mark a running job done with its result (e.g. the generation id and the message posted).

        With `worker_id`, a worker whose lease expired and was taken over gets a `StoreError` instead
        of overwriting the new holder's work.
        """
        if not isinstance(result, dict):
            raise StoreError(f"job result must be a dict, got {type(result).__name__}")
        result_json = to_json(result, "job result")
        stamp = format_timestamp(utc_now())

        async def complete(conn: Connection) -> Job:
            job = await _fetch_job(conn, job_id, self._dialect.for_update)
            _check_held(job, worker_id, "complete")
            await conn.execute(
                "UPDATE jobs SET state = 'done', result_json = ?, error = NULL, lease_until = NULL,"
                " updated_at = ?, payload_json = ? WHERE id = ?", (result_json, stamp, _kept_payload(job), job_id),
            )
            return await _fetch_job(conn, job_id)

        return await self._transact(complete)

    async def fail_job(
        self, job_id: str, error: str, *, retry: bool, worker_id: str | None = None, retry_after_s: float = 0.0,
        result: dict[str, Any] | None = None,
    ) -> Job:
        """Record a failure; with `retry` the job returns to pending (claimable after `retry_after_s`)
        unless it has used all its attempts, in which case, or without `retry`, it is failed for good.

        `result` keeps what the attempt did achieve (e.g. the generation composed before posting failed),
        so the retry can carry on from there instead of redoing it; without it the stored result stays."""
        check_text("error", error, max_chars=MAX_ERROR_CHARS)
        if retry_after_s != 0.0:
            check_positive("retry_after_s", retry_after_s, maximum=MAX_LEASE_S)
        if result is not None and not isinstance(result, dict):
            raise StoreError(f"job result must be a dict, got {type(result).__name__}")
        result_json = None if result is None else to_json(result, "job result")
        now = utc_now()

        async def fail(conn: Connection) -> Job:
            job = await _fetch_job(conn, job_id, self._dialect.for_update)
            _check_held(job, worker_id, "fail")
            again = retry and job.attempts < job.max_attempts
            payload = None if again else _kept_payload(job)  # a retry keeps the payload exactly as it is
            await conn.execute(
                "UPDATE jobs SET state = ?, error = ?, lease_until = NULL, run_after = ?, updated_at = ?,"
                " result_json = COALESCE(?, result_json), payload_json = COALESCE(?, payload_json) WHERE id = ?",
                ("pending" if again else "failed", error, _later(now, retry_after_s) if again else None,
                 format_timestamp(now), result_json, payload, job_id),
            )
            return await _fetch_job(conn, job_id)

        return await self._transact(fail)

    async def purge_finished_jobs(self, finished_before: datetime) -> int:
        """Delete jobs that ended (done or failed) before `finished_before`; return how many went.

        Pending and running jobs are never touched, however old. Keep at least the longest rate-limit
        window (finished jobs are what `count_jobs_since` counts) and the time a request may be redelivered.
        """
        if not isinstance(finished_before, datetime) or finished_before.tzinfo is None:
            raise StoreError(f"finished_before must be a timezone-aware datetime, got {finished_before!r}")
        stamp = format_timestamp(finished_before)

        async def purge(conn: Connection) -> int:
            count = await conn.execute(f"DELETE FROM jobs WHERE {_FINISHED} AND updated_at < ?", (stamp,))
            return count

        return await self._transact(purge)

    # -- reads ---------------------------------------------------------------------------------------

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        rows = await self._read("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return job_from_row(rows[0]) if rows else None

    async def get_job_by_key(self, key: str) -> Job | None:
        """The job an idempotency key made, or None: "was this interaction already accepted?"."""
        rows = await self._read("SELECT * FROM jobs WHERE idempotency_key = ?", (key,))
        return job_from_row(rows[0]) if rows else None

    async def pending_jobs(self, limit: int = 500) -> list[Job]:
        """Waiting jobs, oldest first (the queue as a user sees it)."""
        check_positive("limit", limit, integer=True)
        rows = await self._read(f"SELECT * FROM jobs WHERE state = 'pending' {_OLDEST} LIMIT ?", (limit,))
        return [job_from_row(row) for row in rows]

    async def pending_jobs_by_user(self) -> dict[str | None, list[Job]]:
        """Waiting jobs grouped by user (oldest first within each), for schedulers and `/queue` views."""
        grouped: dict[str | None, list[Job]] = {}
        for job in await self.pending_jobs(limit=100_000):
            grouped.setdefault(job.user_id, []).append(job)
        return grouped

    async def queue_position(self, job_id: str) -> int | None:
        """1 for the next pending job to run, 2 for the one after...; None when the job is not pending."""
        rows = await self._read(
            "SELECT count(*) FROM jobs AS other JOIN jobs AS me ON me.id = ? WHERE me.state = 'pending'"
            " AND other.state = 'pending' AND (other.created_at, other.rowid) <= (me.created_at, me.rowid)",
            (job_id,),
        )
        position = int(rows[0][0])
        return position or None
