"""The queue shared by many machines, on both engines: fair turns kept in the table (not in one process's
memory), jobs held until acknowledged, progress recorded before posting, and the figures to monitor."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import Job, Store, StoreError

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
