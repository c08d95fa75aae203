"""procrastinate runs the jobs on PostgreSQL (storage/runner.py): our row and its procrastinate job are written
in one transaction, a real procrastinate worker fetches them round robin by user, `claim_job` keeps a job
held until acknowledged and a finished job finished, and rows without a procrastinate job get one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage import Job, Quota, QuotaExceeded, Store, StoreError
from storage.records import utc_now
from storage.runner import QUEUE, TASK_NAME, runner_app
from tests.pg_server import PostgresServer, create_schema

LEASE_S = 60.0


@pytest.fixture
async def store(postgres_server: PostgresServer) -> AsyncIterator[Store]:
    """PostgreSQL only: procrastinate runs jobs there alone (SQLite's one process runs its own lanes)."""
    async with Store.open(await create_schema(postgres_server, prefix="runner")) as opened:
        yield opened


async def _enqueue(store: Store, key: str, user: str, **kwargs: object) -> Job:
    job, created = await store.enqueue_job(key, "compose", {"k": key}, user, "discord:g", **kwargs)  # type: ignore[arg-type]
    assert created
    return job


async def _runs(store: Store) -> list[dict[str, object]]:
    rows = await store._read(  # noqa: SLF001 - procrastinate's own table, read as an operator would
        "SELECT lock, priority, status::text AS status, task_name, queue_name FROM procrastinate_jobs ORDER BY id"
    )
    return [dict(row) for row in rows]


async def test_the_row_and_its_procrastinate_job_commit_together(store: Store) -> None:
    job = await _enqueue(store, "k1", "discord:a", defer_run=True)
    assert await _runs(store) == [
        {"lock": job.id, "priority": 0, "status": "todo", "task_name": TASK_NAME, "queue_name": QUEUE}
    ]
    again, created = await store.enqueue_job("k1", "compose", {"k": "k1"}, "discord:a", defer_run=True)
    assert not created and again.id == job.id and len(await _runs(store)) == 1  # a redelivery defers nothing
    quota = Quota(since=utc_now() - timedelta(hours=1), per_user=1)
    with pytest.raises(QuotaExceeded):  # the refusal rolls back the row and its procrastinate job alike
        await _enqueue(store, "k2", "discord:a", defer_run=True, quota=quota)
    assert await store.get_job_by_key("k2") is None and len(await _runs(store)) == 1


async def test_a_real_worker_runs_every_members_first_job_before_anyones_second(store: Store) -> None:
    """Three members each queue a burst of three, one member after another (the worst case for first come,
    first served); procrastinate's own worker, one job at a time, runs them a, b, c, a, b, c..."""
    for user in ("a", "b", "c"):
        for n in range(3):
            await _enqueue(store, f"{user}{n}", f"discord:{user}", defer_run=True)
    url = store.postgres_url
    assert url is not None
    app = runner_app(url)
    order: list[str] = []

    @app.task(name=TASK_NAME, queue=QUEUE)
    async def run(job_id: str) -> None:
        claim = await store.claim_job(job_id, "w", LEASE_S)
        assert claim.job is not None
        order.append(claim.job.idempotency_key)
        await store.complete_job(job_id, {"ran": True}, worker_id="w")

    async with app.open_async():
        await asyncio.wait_for(app.run_worker_async(queues=[QUEUE], wait=False, install_signal_handlers=False), 60)
    assert order == ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]
    assert {run["status"] for run in await _runs(store)} == {"succeeded"}


async def test_claim_job_waits_for_the_release_and_never_runs_a_finished_job(store: Store) -> None:
    held = await _enqueue(store, "h", "discord:a", defer_run=True, hold_s=30.0)
    claim = await store.claim_job(held.id, "w1", LEASE_S)
    assert claim.job is None and claim.wait_until is not None and claim.wait_until > utc_now()
    assert await store.release_job(held.id)
    running = (await store.claim_job(held.id, "w1", LEASE_S)).job
    assert running is not None and running.state == "running" and running.attempts == 1
    taken = (await store.claim_job(held.id, "w2", LEASE_S)).job  # the runner judged w1 dead: taken over
    assert taken is not None and taken.worker_id == "w2" and taken.attempts == 2
    with pytest.raises(StoreError, match="lost its lease"):  # w1, if it was alive after all, cannot finish it
        await store.complete_job(held.id, {"message_id": "1"}, worker_id="w1")
    await store.complete_job(held.id, {"message_id": "2"}, worker_id="w2")
    assert await store.claim_job(held.id, "w3", LEASE_S) == type(claim)(None)  # done: a second run does nothing


async def test_a_job_stalled_on_its_last_attempt_is_failed_not_looped(store: Store) -> None:
    job, _ = await store.enqueue_job("last", "compose", {}, "discord:a", max_attempts=1, defer_run=True)
    assert (await store.claim_job(job.id, "w1", LEASE_S)).job is not None
    assert (await store.claim_job(job.id, "w2", LEASE_S)).job is None
    failed = await store.get_job(job.id)
    assert failed is not None and failed.state == "failed" and "w1 stopped or hung on attempt 1 of 1" in str(failed.error)


async def test_rows_without_a_procrastinate_job_get_one_once(store: Store) -> None:
    """A copied store's pending jobs (or jobs written before procrastinate ran them) are handed to it."""
    first = await _enqueue(store, "old1", "discord:a")
    second = await _enqueue(store, "old2", "discord:a")
    await _enqueue(store, "new", "discord:b", defer_run=True)
    assert await store.requeue_unscheduled_jobs() == 2
    assert await store.requeue_unscheduled_jobs() == 0
    by_lock = {run["lock"]: run["priority"] for run in await _runs(store)}
    assert by_lock[first.id] == -1 and by_lock[second.id] == -1  # each counts the other ahead
    assert (await store.runner_jobs()) == {"todo": 3}


async def test_defer_run_is_refused_on_sqlite(tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as lite:
        with pytest.raises(StoreError, match="needs the store on PostgreSQL"):
            await lite.enqueue_job("k", "compose", {}, "discord:a", defer_run=True)
        assert lite.postgres_url is None and await lite.requeue_unscheduled_jobs() == 0

