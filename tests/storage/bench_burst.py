"""Where a burst's acknowledgement time goes on PostgreSQL (not a test): 200 requests written at once from one
process, as the bot writes them (`enqueue_job` held, with the rate-limit quota, deferring procrastinate's
job), timed one by one from the moment each starts.

Variants, each on a fresh schema of one throwaway server (tests/pg_server.py, fsync off as in the tests):

- `plain`: no quota, no procrastinate job: the pool (8 connections) and the insert alone;
- `defer`: + procrastinate's job in the same transaction;
- `quota`: + the rate limits (the user's and the server's advisory locks, held to the commit);
- `quota+busy`: the same while the event loop is also busy (a task that takes 4 ms of CPU every 5 ms, as
  the bot's loop is while it reads 200 interactions and answers them): a transaction holding the server's
  lock waits for the loop between its statements, and every other request of the server waits on it.

Run: .venv/bin/python -m tests.storage.bench_burst [--requests 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import timedelta
from typing import Any

from storage import Quota, Store
from storage.records import utc_now
from tests.pg_server import create_schema, remove_server, start_server

USERS = 50


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _busy(stop: asyncio.Event) -> None:
    """Keep the loop busy: 4 ms of CPU, then 1 ms free, until told to stop."""
    while not stop.is_set():
        end = time.perf_counter() + 0.004
        while time.perf_counter() < end:
            pass
        await asyncio.sleep(0.001)


async def _burst(url: str, requests: int, *, quota: bool, defer_run: bool, busy: bool) -> dict[str, Any]:
    async with Store.open(url) as store:
        limits = Quota(since=utc_now() - timedelta(hours=1), per_user=30, per_guild=300) if quota else None
        stop = asyncio.Event()
        loader = asyncio.create_task(_busy(stop)) if busy else None
        took: list[float] = []

        async def one(n: int) -> None:
            start = time.perf_counter()
            await store.enqueue_job(f"k{n}", "compose", {"n": n}, f"discord:{n // (requests // USERS)}", "discord:g",
                                    hold_s=30.0, quota=limits, defer_run=defer_run)
            took.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(requests)))
        wall = time.perf_counter() - began
        stop.set()
        if loader is not None:
            await loader
    return {"p50_ms": round(statistics.median(took) * 1000), "p99_ms": round(_percentile(took, 0.99) * 1000),
            "all_written_ms": round(wall * 1000)}


async def run(requests: int) -> dict[str, dict[str, Any]]:
    server = await asyncio.to_thread(start_server)
    try:
        figures: dict[str, dict[str, Any]] = {}
        for name, quota, defer_run, busy in (("plain", False, False, False), ("defer", False, True, False),
                                            ("quota", True, True, False), ("quota+busy", True, True, True),
                                            ("defer+busy", False, True, True)):
            url = await create_schema(server, prefix="burst")
            figures[name] = await _burst(url, requests, quota=quota, defer_run=defer_run, busy=busy)
        return figures
    finally:
        await asyncio.to_thread(remove_server, server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args.requests))
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.requests} requests written at once from one process")
    for name, row in figures.items():
        print(f"{name:>12}: " + ", ".join(f"{k} {v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
