"""Job hygiene: what only a running job needs (`payload.transient`: a reply token, an upload) is dropped in the
write that ends the job, and finished jobs are purged by age while waiting and running ones stay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import Job, Store, StoreError
from storage.jobs import TRANSIENT_KEY
from tests.storage.raw import RawDb

LEASE_S = 60.0


def _payload() -> dict[str, Any]:
    return {"prompt": "jazz", "reply": {"channel_id": 5}, TRANSIENT_KEY: {"token": "s3cret", "midi_b64": "TVRoZA=="}}


async def _running(store: Store, key: str, *, max_attempts: int = 3, lease_s: float = LEASE_S) -> Job:
    job, _ = await store.enqueue_job(key, "discord", _payload(), "discord:1", "g1", max_attempts=max_attempts)
    claimed = await store.claim_next_job("w", lease_s)
    assert claimed is not None and claimed.id == job.id and TRANSIENT_KEY in claimed.payload
    return claimed


def _kept(job: Job | None) -> dict[str, Any]:
    """What stays of the payload: everything but the transient part."""
    assert job is not None
    return {"prompt": job.payload["prompt"], "reply": job.payload["reply"]}


async def test_a_done_job_keeps_no_transient_part_and_the_rest_intact(store: Store) -> None:
    job = await _running(store, "done")
    done = await store.complete_job(job.id, {"generation_id": "g"}, worker_id="w")
    assert TRANSIENT_KEY not in done.payload and _kept(done) == {"prompt": "jazz", "reply": {"channel_id": 5}}
    assert (await store.get_job(job.id)) == done


async def test_a_retry_keeps_the_transient_part_and_failing_for_good_drops_it(store: Store) -> None:
    job = await _running(store, "retry", max_attempts=2)
    again = await store.fail_job(job.id, "discord unreachable", retry=True, worker_id="w")
    assert again.state == "pending" and again.payload[TRANSIENT_KEY] == {"token": "s3cret", "midi_b64": "TVRoZA=="}
    await store.claim_next_job("w", LEASE_S)
    failed = await store.fail_job(job.id, "still unreachable", retry=True, worker_id="w")  # out of attempts
    assert failed.state == "failed" and TRANSIENT_KEY not in failed.payload
    refused = await _running(store, "refused")
    final = await store.fail_job(refused.id, "bad prompt", retry=False, worker_id="w")
    assert final.state == "failed" and TRANSIENT_KEY not in final.payload and _kept(final)["prompt"] == "jazz"


async def test_a_lease_that_runs_out_on_the_last_attempt_drops_the_transient_part(store: Store) -> None:
    job = await _running(store, "hung", max_attempts=1, lease_s=0.01)
    await asyncio.sleep(0.05)
    assert await store.claim_next_job("w2", LEASE_S) is None  # marks the hung job failed instead
    failed = await store.get_job(job.id)
    assert failed is not None and failed.state == "failed" and TRANSIENT_KEY not in failed.payload


async def _age(raw: RawDb, job_id: str, days: float) -> None:
    stamp = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    await raw.execute("UPDATE jobs SET updated_at = ?, created_at = ? WHERE id = ?", stamp, stamp, job_id)


async def test_purge_deletes_only_finished_jobs_older_than_the_cutoff(store: Store, raw: RawDb) -> None:
    done = await _running(store, "old-done")
    await store.complete_job(done.id, {})
    failed = await _running(store, "old-failed")
    await store.fail_job(failed.id, "no", retry=False)
    running = await _running(store, "old-running")
    recent = await _running(store, "recent-done")
    await store.complete_job(recent.id, {})
    waiting, _ = await store.enqueue_job("old-pending", "discord", _payload())
    for job_id in (done.id, failed.id, running.id, waiting.id):
        await _age(raw, job_id, days=8)
    assert await store.purge_finished_jobs(datetime.now(UTC) - timedelta(days=7)) == 2
    assert await store.get_job(done.id) is None and await store.get_job(failed.id) is None
    for job_id in (running.id, waiting.id, recent.id):
        assert await store.get_job(job_id) is not None
    assert await store.purge_finished_jobs(datetime.now(UTC) - timedelta(days=7)) == 0
    with pytest.raises(StoreError, match="timezone-aware"):
        await store.purge_finished_jobs(datetime.now())  # noqa: DTZ005 - the mistake under test


async def test_escaped_nul_characters_survive_and_raw_ones_are_refused_on_both_engines(store: Store) -> None:
    payload = {"prompt": "a\x00b", TRANSIENT_KEY: {"token": "t\x00"}}  # JSON text carries them as \\u0000
    job, _ = await store.enqueue_job("nul", "compose", payload, "discord:1")
    assert job.payload == payload
    await store.claim_next_job("w", LEASE_S)
    done = await store.complete_job(job.id, {"note": "\x00"})
    assert done.payload == {"prompt": "a\x00b"} and done.result == {"note": "\x00"}
    with pytest.raises(StoreError, match="NUL character"):
        await store.upsert_user("discord:1", "Ada\x00")
