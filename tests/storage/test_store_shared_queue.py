"""The queue shared by many machines, on both engines: fair turns kept in the table (not in one process's
memory), jobs held until acknowledged, progress recorded before posting, and the figures to monitor."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from storage import Job, Quota, QuotaExceeded, Store, StoreError
from storage.records import utc_now

LEASE_S = 60.0


async def _enqueue(store: Store, key: str, user: str, **kwargs: object) -> Job:
    job, created = await store.enqueue_job(key, "compose", {"k": key}, user, "discord:g", **kwargs)  # type: ignore[arg-type]
    assert created
    return job


async def test_fair_turns_go_round_robin_by_user_across_separate_stores(store: Store, location: Path | str) -> None:
    """Three users queue a burst each, one after the other; claimers on three connections (three machines)
    take every user's first job before anyone's second, with no state shared but the table."""
    for user in ("a", "b", "c"):
        for n in range(3):
            await _enqueue(store, f"{user}{n}", f"discord:{user}")
    async with Store.open(location) as second, Store.open(location) as third:
        claimers = (store, second, third)
        order: list[str] = []
        for turn in range(9):
            job = await claimers[turn % 3].claim_next_job(f"w{turn % 3}", LEASE_S, fair_turns=True)
            assert job is not None
            order.append(job.idempotency_key)
            await claimers[turn % 3].complete_job(job.id, {}, worker_id=f"w{turn % 3}")
    assert order == ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]


async def test_a_newcomer_is_served_before_a_user_who_has_had_turns(store: Store) -> None:
    await _enqueue(store, "a0", "discord:a")
    await _enqueue(store, "a1", "discord:a")
    first = await store.claim_next_job("w", LEASE_S, fair_turns=True)
    assert first is not None and first.idempotency_key == "a0"
    await _enqueue(store, "b0", "discord:b")  # arrives later, but has never been served
    nxt = await store.claim_next_job("w", LEASE_S, fair_turns=True)
    assert nxt is not None and nxt.idempotency_key == "b0"


async def test_concurrent_fair_claims_never_share_a_job(store: Store, location: Path | str) -> None:
    for n in range(12):
        await _enqueue(store, f"k{n}", f"discord:{n % 4}")
    async with Store.open(location) as other:
        claims = await asyncio.gather(
            *(s.claim_next_job(f"w{i}", LEASE_S, fair_turns=True) for i, s in enumerate((store, other) * 7))
        )
    taken = [job.id for job in claims if job is not None]
    assert len(taken) == 12 == len(set(taken))


async def test_a_held_job_waits_for_its_release(store: Store) -> None:
    job = await _enqueue(store, "held", "discord:a", hold_s=30.0)
    assert job.run_after is not None
    assert await store.claim_next_job("w", LEASE_S, fair_turns=True) is None
    assert await store.release_job(job.id) is True
    assert await store.release_job(job.id) is False  # released once
    claimed = await store.claim_next_job("w", LEASE_S, fair_turns=True)
    assert claimed is not None and claimed.id == job.id
    assert await store.release_job(job.id) is False  # a running job is nobody's to release


async def test_progress_is_recorded_by_the_holder_only(store: Store) -> None:
    job = await _enqueue(store, "p", "discord:a")
    claimed = await store.claim_next_job("w1", LEASE_S)
    assert claimed is not None
    recorded = await store.record_job_result(job.id, {"composed": {"id": "g1"}, "message_id": "9"}, worker_id="w1")
    assert recorded.state == "running" and recorded.result == {"composed": {"id": "g1"}, "message_id": "9"}
    with pytest.raises(StoreError, match="lost its lease"):
        await store.record_job_result(job.id, {}, worker_id="w2")
    done = await store.complete_job(job.id, {"message_id": "9"}, worker_id="w1")
    with pytest.raises(StoreError, match="not running"):
        await store.record_job_result(done.id, {}, worker_id="w1")


async def test_queue_health_counts_what_waits_runs_and_fails(store: Store) -> None:
    empty = await store.queue_health()
    assert (empty.pending, empty.running, empty.oldest_pending_s, empty.failed_last_hour) == (0, 0, None, 0)
    for n in range(3):
        await _enqueue(store, f"h{n}", "discord:a")
    running = await store.claim_next_job("w", LEASE_S)
    assert running is not None
    failing = await store.claim_next_job("w", LEASE_S)
    assert failing is not None
    await store.fail_job(failing.id, "boom", retry=False, worker_id="w")
    health = await store.queue_health()
    assert (health.pending, health.running, health.failed_last_hour, health.done_last_hour) == (1, 1, 1, 0)
    assert health.oldest_pending_s is not None and 0 <= health.oldest_pending_s < 60


async def test_a_quota_holds_against_concurrent_admissions_from_two_stores(store: Store, location: Path | str) -> None:
    """Twenty requests of one person at once through two connections (two bot replicas), five allowed: five
    jobs exactly, on both engines; then the server's limit binds across people as well."""
    since = utc_now() - timedelta(hours=1)
    quota = Quota(since, per_user=5, per_guild=7)

    async def admit(s: Store, n: int, user: str) -> bool:
        try:
            await s.enqueue_job(f"{user}-{n}", "compose", {}, user, "discord:g", quota=quota)
        except QuotaExceeded as exc:
            assert exc.scope in ("user", "guild")
            return False
        return True

    async with Store.open(location) as other:
        admitted = await asyncio.gather(*(admit((store, other)[n % 2], n, "discord:a") for n in range(20)))
        assert sum(admitted) == 5
        assert await store.count_jobs_since(since, user_id="discord:a") == 5
        more = await asyncio.gather(*(admit((store, other)[n % 2], n, "discord:b") for n in range(6)))
    assert sum(more) == 2  # the server's 7: 5 of a's, then 2 of b's
    taken = (await store.pending_jobs())[0]
    again, created = await store.enqueue_job(taken.idempotency_key, "compose", {}, "discord:a", "discord:g", quota=quota)
    assert not created and again.id == taken.id  # a redelivered request finds its job, never a refusal
    failed = await store.claim_next_job("w", LEASE_S)
    assert failed is not None
    await store.fail_job(failed.id, "boom", retry=False, worker_id="w")  # an apology costs no allowance
    assert await admit(store, 99, "discord:b")


async def test_workers_elsewhere_are_woken_when_a_job_can_be_taken(store: Store, location: Path | str, backend: str) -> None:
    """PostgreSQL: LISTEN/NOTIFY from another connection: a new job wakes, a held one only once released,
    and a lost connection says so. SQLite: nothing to listen to (its one process wakes itself)."""
    woken = asyncio.Event()
    async with Store.open(location) as worker:
        listening = await worker.listen_for_jobs(woken.set)
        if backend == "sqlite":
            assert listening is None
            return
        assert listening is not None
        try:
            await _enqueue(store, "now", "discord:a")
            await asyncio.wait_for(woken.wait(), 5)
            woken.clear()
            held = await _enqueue(store, "held", "discord:a", hold_s=30.0)
            await asyncio.sleep(0.3)
            assert not woken.is_set()
            await store.release_job(held.id)
            await asyncio.wait_for(woken.wait(), 5)
            assert not listening.lost.is_set()
        finally:
            await listening.close()
        assert listening.lost.is_set()
