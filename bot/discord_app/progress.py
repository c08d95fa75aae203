"""Live queue positions: the "Queued: position N" replies are re-edited as the queue drains.

The queue calls `QueueBoard.changed()` whenever a job starts or finishes; a background task then reads
the pending jobs (oldest first, the order `Store.queue_position` reports) and edits the live replies
whose position moved. Each reply is edited at most once per `interval_s` (a throttled reply is edited
when its interval is up), and a reply that has started composing or holds its piece is never touched:
the handles drop queued edits once their job has started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import discord

from bot.discord_app.handles import Tracker
from storage import Store, StoreError

log = logging.getLogger(__name__)

MAX_LIVE_REPLIES = 10
"""Only the replies nearest the front are kept current, so a long queue costs a bounded number of edits."""


def queued_text(position: int) -> str:
    """What a waiting reply says (the same words at intake and on every update)."""
    return f"Queued: position {position}. Motif will post the piece here."


class QueueBoard:
    """Keeps waiting replies' queue positions current, throttled per reply."""

    def __init__(
        self,
        store: Store,
        tracker: Tracker,
        interval_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.tracker = tracker
        self.interval_s = interval_s
        self._clock = clock
        self._shown: dict[str, int] = {}
        self._edited_at: dict[str, float] = {}
        self._dirty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def note_shown(self, key: str, position: int) -> None:
        """Intake showed `position` on the reply for `key` just now (counts against the throttle)."""
        self._shown[key] = position
        self._edited_at[key] = self._clock()

    def changed(self) -> None:
        """The queue moved (a job started or finished): refresh soon."""
        self._dirty.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="motif-queue-board")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                wait_s = await self.refresh()
            except (StoreError, OSError, discord.DiscordException):
                log.exception("refreshing queue positions failed")
                wait_s = self.interval_s
            if wait_s is not None:
                await asyncio.sleep(wait_s)
                self._dirty.set()

    async def refresh(self) -> float | None:
        """Edit every live waiting reply whose position moved; returns how long until a throttled one may be
        edited (None when nothing is held back)."""
        pending = await self.store.pending_jobs(limit=MAX_LIVE_REPLIES)
        waiting = {job.idempotency_key for job in pending}
        for key in [k for k in self._shown if k not in waiting]:
            self._shown.pop(key, None)
            self._edited_at.pop(key, None)
        held_back: float | None = None
        for position, job in enumerate(pending, start=1):
            key = job.idempotency_key
            handle = self.tracker.live(key)
            if handle is None or self._shown.get(key) == position:
                continue
            wait_s = self._edited_at.get(key, float("-inf")) + self.interval_s - self._clock()
            if wait_s > 0:
                held_back = wait_s if held_back is None else min(held_back, wait_s)
                continue
            self.note_shown(key, position)
            try:
                await handle.show(queued_text(position), queued=True)
            except discord.HTTPException as exc:  # deleted reply, expired token: stop updating it
                log.info("could not update the queue position of %s: %s", key, exc)
        return held_back
