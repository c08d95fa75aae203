"""The durable, fair job queue: accepted requests live in the store; lanes claim them round robin by user.

Each lane claims a job under a lease (renewed while the worker composes), hands the payload to the
process pool, asks the `Delivery` to post the outcome, and only then marks the job done with the id of
the message it posted. A crash anywhere leaves the job pending or leased; it is claimed again once
the lease runs out (or at once after a restart, for pending jobs), and the delivery posts at most one
answer per request because it edits the message it already made. A worker process that dies is the
pool's business (`pool.WorkerPool.run`: replaced, the job run once more, then a clear failure outcome);
those runs are not the job's attempts, so nobody sees "attempt 2" for another member's crash.

Shared (`shared=True`, the store on PostgreSQL with `motif worker` on other machines): procrastinate runs
the jobs (`storage.runner`), our jobs table stays the record of each request. `submit` writes our row and
defers its procrastinate job in one transaction, with the rate-limit count; the row is written held
(`HOLD_S`) and released once acknowledged (`acknowledged`), so a worker that fetches it first waits for
the release rather than answer a request Discord does not yet know was accepted. A procrastinate worker
(`lanes` jobs at once, woken by LISTEN/NOTIFY) runs `_run_job`, which takes our row (`Store.claim_job`)
and handles it as a lane does. A worker that dies stops its procrastinate heartbeat; every worker sweeps
for stalled jobs and hands them back (`_sweep`), and the next one takes our row over. A lane records the
composed piece on the job before posting, so a job taken over from a worker that died mid-post is not
composed again and edits the message already posted instead of making a second one. A store outage stops
procrastinate's worker (its heartbeat and fetches fail); it is started again until the server is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from bot.discord_app.admission import GroupWriter
from bot.discord_app.pool import WorkerPool
from bot.discord_app.requests import JOB_KIND, Request
from storage import Job, NewJob, PostgresUrl, Quota, Store, StoreError, store_unreachable
from storage.runner import QUEUE, RUNNER_MAX_ATTEMPTS, TASK_NAME, runner_app

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_S = 2.0
QUIET_S = 30.0
"""While claims keep failing, how often a lane says so again."""
RESTART_S = 1.0
"""How soon a shared queue starts procrastinate's worker again after it stopped on a store error (an outage)."""
OUTAGE_WAIT_S = 20.0
"""How long a composed piece waits for an unreachable store before it is left to a retry: a piece composed
while PostgreSQL is briefly down is recorded and posted when it is back, not composed again."""
GAVE_UP = "Motif could not finish this piece: the machines making it stopped on every try. Please ask again."
"""What a person is told when their job's workers died on its every attempt."""
HELD_POLL_S = 0.05
"""How often a fetched job still waiting on its acknowledgement looks again (the ack takes milliseconds)."""
HOLD_S = 30.0
"""How long a shared queue's new job waits for its acknowledgement before workers may take it anyway (the
bot died in between: the job is not lost; its answer goes to the interaction's webhook as after a restart)."""
COMPOSED = "composed"
"""Key of a job's result holding the piece composed by an attempt whose post failed."""


class RetryLater(Exception):
    """Raised by a shared queue's task so procrastinate runs it again (our row is pending for a retry)."""


class Delivery(Protocol):
    """The Discord side of a job: say it started, then post its outcome; returns what to record."""

    async def started(self, job: Job, request: Request) -> None: ...

    async def finished(self, job: Job, request: Request, outcome: dict[str, Any]) -> dict[str, Any]: ...


class FairScheduler:
    """Round robin over users for the claim: nobody waits behind another user's whole batch."""

    def __init__(self) -> None:
        self.served: set[str] = set()
        self.lock = asyncio.Lock()

    async def claim(self, store: Store, worker_id: str, lease_s: float) -> Job | None:
        async with self.lock:
            job = await store.claim_next_job(worker_id, lease_s, prefer_users_not_in=self.served)
            if job is None:
                return None
            if job.user_id in self.served:
                self.served.clear()
            if job.user_id is not None:
                self.served.add(job.user_id)
            return job


