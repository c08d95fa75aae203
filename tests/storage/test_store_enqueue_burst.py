"""A burst of jobs accepted in one transaction (`enqueue_jobs`), and both rate-limit windows in one read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import NewJob, Store, StoreError
from storage.enqueue import MAX_BURST


def _new(n: int, user: str = "discord:1", guild: str | None = "g1") -> NewJob:
    return NewJob(f"interaction:{n}", "compose", {"prompt": f"tune {n}"}, user, guild)


async def test_a_burst_longer_than_one_statement_is_written_once_each_in_order(store: Store) -> None:
    burst = [_new(n, user=f"discord:{n % 7}") for n in range(MAX_BURST * 2 + 3)]
    results = await store.enqueue_jobs(burst)
    assert [job.idempotency_key for job, _ in results] == [new.key for new in burst]
    assert all(created for _, created in results)
    assert len({job.id for job, _ in results}) == len(burst)
    assert [job.payload for job, _ in results] == [new.payload for new in burst]
    assert len(await store.pending_jobs()) == len(burst)
    for job, _ in results[::40]:
        assert await store.get_job(job.id) == job


async def test_keys_seen_before_or_twice_in_the_burst_find_their_first_job(store: Store) -> None:
    first, _ = await store.enqueue_job("interaction:1", "compose", {"prompt": "tune 1"}, "discord:1", "g1")
    results = await store.enqueue_jobs([_new(1), _new(2), _new(2), _new(3)])
    assert [created for _, created in results] == [False, True, False, True]
    assert results[0][0] == first
    assert results[1][0] == results[2][0]
    assert len(await store.pending_jobs()) == 3


async def test_one_bad_job_writes_none_of_the_burst(store: Store) -> None:
    await store.enqueue_job("interaction:9", "remix", {}, "discord:1")
    with pytest.raises(StoreError, match="already names a 'remix' job"):
        await store.enqueue_jobs([_new(1), _new(9)])
    with pytest.raises(StoreError):
        await store.enqueue_jobs([_new(2), NewJob("", "compose", {})])
    assert [job.idempotency_key for job in await store.pending_jobs()] == ["interaction:9"]
    assert await store.enqueue_jobs([]) == []


async def test_window_counts_match_the_two_separate_counts(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    await store.enqueue_jobs([_new(1), _new(2), _new(3, user="discord:2"), _new(4, guild="g2"), _new(5, guild=None)])
    expected_user = await store.count_jobs_since(before, user_id="discord:1")
    expected_guild = await store.count_jobs_since(before, guild_id="g1")
    assert (expected_user, expected_guild) == (4, 3)
    assert await store.window_counts(before, "discord:1", "g1") == (4, 3)
    assert await store.window_counts(before, "discord:1", None) == (4, None)
    assert await store.window_counts(datetime.now(UTC) + timedelta(seconds=5), "discord:1", "g1") == (0, 0)
