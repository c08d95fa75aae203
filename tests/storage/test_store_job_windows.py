"""Job counts over a time window (durable rate limits) and results kept on a retried job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import Store, StoreError

LEASE_S = 60.0


async def test_count_jobs_since_by_user_and_by_server_in_any_state(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    for key, user, guild in (("a", "discord:1", "g1"), ("b", "discord:1", "g2"), ("c", "discord:2", "g1")):
        await store.enqueue_job(key, "discord", {}, user, guild)
    claimed = await store.claim_next_job("w", LEASE_S)
    assert claimed is not None
    await store.fail_job(claimed.id, "boom", retry=False, worker_id="w")  # a failed job still counts
    assert await store.count_jobs_since(before, user_id="discord:1") == 2
    assert await store.count_jobs_since(before, guild_id="g1") == 2
    assert await store.count_jobs_since(before, user_id="discord:1", guild_id="g1") == 1
    assert await store.count_jobs_since(datetime.now(UTC) + timedelta(seconds=1), user_id="discord:1") == 0
    oldest = await store.oldest_job_since(before, user_id="discord:1")
    assert oldest is not None and before < oldest <= datetime.now(UTC)
    assert await store.oldest_job_since(before, user_id="discord:9") is None


async def test_count_jobs_since_refuses_unscoped_or_naive_windows(store: Store) -> None:
    with pytest.raises(StoreError, match="needs a user_id, a guild_id or both"):
        await store.count_jobs_since(datetime.now(UTC))
    with pytest.raises(StoreError, match="timezone-aware"):
        await store.count_jobs_since(datetime.now(), user_id="discord:1")  # noqa: DTZ005 - the mistake under test


async def test_a_retried_job_keeps_the_result_of_its_failed_attempt(store: Store) -> None:
    job, _ = await store.enqueue_job("k", "discord", {}, "discord:1", "g1")
    await store.claim_next_job("w", LEASE_S)
    kept = await store.fail_job(
        job.id, "post refused", retry=True, worker_id="w", result={"composed": {"id": "g"}}
    )
    assert kept.state == "pending" and kept.result == {"composed": {"id": "g"}}
    again = await store.claim_next_job("w", LEASE_S)
    assert again is not None and again.result == {"composed": {"id": "g"}} and again.attempts == 2
    still = await store.fail_job(
        job.id, "refused again", retry=True, worker_id="w"
    )  # no result: the old one stays
    assert still.result == {"composed": {"id": "g"}}
    with pytest.raises(StoreError, match="must be a dict"):
        await store.fail_job(job.id, "x", retry=False, result=["not", "a", "dict"])  # type: ignore[arg-type]
