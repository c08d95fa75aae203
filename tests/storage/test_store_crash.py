"""kill -9 at random moments: the file stays intact and nothing reported as committed is lost.

A writer process (`crash_writer.py`) adds generations and jobs in a loop and logs each one only after
its commit returned; it is SIGKILLed 20 times at random points (some during start-up and migration,
most mid-write). After each kill a fresh connection recovers the WAL and must find an intact database
holding every logged row with identical MIDI bytes. This checks SQLite's atomicity under process
death (the page cache survives), not power loss. SQLite only: it is about the file and its WAL; on
PostgreSQL the server owns durability (the outage test is in test_pg_server.py).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from storage import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
TABLES_AT = {
    0: set(),
    1: {"generations"},
    2: {"generations", "users", "guilds", "presets", "jobs", "feedback"},
}


@dataclass
class Committed:
    """What the writer said it committed, parsed from its log (whole lines only)."""

    generations: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (sha256, parent)
    jobs: dict[str, str] = field(default_factory=dict)  # id -> key
    done: dict[str, str] = field(default_factory=dict)  # job id -> generation id
    ready: int = 0


def _read_log(path: Path) -> Committed:
    seen = Committed()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            continue  # a line cut by the kill names nothing (os.write makes this unlikely)
        kind, *rest = line.split()
        if kind == "ready":
            seen.ready += 1
        elif kind == "gen":
            seen.generations[rest[0]] = (rest[1], None if rest[2] == "-" else rest[2])
        elif kind == "job":
            seen.jobs[rest[0]] = rest[1]
        elif kind == "done":
            seen.done[rest[0]] = rest[1]
    return seen


def _check_schema(raw: sqlite3.Connection, seen: Committed) -> bool:
    """A kill during migration leaves a whole earlier version; return whether the schema is current."""
    version = raw.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == TABLES_AT[version], f"version {version} with tables {sorted(tables)}"
    if version < SCHEMA_VERSION:
        assert seen.ready == 0, "a writer reported ready on a database that is not migrated"
    return version == SCHEMA_VERSION


def _check(db: Path, seen: Committed, kills: int) -> int:
    """Assert the database is intact and holds everything logged; return how many rows it holds unlogged."""
    with closing(sqlite3.connect(db)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        if not _check_schema(raw, seen):
            return 0
        gens = {row[0]: (hashlib.sha256(row[1]).hexdigest(), row[2])
                for row in raw.execute("SELECT id, midi, parent_id FROM generations")}
        jobs = {row[0]: row[1:] for row in raw.execute("SELECT id, idempotency_key, state, result_json FROM jobs")}
    for gen_id, expected in seen.generations.items():
        assert gens.get(gen_id) == expected, f"generation {gen_id} lost or changed after a kill"
    for job_id, key in seen.jobs.items():
        assert job_id in jobs and jobs[job_id][0] == key, f"job {job_id} lost after a kill"
    for job_id, gen_id in seen.done.items():
        assert jobs[job_id][1:] == ("done", f'{{"generation_id":"{gen_id}"}}'), f"job {job_id} not done"
    # At most one commit per table can land between a commit and its log line, once per kill.
    assert len(seen.generations) <= len(gens) <= len(seen.generations) + kills
    assert len(seen.jobs) <= len(jobs) <= len(seen.jobs) + kills
    return len(gens) - len(seen.generations) + len(jobs) - len(seen.jobs)


def _wait_for_ready(log: Path, count: int, proc: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while _read_log(log).ready < count:
        assert proc.poll() is None, f"writer exited early: {proc.stderr.read().decode() if proc.stderr else ''}"
        assert time.monotonic() < deadline, "writer did not open the store in time"
        time.sleep(0.01)


def _run_and_kill(db: Path, log: Path, run: int, rng: random.Random, ready_so_far: int) -> bool:
    """Start a writer and SIGKILL it; return whether it was killed after opening the store."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.crash_writer", str(db), str(log), str(run)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    early = run % 5 == 0  # every fifth kill lands while the writer starts up (run 0: during migration)
    if early:
        time.sleep(rng.uniform(0.05, 0.6))
    else:
        _wait_for_ready(log, ready_so_far + 1, proc)
        time.sleep(rng.uniform(0.0, 0.3))
    assert proc.poll() is None, f"writer exited on its own: {proc.stderr.read().decode() if proc.stderr else ''}"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    if proc.stderr:
        proc.stderr.close()
    return not early


async def test_sigkill_loses_nothing_that_was_reported_committed(tmp_path: Path) -> None:
    db, log = tmp_path / "crash.db", tmp_path / "commits.log"
    rng = random.Random(20240601)
    started = time.monotonic()
    unlogged = 0
    for run in range(KILLS):
        _run_and_kill(db, log, run, rng, _read_log(log).ready)
        unlogged = _check(db, _read_log(log), run + 1)
    elapsed_s = time.monotonic() - started
    seen = _read_log(log)
    assert elapsed_s < 60, f"{KILLS} kill rounds took {elapsed_s:.1f} s"
    assert len(seen.generations) >= 50 and seen.done, "the writer barely wrote; the kills tested little"
    async with Store.open(db) as store:  # the store itself reopens, and replays see the accepted jobs
        for job_id, key in list(seen.jobs.items())[:50]:
            job, created = await store.enqueue_job(key, "compose", {}, "local:crash")
            assert not created and job.id == job_id
        some = next(iter(seen.generations))
        assert (await store.get_generation(some)) is not None
    print(f"crash test: {KILLS} SIGKILLs, {len(seen.generations)} generations and {len(seen.jobs)} jobs "
          f"logged as committed, all present and intact; {unlogged} rows committed but killed before "
          f"their log line; {elapsed_s:.1f} s")
