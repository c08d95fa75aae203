"""Store latency benchmark (not a test): p50/p95 of writes and reads with 4 KB MIDI blobs, and of the
job queue (enqueue, a repeated enqueue of the same key, claim, complete).

Run: .venv/bin/python -m tests.storage.bench_store --ops 500 [--engine postgresql]
(postgresql: on a throwaway server started for the run, tests/pg_server.py, fsync off as in the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from storage import Store
from tests.storage.factories import midi_bytes, new_generation


async def _time_ms(ops: int, action: Callable[[int], Awaitable[object]]) -> dict[str, float]:
    samples: list[float] = []
    for i in range(ops):
        start = time.perf_counter()
        await action(i)
        samples.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(samples, n=20)
    return {"p50_ms": round(statistics.median(samples), 3), "p95_ms": round(cuts[18], 3)}


async def run(ops: int, db_path: Path | str) -> dict[str, dict[str, float]]:
    """Time `ops` sequential adds, gets, and 20-item history pages on a fresh store (a file or a URL)."""
    blobs = [midi_bytes(4096, seed=i) for i in range(ops)]
    ids: list[str] = []
    async with Store.open(db_path) as store:

        async def add(i: int) -> None:
            parent = ids[i // 2] if i and i % 3 == 0 else None  # a third of them are remixes
            ids.append((await store.add_generation(new_generation(seed=i, midi=blobs[i], parent_id=parent))).id)

        report = {"add_generation": await _time_ms(ops, add)}
        report["get_generation"] = await _time_ms(ops, lambda i: store.get_generation(ids[i]))
        report["list_generations_20"] = await _time_ms(ops, lambda i: store.list_generations(author="user-1"))
        report["lineage"] = await _time_ms(ops, lambda i: store.lineage(ids[-1 - i]))
        report["list_generation_summaries_20"] = await _time_ms(
            ops, lambda i: store.list_generation_summaries(author="user-1")
        )
        report.update(await _time_jobs(store, ops))
    return report


async def _time_jobs(store: Store, ops: int) -> dict[str, dict[str, float]]:
    """Queue round trip: `ops` enqueues (spread over 10 users), replays of the same keys, claims, completions."""
    claimed: list[str] = []

    async def enqueue(i: int) -> None:
        await store.enqueue_job(f"interaction-{i}", "compose", {"prompt": "a reel", "n": i}, f"discord:{i % 10}")

    async def claim(i: int) -> None:
        job = await store.claim_next_job("bench-worker", 120.0, prefer_users_not_in={f"discord:{i % 10}"})
        assert job is not None
        claimed.append(job.id)

    report = {"enqueue_job": await _time_ms(ops, enqueue)}
    report["enqueue_job_duplicate"] = await _time_ms(ops, enqueue)
    report["claim_next_job"] = await _time_ms(ops, claim)
    report["complete_job"] = await _time_ms(ops, lambda i: store.complete_job(claimed[i], {"generation_id": "x"}))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None, help="directory for the database (default: a temp dir)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    if args.engine == "postgresql":
        from tests.pg_server import create_database, remove_server, start_server

        server = start_server()
        try:
            url = asyncio.run(create_database(server, prefix="bench"))
            print(json.dumps(asyncio.run(run(args.ops, url))))
        finally:
            remove_server(server)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(json.dumps(asyncio.run(run(args.ops, Path(tmp) / "bench.db"))))


if __name__ == "__main__":
    main()
