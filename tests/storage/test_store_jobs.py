"""Jobs: idempotent enqueue, atomic claims under leases, retries, expiry, and a fair round robin on top."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import Job, Store, StoreError
from tests.storage.raw import CHECK, INTEGRITY_ERRORS, RawDb

LEASE_S = 60.0


async def _enqueue(store: Store, key: str, user: str | None = "discord:1", **kwargs: object) -> Job:
    job, created = await store.enqueue_job(key, "compose", {"prompt": f"tune {key}"}, user, "discord:g", **kwargs)  # type: ignore[arg-type]
    assert created
    return job


async def test_enqueue_is_idempotent_per_key(store: Store) -> None:
    job, created = await store.enqueue_job("interaction-7", "compose", {"prompt": "a reel"}, "discord:1", "discord:g")
    assert created and job.state == "pending" and job.attempts == 0 and job.payload == {"prompt": "a reel"}
    again, created_again = await store.enqueue_job("interaction-7", "compose", {"prompt": "a reel"}, "discord:1")
    assert not created_again and again == job
    assert await store.get_job_by_key("interaction-7") == job == await store.get_job(job.id)
    assert await store.get_job_by_key("interaction-8") is None
    with pytest.raises(StoreError, match="already names a 'compose' job, not a 'remix' job"):
        await store.enqueue_job("interaction-7", "remix", {}, "discord:1")


async def test_concurrent_enqueues_of_one_key_from_two_connections_make_one_job(store: Store, location: Path | str) -> None:
    async with Store.open(location) as other:
        results = await asyncio.gather(
            *(s.enqueue_job("dup", "compose", {"n": 1}, "discord:1") for s in (store, other) * 10)
        )
    assert sum(created for _, created in results) == 1
    assert len({job.id for job, _ in results}) == 1
    assert len(await store.pending_jobs()) == 1


async def test_claims_are_oldest_first_and_count_attempts(store: Store) -> None:
    first, second = await _enqueue(store, "k1"), await _enqueue(store, "k2")
    claimed = await store.claim_next_job("worker-a", LEASE_S)
    assert claimed is not None and claimed.id == first.id
    assert (claimed.state, claimed.attempts, claimed.worker_id) == ("running", 1, "worker-a")
    assert claimed.lease_until is not None and 59 < (claimed.lease_until - claimed.updated_at).total_seconds() <= 60
    assert (await store.claim_next_job("worker-b", LEASE_S)).id == second.id  # type: ignore[union-attr]
    assert await store.claim_next_job("worker-c", LEASE_S) is None


async def test_two_stores_claiming_at_once_never_share_a_job(store: Store, location: Path | str) -> None:
    for i in range(20):
        await _enqueue(store, f"k{i}")
    async with Store.open(location) as other:
        claims = await asyncio.gather(
            *(s.claim_next_job(f"w{i}", LEASE_S) for i, s in enumerate((store, other) * 20))
        )
    won = [job.id for job in claims if job is not None]
    assert len(won) == 20 and len(set(won)) == 20
    assert await store.pending_jobs() == []


async def test_complete_records_the_result_once(store: Store) -> None:
    job = await _enqueue(store, "k1")
    await store.claim_next_job("w1", LEASE_S)
    done = await store.complete_job(job.id, {"generation_id": "abc", "message_id": "m-1"}, worker_id="w1")
    assert done.state == "done" and done.result == {"generation_id": "abc", "message_id": "m-1"}
    assert done.lease_until is None and done.attempts == 1
    with pytest.raises(StoreError, match="it is done, not running"):
        await store.complete_job(job.id, {"generation_id": "other"})
    assert (await store.get_job(job.id)).result == {"generation_id": "abc", "message_id": "m-1"}  # type: ignore[union-attr]
    assert await store.claim_next_job("w2", LEASE_S) is None
    again, created = await store.enqueue_job("k1", "compose", {"prompt": "tune k1"}, "discord:1")
    assert not created and again.state == "done"  # a redelivered request sees the finished job


async def test_retry_until_attempts_run_out(store: Store) -> None:
    job = await _enqueue(store, "k1", max_attempts=2)
    await store.claim_next_job("w1", LEASE_S)
    retried = await store.fail_job(job.id, "fluidsynth timed out", retry=True)
    assert (retried.state, retried.attempts, retried.error) == ("pending", 1, "fluidsynth timed out")
    second = await store.claim_next_job("w1", LEASE_S)
    assert second is not None and second.attempts == 2
    final = await store.fail_job(job.id, "timed out again", retry=True)
    assert (final.state, final.error) == ("failed", "timed out again")
    assert await store.claim_next_job("w1", LEASE_S) is None


async def test_fail_without_retry_is_final_and_retry_after_delays(store: Store) -> None:
    doomed, later = await _enqueue(store, "k1"), await _enqueue(store, "k2")
    await store.claim_next_job("w1", LEASE_S)
    assert (await store.fail_job(doomed.id, "bad prompt", retry=False)).state == "failed"
    await store.claim_next_job("w1", LEASE_S)
    await store.fail_job(later.id, "busy", retry=True, retry_after_s=0.3)
    assert await store.claim_next_job("w1", LEASE_S) is None  # not yet
    assert await store.queue_position(later.id) == 1
    await asyncio.sleep(0.35)
    assert (await store.claim_next_job("w1", LEASE_S)).id == later.id  # type: ignore[union-attr]


async def test_an_expired_lease_is_taken_over_and_the_old_worker_is_refused(store: Store) -> None:
    job = await _enqueue(store, "k1")
    await store.claim_next_job("crashed", 0.05)
    assert await store.claim_next_job("w2", LEASE_S) is None  # lease still held
    await asyncio.sleep(0.1)
    taken = await store.claim_next_job("w2", LEASE_S)
    assert taken is not None and (taken.id, taken.worker_id, taken.attempts) == (job.id, "w2", 2)
    with pytest.raises(StoreError, match="worker 'crashed' lost its lease to 'w2'"):
        await store.complete_job(job.id, {"posted": True}, worker_id="crashed")
    with pytest.raises(StoreError, match="lost its lease"):
        await store.extend_lease(job.id, "crashed", LEASE_S)
    assert (await store.complete_job(job.id, {"posted": True}, worker_id="w2")).state == "done"


async def test_extend_lease_keeps_a_long_job(store: Store) -> None:
    await _enqueue(store, "k1")
    job = await store.claim_next_job("w1", 0.2)
    assert job is not None
    await asyncio.sleep(0.1)
    extended = await store.extend_lease(job.id, "w1", LEASE_S)
    assert extended.lease_until > job.lease_until  # type: ignore[operator]
    await asyncio.sleep(0.15)
    assert await store.claim_next_job("w2", LEASE_S) is None


async def test_a_job_whose_last_lease_expired_fails_instead_of_looping(store: Store) -> None:
    job = await _enqueue(store, "poison", max_attempts=1)
    await store.claim_next_job("w1", 0.05)
    await asyncio.sleep(0.1)
    assert await store.claim_next_job("w2", LEASE_S) is None
    failed = await store.get_job(job.id)
    assert failed is not None and failed.state == "failed" and failed.lease_until is None
    assert failed.error == "lease expired on attempt 1 of 1 (worker w1 stopped or hung)"


async def test_round_robin_idiom_from_the_docstring_gives_users_turns(store: Store) -> None:
    for key, user in [("a1", "discord:a"), ("a2", "discord:a"), ("a3", "discord:a"), ("b1", "discord:b"),
                      ("c1", "discord:c"), ("n1", None), ("c2", "discord:c")]:
        await _enqueue(store, key, user)
    order: list[str] = []
    served: set[str] = set()
    while (job := await store.claim_next_job("w", LEASE_S, prefer_users_not_in=served)) is not None:
        if job.user_id in served:
            served.clear()
        if job.user_id is not None:
            served.add(job.user_id)
        order.append(job.idempotency_key)
    assert order == ["a1", "b1", "c1", "n1", "a2", "c2", "a3"]


async def test_queue_views(store: Store) -> None:
    for key, user in [("a1", "discord:a"), ("b1", "discord:b"), ("a2", "discord:a")]:
        await _enqueue(store, key, user)
    by_user = await store.pending_jobs_by_user()
    assert {u: [j.idempotency_key for j in jobs] for u, jobs in by_user.items()} == {
        "discord:a": ["a1", "a2"], "discord:b": ["b1"]
    }
    a2 = await store.get_job_by_key("a2")
    assert a2 is not None and await store.queue_position(a2.id) == 3
    running = await store.claim_next_job("w", LEASE_S)
    assert running is not None and await store.queue_position(running.id) is None
    assert await store.queue_position(a2.id) == 2
    assert [j.idempotency_key for j in await store.pending_jobs()] == ["b1", "a2"]


async def test_accepted_jobs_survive_a_restart(location: Path | str) -> None:
    async with Store.open(location) as store:
        job = await _enqueue(store, "k1")
        await _enqueue(store, "k2")
        await store.claim_next_job("w1", LEASE_S)
    async with Store.open(location) as reopened:
        assert (await reopened.get_job(job.id)).state == "running"  # type: ignore[union-attr]
        assert [j.idempotency_key for j in await reopened.pending_jobs()] == ["k2"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.enqueue_job("", "compose", {}), "idempotency key must be a non-empty string"),
        (lambda s: s.enqueue_job("k", "compose", ["x"]), "job payload must be a dict"),
        (lambda s: s.enqueue_job("k", "compose", {"x": float("nan")}), "JSON-serialisable"),
        (lambda s: s.enqueue_job("k", "compose", {}, "1234"), "platform-qualified"),
        (lambda s: s.enqueue_job("k", "compose", {}, max_attempts=0), "max_attempts must be a positive integer"),
        (lambda s: s.claim_next_job("w", 0), "lease_s must be a positive number"),
        (lambda s: s.claim_next_job("", 1.0), "worker id"),
        (lambda s: s.complete_job("nojob", {}), "job 'nojob' does not exist"),
        (lambda s: s.complete_job("nojob", "done"), "job result must be a dict"),
        (lambda s: s.fail_job("nojob", "", retry=True), "error must be a non-empty string"),
        (lambda s: s.fail_job("nojob", "x", retry=True, retry_after_s=-1), "retry_after_s must be a positive"),
    ],
)
async def test_bad_job_calls_get_clear_errors(store: Store, call: object, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        await call(store)  # type: ignore[operator]


async def test_schema_forbids_a_running_job_without_a_lease(store: Store, raw: RawDb) -> None:
    job = await _enqueue(store, "k1")
    with pytest.raises(INTEGRITY_ERRORS, match=CHECK):
        await raw.execute("UPDATE jobs SET state = 'running' WHERE id = ?", job.id)
    with pytest.raises(INTEGRITY_ERRORS, match=CHECK):
        await raw.execute("UPDATE jobs SET state = 'lost' WHERE id = ?", job.id)
