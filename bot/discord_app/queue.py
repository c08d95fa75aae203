"""The durable, fair job queue: accepted requests live in the store; lanes claim them round robin by user.

Each lane claims a job under a lease (renewed while the worker composes), hands the payload to the
process pool, asks the `Delivery` to post the outcome, and only then marks the job done with the id of
the message it posted. A crash anywhere leaves the job pending or leased; it is claimed again once
the lease runs out (or at once after a restart, for pending jobs), and the delivery posts at most one
answer per request because it edits the message it already made. A worker process that dies is the
pool's business (`pool.WorkerPool.run`: replaced, the job run once more, then a clear failure outcome);
those runs are not the job's attempts, so nobody sees "attempt 2" for another member's crash.

Shared (`shared=True`, the store on PostgreSQL with `motif worker` on other machines): the same lanes, but
the round robin lives in the jobs table (`claim_next_job(fair_turns=True)`), since no one process sees
every claim; the bot writes each job held (`HOLD_S`) and releases it once acknowledged (`acknowledged`),
so no worker answers a request Discord does not yet know was accepted; idle lanes wake on the store's
LISTEN/NOTIFY (`Store.listen_for_jobs`), polling only as the fallback; and a lane records the composed
piece on the job before posting, so a job taken over from a worker that died mid-post is not composed
again and edits the message already posted instead of making a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.discord_app.pool import WorkerPool
from bot.discord_app.requests import JOB_KIND, Request
from storage import Job, Quota, Store

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2.0
QUIET_S = 30.0
"""While claims keep failing, how often a lane says so again."""
LISTEN_RETRY_S = 2.0
"""How soon a shared queue listens again after losing its listening connection."""
HOLD_S = 30.0
"""How long a shared queue's new job waits for its acknowledgement before workers may take it anyway (the
bot died in between: the job is not lost; its answer goes to the interaction's webhook as after a restart)."""
COMPOSED = "composed"
"""Key of a job's result holding the piece composed by an attempt whose post failed."""


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
    ) -> None:
        self.store = store
        self.pool = pool
        self.delivery = delivery
        self.lanes = lanes
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.shared = shared
        self.scheduler = FairScheduler()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._listener: asyncio.Task[None] | None = None
        self._stopping = False
        self._name = f"{socket.gethostname()}:{id(self):x}"

    async def submit(self, request: Request, quota: Quota | None = None) -> tuple[Job, bool]:
        """Write the job before anyone acknowledges it; a repeated key returns the first job, not a new one;
        with `quota`, `storage.QuotaExceeded` when a rate limit is full at the moment of writing."""
        job, created = await self.store.enqueue_job(
            request.key, JOB_KIND, request.to_payload(), user_id=request.author, guild_id=request.guild,
            hold_s=HOLD_S if self.shared else None, quota=quota,
        )
        if created:
            self._wake.set()
        return job, created

    async def acknowledged(self, job: Job) -> None:
        """The request has been acknowledged on Discord: a shared queue's job may be taken now."""
        if self.shared:
            await self.store.release_job(job.id)

    async def _claim(self, worker_id: str) -> Job | None:
        if self.shared:
            return await self.store.claim_next_job(worker_id, self.lease_s, fair_turns=True)
        return await self.scheduler.claim(self.store, worker_id, self.lease_s)

    async def position(self, job: Job) -> int | None:
        """1-based place in the queue, None once running or done."""
        return await self.store.queue_position(job.id)

    def start(self) -> None:
        """Start the lanes; pending jobs from before a restart are claimed first (oldest first, fairly)."""
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(self._lane(i), name=f"motif-lane-{i}") for i in range(self.lanes)]
        if self.shared:
            self._listener = asyncio.create_task(self._listen(), name="motif-queue-listen")

    async def _listen(self) -> None:
        """Wake the lanes the moment any process makes a job claimable (LISTEN/NOTIFY on PostgreSQL); while
        the connection is down (an outage) the lanes poll every `poll_s`, and listening starts again."""
        while not self._stopping:
            try:
                listening = await self.store.listen_for_jobs(self._wake.set)
            except Exception as exc:  # noqa: BLE001 - polling covers until the server is back
                log.warning("cannot listen for new jobs (%s); polling every %.1f s", exc, self.poll_s)
                await asyncio.sleep(LISTEN_RETRY_S)
                continue
            if listening is None:
                return
            try:
                await listening.lost.wait()
            finally:
                await listening.close()
            self._wake.set()  # whatever arrived while it was down
            await asyncio.sleep(LISTEN_RETRY_S)

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop claiming and let jobs in hand finish for up to `grace_s`; what is still running after that
        is abandoned to its lease and claimed again after a restart."""
        self._stopping = True
        self._wake.set()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []

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
                await self.store.record_job_result(job.id, {COMPOSED: composed}, worker_id=worker_id)
            record = await self.delivery.finished(job, request, outcome)
            if outcome["ok"]:
                await self.store.complete_job(job.id, record, worker_id=worker_id)
            else:
                await self.store.fail_job(job.id, outcome["error"][:2000], retry=False, worker_id=worker_id)
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

    async def _outcome(self, job: Job, worker_id: str) -> dict[str, Any] | None:
        """The worker's outcome, or the piece an earlier attempt composed but could not post (a piece is
        composed once); None when a failed composition was put back for a retry."""
        if job.result is not None and COMPOSED in job.result:
            return {"ok": True, "result": job.result[COMPOSED]}
        outcome = await self._with_heartbeat(job, worker_id, lambda: self.pool.run(job.payload))
        if not outcome["ok"] and outcome.get("retry") and job.attempts < job.max_attempts:
            await self.store.fail_job(
                job.id, outcome["error"][:2000], retry=True, worker_id=worker_id, retry_after_s=RETRY_AFTER_S
            )
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
