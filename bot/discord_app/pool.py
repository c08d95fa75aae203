"""The worker pool: composing runs in separate processes, so the gateway's event loop never stalls on CPU work.

Processes are started with `spawn` (never `fork` from a process running an event loop and SQLite threads)
and each loads its models once, up front. Tests share one pool between many bots; a `WorkerConfig`
travels with every job so one pool can serve several databases.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from bot.discord_app.worker import WorkerConfig, run_request, warm_up


def start_executor(workers: int, engine: str) -> ProcessPoolExecutor:
    """A process pool of `workers` processes, each with the melody engine already loaded."""
    if workers < 1:
        raise ValueError(f"the worker pool needs at least 1 process, got {workers}")
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=warm_up, initargs=(engine,)
    )


class WorkerPool:
    """Submit job payloads to worker processes and await their outcomes from the event loop."""

    def __init__(self, executor: Executor, config: WorkerConfig, size: int) -> None:
        self.executor = executor
        self.config = config
        self.size = size

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Compose one job in a worker process; the outcome dict of `worker.run_request`."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, run_request, self.config, payload)