class JobQueue:
    """Accept requests durably and run them on `lanes` concurrent lanes (one per worker process)."""

    def __init__(
        self,
        store: Store,
        pool: WorkerPool,
        delivery: Delivery,
        *,
        lanes: int,
        lease_s: float = 60.0,
        poll_s: float = 1.0,
        shared: bool = False,
        grace_s: float = 10.0,
    ) -> None:
        self.store = store
        self.pool = pool
        self.delivery = delivery
        self.lanes = lanes
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.shared = shared
        self.scheduler = FairScheduler()
        self._writer = GroupWriter(store)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.grace_s = grace_s
        self._stopping = False
        self._name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    async def submit(self, request: Request, quota: Quota | None = None) -> tuple[Job, bool]:
        """Write the job before anyone acknowledges it; a repeated key returns the first job, not a new one;
        with `quota`, `storage.QuotaExceeded` when a rate limit is full at the moment of writing. Requests
        of one process's queue arriving together are written together (`admission.GroupWriter`)."""
        if quota is None and not self.shared:
            new = NewJob(request.key, JOB_KIND, request.to_payload(), user_id=request.author, guild_id=request.guild)
            job, created = await self._writer.write(new)
        else:
            job, created = await self.store.enqueue_job(
                request.key, JOB_KIND, request.to_payload(), user_id=request.author, guild_id=request.guild,
                hold_s=HOLD_S if self.shared else None, quota=quota, defer_run=self.shared,
            )
        if created:
            self._wake.set()
        return job, created

    async def acknowledged(self, job: Job) -> None:
        """The request has been acknowledged on Discord: a shared queue's job may be taken now."""
        if self.shared:
            await self.store.release_job(job.id)

    async def _claim(self, worker_id: str) -> Job | None:
        return await self.scheduler.claim(self.store, worker_id, self.lease_s)

    async def position(self, job: Job) -> int | None:
        """1-based place in the queue, None once running or done."""
        return await self.store.queue_position(job.id)

    def start(self) -> None:
        """Start the lanes (shared: procrastinate's worker); pending jobs from before a restart are taken
        first (oldest first, fairly)."""
        if self._tasks:
            return
        if self.shared:
            self._tasks = [asyncio.create_task(self._run_shared(), name="motif-procrastinate")]
            return
        self._tasks = [asyncio.create_task(self._lane(i), name=f"motif-lane-{i}") for i in range(self.lanes)]

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop claiming and let jobs in hand finish for up to `grace_s` (shared: the `grace_s` it was made
        with, procrastinate's graceful shutdown); what is still running after that is abandoned to its lease
        and claimed again after a restart."""
        self._stopping = True
        self._wake.set()
        if self._tasks and self.shared:
            for task in self._tasks:
                task.cancel()  # procrastinate's worker stops fetching and waits for the jobs in hand
            grace_s = self.grace_s + 5.0
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []

    # -- shared: procrastinate runs the jobs -------------------------------------------------------------

    async def _run_shared(self) -> None:
        """procrastinate's worker, started again whenever it stopped (a store error in a fetch, or `_watch`
        after an outage); beside it, the sweep that hands stalled and unscheduled jobs back."""
        location = self.store.postgres_url
        if not isinstance(location, PostgresUrl):
            raise StoreError("a shared queue needs the store on PostgreSQL")
        import procrastinate
        from procrastinate.worker import Worker

        app = runner_app(location)
        app.task(name=TASK_NAME, queue=QUEUE, retry=procrastinate.RetryStrategy(
            max_attempts=RUNNER_MAX_ATTEMPTS, wait=RETRY_AFTER_S))(self._run_job)
        sweeper = asyncio.create_task(self._sweep(app), name="motif-sweep")
        failing_since: float | None = None
        try:
            while not self._stopping:
                try:
                    async with app.open_async():
                        worker = Worker(
                            app, queues=[QUEUE], name=self._name, concurrency=self.lanes, wait=True,
                            install_signal_handlers=False, listen_notify=True,
                            fetch_job_polling_interval=self.poll_s, update_heartbeat_interval=self.lease_s / 3,
                            stalled_worker_timeout=self.lease_s, shutdown_graceful_timeout=self.grace_s,
                        )
                        watchdog = asyncio.create_task(self._watch(worker), name="motif-watchdog")
                        try:
                            await worker.run()
                        finally:
                            watchdog.cancel()
                            with contextlib.suppress(asyncio.CancelledError):
                                await watchdog
                    if not self._stopping:
                        log.warning("procrastinate's worker stopped; starting it again")
                        await asyncio.sleep(RESTART_S)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the store went away: start again when it is back
                    failing_since = self._claim_failed(exc, failing_since)
                    await asyncio.sleep(RESTART_S)
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    async def _watch(self, worker: Any) -> None:
        """Keep procrastinate's worker honest through an outage. Its own heartbeat and LISTEN tasks die with
        the store and nothing restarts them (procrastinate 3.10 stops watching its side tasks once its
        periodic deferrer, idle without periodic tasks, returns), so a worker that lived through an outage
        would look stalled for ever and every job it took would be handed to another. So: beat here too,
        every third of a lease, and once the store is back after failing (or this worker was pruned as
        stalled meanwhile), stop it: `_run_shared` starts a fresh one, registered, beating and listening."""
        lost = False
        while True:
            await asyncio.sleep(self.lease_s / 3)
            if worker.worker_id is None:
                continue
            try:
                alive = await self.store.runner_heartbeat(worker.worker_id)
            except Exception as exc:
                if not store_unreachable(exc):
                    log.exception("procrastinate worker heartbeat failed")
                lost = True
                continue
            if lost or not alive:
                log.warning("the store is back (or this worker was pruned): restarting procrastinate's worker")
                worker.stop()
                return

    async def _sweep(self, app: object) -> None:
        """Every third of a lease: hand the jobs of workers whose heartbeat stopped back to the queue
        (procrastinate's stalled jobs; a dead machine, `kill -9`) and give a procrastinate job to any waiting
        row without one (`Store.requeue_unscheduled_jobs`). Every worker sweeps; a job already handed back by
        another is skipped."""
        from procrastinate import App, exceptions

        assert isinstance(app, App)
        every_s = max(0.5, self.lease_s / 3)
        while True:
            try:
                for stalled in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=self.lease_s):
                    with contextlib.suppress(exceptions.ConnectorException):  # another sweeper was first
                        await app.job_manager.retry_job(stalled)
                        log.warning("job %s of a stalled worker handed back to the queue", stalled.task_kwargs)
                await self.store.requeue_unscheduled_jobs()
            except (exceptions.ConnectorException, exceptions.AppNotOpen, StoreError, OSError):
                pass  # the store is down (an outage) or the worker is restarting: the next sweep tries again
            except Exception:  # noqa: BLE001 - asyncpg's errors, and anything else: the sweep must go on
                log.exception("sweeping stalled jobs failed")
            await asyncio.sleep(every_s)

    async def _run_job(self, job_id: str) -> None:
        """procrastinate's task: take our row and handle it as a lane does. Raises (so procrastinate retries it
        after `RETRY_AFTER_S`) when the row went back to pending for a retry, or the store could not be
        reached; returns when there is nothing (more) to do."""
        while True:
            claim = await self.store.claim_job(job_id, self._name, self.lease_s)
            if claim.wait_until is None:
                break
            ahead_s = (claim.wait_until - datetime.now(UTC)).total_seconds()
            await asyncio.sleep(min(max(ahead_s, 0.0), HELD_POLL_S))  # a release may come any moment
        if claim.gave_up is not None:  # its workers kept dying on it: say so rather than leave "Composing..."
            await self._gave_up(claim.gave_up)
        job = claim.job
        if job is None:
            return
        if job.kind != JOB_KIND:
            await self.store.fail_job(job.id, f"unknown job kind {job.kind!r}", retry=False, worker_id=self._name)
            return
        await self._handle(job, self._name)
        after = await self.store.get_job(job_id)
        if after is not None and after.state == "pending":
            raise RetryLater(after.error or "put back for a retry")

    @staticmethod
    def _claim_failed(exc: Exception, failing_since: float | None) -> float:
        """Log a failed claim: the first of a run with its traceback, then one line every `QUIET_S` while
        the store stays unreachable (an outage would otherwise log a traceback per lane per poll)."""
        now = time.monotonic()
        if failing_since is None:
            log.exception("claiming a job failed")
            return now
        if now - failing_since >= QUIET_S:
            log.warning("claiming jobs still fails (%s: %s)", type(exc).__name__, exc)
            return now
        return failing_since

    async def _lane(self, index: int) -> None:
        worker_id = f"{self._name}:lane{index}"
        failing_since: float | None = None
        while not self._stopping:
            try:
                job = await self._claim(worker_id)
                failing_since = None
            except Exception as exc:  # noqa: BLE001 - a store hiccup must not kill the lane
                failing_since = self._claim_failed(exc, failing_since)
                job = None
            if job is None:
                if self._stopping:
                    return
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)
                continue
            if job.kind == JOB_KIND:
                await self._handle(job, worker_id)

    async def _handle(self, job: Job, worker_id: str) -> None:
        try:
            request = Request.from_payload(job.payload)
        except (KeyError, TypeError, ValueError) as exc:
            await self.store.fail_job(job.id, f"unreadable payload: {exc}", retry=False, worker_id=worker_id)
            return
        composed: dict[str, Any] | None = None
        try:
            await self.delivery.started(job, request)
            outcome = await self._outcome(job, worker_id)
            if outcome is None:
                return
            composed = outcome["result"] if outcome["ok"] else None
            if self.shared and composed is not None:  # before posting: a takeover posts this piece, once
                await self._through_outage(
                    lambda: self.store.record_job_result(job.id, {COMPOSED: composed}, worker_id=worker_id))
            record = await self.delivery.finished(job, request, outcome)
            if outcome["ok"]:
                await self._through_outage(lambda: self.store.complete_job(job.id, record, worker_id=worker_id))
            else:
                await self._through_outage(lambda: self.store.fail_job(
                    job.id, outcome["error"][:2000], retry=False, worker_id=worker_id))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. Discord unreachable: try again later
            log.exception("job %s could not be delivered", job.id)
            kept = {COMPOSED: composed} if composed is not None else None
            with contextlib.suppress(Exception):
                await self.store.fail_job(
                    job.id,
                    f"{type(exc).__name__}: {exc}"[:2000],
                    retry=True,
                    worker_id=worker_id,
                    retry_after_s=RETRY_AFTER_S,
                    result=kept,
                )

    async def _gave_up(self, job: Job) -> None:
        """Tell the asker a job failed for good because the workers taking it stopped on every attempt."""
        try:
            request = Request.from_payload(job.payload)
        except (KeyError, TypeError, ValueError):
            return
        with contextlib.suppress(Exception):  # the job is failed in the store either way
            await self.delivery.finished(job, request, {"ok": False, "error": job.error or "", "message": GAVE_UP})

    @staticmethod
    async def _through_outage(write: Callable[[], Awaitable[T]]) -> T:
        """A store write after composing, tried again while the store is unreachable (up to `OUTAGE_WAIT_S`):
        what was composed during a short outage is kept and posted, instead of composed again on a retry."""
        deadline = time.monotonic() + OUTAGE_WAIT_S
        while True:
            try:
                return await write()
            except Exception as exc:
                if not store_unreachable(exc) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(RESTART_S / 2)

    async def _outcome(self, job: Job, worker_id: str) -> dict[str, Any] | None:
        """The worker's outcome, or the piece an earlier attempt composed but could not post (a piece is
        composed once); None when a failed composition was put back for a retry."""
        if job.result is not None and COMPOSED in job.result:
            return {"ok": True, "result": job.result[COMPOSED]}
        outcome = await self._with_heartbeat(job, worker_id, lambda: self.pool.run(job.payload))
        if not outcome["ok"] and outcome.get("retry") and job.attempts < job.max_attempts:
            await self._through_outage(lambda: self.store.fail_job(
                job.id, outcome["error"][:2000], retry=True, worker_id=worker_id, retry_after_s=RETRY_AFTER_S
            ))
            return None
        return outcome

    async def _with_heartbeat(
        self, job: Job, worker_id: str, work: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """Renew the lease while the worker composes, so a slow piece is not handed to a second lane."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.lease_s / 3)
                await self.store.extend_lease(job.id, worker_id, self.lease_s)

        heartbeat = asyncio.create_task(beat())
        try:
            return await work()
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await heartbeat
