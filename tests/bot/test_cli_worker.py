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
