"""`motif worker`, `motif bot --external-queue` and `motif db queue` as an operator runs them (subprocesses):
the queue's figures for monitoring, and a clear one-line refusal where a shared queue cannot work."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from storage import Store
from tests.pg_server import PostgresServer, create_schema


def motif(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, MOTIF_DB=str(tmp_path / "motif.db"), DISCORD_TOKEN="not-a-real-token") | env
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=environ,
                          timeout=120, cwd=tmp_path)


async def _two_jobs_one_failed(db: Path) -> None:
    async with Store.open(db) as store:
        for key in ("a", "b", "c"):
            await store.enqueue_job(key, "discord", {}, "discord:1", "discord:g")
        job = await store.claim_next_job("w", 60.0)
        assert job is not None
        await store.fail_job(job.id, "boom", retry=False, worker_id="w")


def test_db_queue_reports_depth_age_and_failures(tmp_path: Path) -> None:
    asyncio.run(_two_jobs_one_failed(tmp_path / "motif.db"))
    proc = motif(["db", "queue", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    health = json.loads(proc.stdout)
    assert (health["pending"], health["running"], health["failed_last_hour"], health["done_last_hour"]) == (2, 0, 1, 0)
    assert 0 <= health["oldest_pending_s"] < 120
    readable = motif(["db", "queue"], tmp_path)
    assert readable.returncode == 0 and "2 waiting" in readable.stderr and "1 failed" in readable.stderr


def test_worker_and_external_queue_refuse_a_sqlite_store_in_one_line(tmp_path: Path) -> None:
    for args in (["worker"], ["bot", "--external-queue"]):
        proc = motif(args, tmp_path)
        assert proc.returncode == 2, (args, proc.stderr[-2000:])
        assert "PostgreSQL" in proc.stderr and "Traceback" not in proc.stderr
    env_var = motif(["bot"], tmp_path, MOTIF_EXTERNAL_QUEUE="true")  # the same switch from the environment
    assert env_var.returncode == 2 and "PostgreSQL" in env_var.stderr and "Traceback" not in env_var.stderr


async def _deferred_and_done(url: str) -> None:
    async with Store.open(url) as store:
        for key in ("a", "b"):
            await store.enqueue_job(key, "discord", {}, "discord:1", "discord:g", defer_run=True)
        claim = await store.claim_job((await store.get_job_by_key("a")).id, "w", 60.0)  # type: ignore[union-attr]
        assert claim.job is not None
        await store.complete_job(claim.job.id, {}, worker_id="w")


async def test_db_queue_on_postgresql_adds_procrastinates_jobs(tmp_path: Path, postgres_server: PostgresServer) -> None:
    url = await create_schema(postgres_server, prefix="cliqueue")
    await _deferred_and_done(url)
    proc = await asyncio.to_thread(motif, ["db", "queue", "--json"], tmp_path, MOTIF_DB=url)
    assert proc.returncode == 0, proc.stderr
    health = json.loads(proc.stdout)
    assert (health["pending"], health["running"], health["done_last_hour"]) == (1, 0, 1)
    assert health["runner"] == {"todo": 2}  # no worker ran them: procrastinate still has both to do
    readable = await asyncio.to_thread(motif, ["db", "queue"], tmp_path, MOTIF_DB=url)
    assert readable.returncode == 0 and "procrastinate: 2 todo" in readable.stderr
