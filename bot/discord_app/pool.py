"""The worker pool: composing runs in separate processes, so the gateway's event loop never stalls on CPU work,
and a worker that dies costs only the call it was running.

Processes are started with `spawn` (never `fork` from a process running an event loop and SQLite threads)
and each loads its models once, up front (`worker.warm_up`, which also sets the per-process memory limit).

Crash recovery. The pool is `size` slots, each a one-process `ProcessPoolExecutor`, and a call holds a
slot for as long as it runs, so every call runs alone in its process and a death is pinned on exactly
one call: no guessing, and no other call is disturbed (one shared N-process executor would fail every
call in flight with `BrokenProcessPool` and reload every worker's models). When a slot's process dies
(a signal, the OOM killer, a native crash, `os._exit`), the slot gets a fresh executor with the same
spawn context and initializer, and the call is run once more there; if that process dies too, the call
raises `WorkerCrashed`. A process found dead before a call was handed to it (killed while idle) is
replaced without counting against the call. An ordinary exception raised by the function travels back
as itself and is never retried here.

Tests share one `ProcessGroup` between many bots; a `WorkerConfig` travels with every job so one group
can serve several databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.discord_app.worker import DEFAULT_MEMORY_LIMIT_BYTES, WorkerConfig, run_request, warm_up
from bot.failures import WorkerCrashed, explain
from bot.settings import DEFAULT_JOB_TIMEOUT_S

log = logging.getLogger(__name__)

T = TypeVar("T")

CRASH_ATTEMPTS = 2
"""Runs of one call before a dying worker is blamed on it: the first run, and one on a fresh process."""


DEFAULT_CALL_TIMEOUT_S = float(DEFAULT_JOB_TIMEOUT_S)


class _Overran(Exception):
    """A call ran past the group's time limit; its process has been killed."""


def crash_reason(exitcode: int | None) -> str:
    """How a worker process ended, in words: "killed by SIGKILL, usually a sign the machine ran out of
    memory", "exited with code 1", "stopped abruptly"."""
    if exitcode is None:
        return "stopped abruptly"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = ", usually a sign the machine ran out of memory" if -exitcode == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    if exitcode == 0:
        return "exited without answering"
    return f"exited with code {exitcode}"


class ProcessGroup:
    """`size` worker processes, each behind its own one-process executor (a slot); see the module docstring."""

    def __init__(
        self,
        size: int,
        engine: str,
        memory_limit_bytes: int | None = DEFAULT_MEMORY_LIMIT_BYTES,
        call_timeout_s: float | None = DEFAULT_CALL_TIMEOUT_S,
    ) -> None:
        if size < 1:
            raise ValueError(f"the worker pool needs at least 1 process, got {size}")
        self.size = size
        self.engine = engine
        self.memory_limit_bytes = memory_limit_bytes
        self.call_timeout_s = call_timeout_s
        self.replaced = 0
        """How many dead worker processes have been replaced (for logs and tests)."""
        self._context = multiprocessing.get_context("spawn")
        self._slots = [self._fresh() for _ in range(size)]
        self._free: deque[int] = deque(range(size))
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    def _fresh(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=self._context,
            initializer=warm_up,
            initargs=(self.engine, self.memory_limit_bytes),
        )

    def warm(self) -> None:
        """Start every process now (and load its models), instead of at its first call."""
        for executor in self._slots:
            executor.submit(int)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker process (both picklable, `fn` at a module's top level); its result, its
        exception, or `WorkerCrashed` when its process died on both runs or it ran past `call_timeout_s`
        (a hang is not run again: it would most likely hang again, and the user has waited long enough)."""
        slot = await self._acquire()
        reason = ""
        try:
            for attempt in range(1, CRASH_ATTEMPTS + 1):
                try:
                    return await self._run(slot, fn, args)
                except _Overran:
                    self._replace(slot)
                    log.warning("%s ran past %.0f s; its worker was killed", getattr(fn, "__name__", fn),
                                self.call_timeout_s)
                    raise WorkerCrashed(f"it ran past the {self.call_timeout_s:.0f} s limit", overran=True) from None
                except BrokenProcessPool:
                    reason = crash_reason(self._replace(slot))
                    log.warning(
                        "worker died running %s (run %d of %d): %s",
                        getattr(fn, "__name__", fn),
                        attempt,
                        CRASH_ATTEMPTS,
                        reason,
                    )
            raise WorkerCrashed(reason)
        finally:
            self._release(slot)

    async def _run(self, slot: int, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        """One run of the call in the slot's process, killed (and `_Overran` raised) past the time limit."""
        future = asyncio.wrap_future(self._submit(slot, fn, args))
        if self.call_timeout_s is None:
            return await future
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.call_timeout_s)
        except TimeoutError:
            _kill(self._slots[slot])
            with contextlib.suppress(Exception):  # BrokenProcessPool, once the kill lands
                await asyncio.wait_for(future, 5 * EXITCODE_WAIT_S)
            raise _Overran from None

    def _submit(self, slot: int, fn: Callable[..., T], args: tuple[Any, ...]) -> Future[T]:
        """Hand the call to the slot's process; a process that died while idle is replaced first, uncounted."""
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        try:
            return self._slots[slot].submit(fn, *args)
        except BrokenProcessPool:
            log.warning("worker %d had died while idle: %s", slot, crash_reason(self._replace(slot)))
            return self._slots[slot].submit(fn, *args)

    def _replace(self, slot: int) -> int | None:
        """Swap the slot's broken executor for a fresh one; the dead process's exit code, if known."""
        broken = self._slots[slot]
        exitcode = _exitcode(broken)
        broken.shutdown(wait=False, cancel_futures=True)
        self._slots[slot] = self._fresh()
        self.replaced += 1
        return exitcode

    async def _acquire(self) -> int:
        """A free slot, waiting (first come, first served) while all are busy."""
        loop = asyncio.get_running_loop()
        while not self._free:
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # woken, then cancelled: pass the turn on
                raise
            finally:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        return self._free.popleft()

    def _release(self, slot: int) -> None:
        self._free.append(slot)
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_result(None)
                return

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop every worker process (each finishes its current call first when `wait`)."""
        self._closed = True
        for executor in self._slots:
            executor.shutdown(wait=wait, cancel_futures=cancel_futures)


EXITCODE_WAIT_S = 1.0
"""How long to wait for a dead worker's exit code (only the message needs it)."""


