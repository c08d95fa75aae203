"""Writing accepted requests in groups (a group commit), so a burst is acknowledged in time.

Every request is written to the store before Discord hears it was accepted, and Discord wants to hear it
within 3 s. One at a time, a burst of 200 /compose requests was 200 write transactions queued on the
store's one writer; each waited for the busy event loop between its statements (~10 ms apiece on 2 cores),
so the last acknowledgement came after ~2.8 s. Here a request that arrives while a write is in flight
waits for the next one, which takes everything that has gathered (`storage.Store.enqueue_jobs`: one
transaction whatever the count). A lone request is written at once; nobody waits for a timer.

A group that fails on one request's data (or a key written before as another kind) is written again one
request at a time, so only that request fails; an outage fails each of them, and each is answered `BUSY`.
"""

from __future__ import annotations

import asyncio
import logging

from storage import Job, NewJob, Store

log = logging.getLogger(__name__)


class GroupWriter:
    """Writes `NewJob`s for many concurrent callers, together where they arrive together."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: list[tuple[NewJob, asyncio.Future[tuple[Job, bool]]]] = []
        self._writing: asyncio.Task[None] | None = None
        self.groups_written = 0
        """How many write transactions the groups took (for benchmarks and tests)."""

    async def write(self, job: NewJob) -> tuple[Job, bool]:
        """`(job, created)` as `Store.enqueue_job` returns it, once the job is in the store."""
        done: asyncio.Future[tuple[Job, bool]] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, done))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_all(), name="motif-job-writer")
        return await done  # a caller that gives up leaves the group's write running in its own task

    async def _write_all(self) -> None:
        group: list[tuple[NewJob, asyncio.Future[tuple[Job, bool]]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                await self._write_group(group)
        except asyncio.CancelledError:  # shutting down: nobody may wait for a write that will not come
            for _, done in group + self._waiting:
                done.cancel()
            raise

    async def _write_group(self, group: list[tuple[NewJob, asyncio.Future[tuple[Job, bool]]]]) -> None:
        try:
            results = await self.store.enqueue_jobs([job for job, _ in group])
        except Exception as exc:  # noqa: BLE001 - one request's bad data must not fail the others
            if len(group) == 1:
                _settle(group[0][1], exc)
                return
            log.warning("a group of %d jobs could not be written together; writing them one by one", len(group))
            for job, done in group:
                try:
                    _settle(done, (await self.store.enqueue_jobs([job]))[0])
                except Exception as one_exc:  # noqa: BLE001 - this request's own failure, told to its caller
                    _settle(done, one_exc)
            return
        self.groups_written += 1
        for (_, done), result in zip(group, results, strict=True):
            _settle(done, result)


def _settle(done: asyncio.Future[tuple[Job, bool]], outcome: tuple[Job, bool] | Exception) -> None:
    """Hand a caller its result or its error, unless it already gave up."""
    if done.done():
        return
    if isinstance(outcome, Exception):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