def _kill(executor: ProcessPoolExecutor) -> None:
    """SIGKILL a one-process executor's process (through `_processes`, as `_exitcode` reads it); without that
    map the hung process is left to finish alone while the slot moves on to a fresh one."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()


def _exitcode(executor: ProcessPoolExecutor) -> int | None:
    """The exit code of a broken one-process executor's process. Reads `_processes`, the executor's private
    pid -> Process map: only for the message, so a Python that renames it costs the detail, not the recovery."""
    processes = getattr(executor, "_processes", None) or {}
    deadline = time.monotonic() + EXITCODE_WAIT_S
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.join(timeout=EXITCODE_WAIT_S)
            # The executor's own thread reaps the dead child too; when it wins that race our waitpid fails and
            # the code appears a moment later, once that thread has stored it (seen under load as "stopped
            # abruptly" for a plain os._exit(3)).
            while process.exitcode is None and time.monotonic() < deadline:
                time.sleep(0.01)
            return process.exitcode
    return None


def start_workers(
    workers: int,
    engine: str,
    memory_limit_bytes: int | None = DEFAULT_MEMORY_LIMIT_BYTES,
    call_timeout_s: float | None = DEFAULT_CALL_TIMEOUT_S,
) -> ProcessGroup:
    """`workers` worker processes, each with the melody engine loaded, its memory capped and its calls timed."""
    return ProcessGroup(workers, engine, memory_limit_bytes, call_timeout_s)


class WorkerPool:
    """Jobs and other heavy calls for one bot (one `WorkerConfig`) on a shared `ProcessGroup`."""

    def __init__(self, processes: ProcessGroup, config: WorkerConfig) -> None:
        self.processes = processes
        self.config = config

    @property
    def size(self) -> int:
        return self.processes.size

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run any picklable module-level `fn(*args)` off the event loop, in a worker process, with the same
        crash recovery as jobs (e.g. drawing a picture); raises `WorkerCrashed` if its process dies twice."""
        return await self.processes.call(fn, *args)

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Compose one job in a worker process; the outcome dict of `worker.run_request`, also when the
        worker died on both runs (then `{"ok": False, "crashed": True, "message": ...}`, not to be retried)."""
        try:
            return await self.call(run_request, self.config, payload)
        except WorkerCrashed as exc:
            return crashed_outcome(exc)


def crashed_outcome(crash: WorkerCrashed) -> dict[str, Any]:
    """The outcome of a job whose worker died on every run or ran out of time: a clear answer, no retry."""
    return {
        "ok": False,
        "retry": False,
        "crashed": True,
        "error": f"worker {'ran out of time' if crash.overran else 'crashed twice'}: {crash.reason}",
        "message": explain(crash, local=False).message,
    }
