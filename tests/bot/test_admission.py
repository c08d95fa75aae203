"""Accepted requests written together (`admission.GroupWriter`) on a real store file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.discord_app.admission import GroupWriter
from storage import NewJob, Store, StoreError


def _new(n: int, kind: str = "discord") -> NewJob:
    return NewJob(f"interaction:{n}", kind, {"prompt": f"{n} bars"}, f"discord:{n % 5}", "g1")


async def test_a_burst_takes_a_few_transactions_and_each_caller_gets_its_own_job(tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as store:
        writer = GroupWriter(store)
        results = await asyncio.gather(*(writer.write(_new(n)) for n in range(120)))
        assert [job.idempotency_key for job, _ in results] == [f"interaction:{n}" for n in range(120)]
        assert all(created for _, created in results)
        assert writer.groups_written <= 3  # the first alone, then everything that gathered meanwhile
        assert len(await store.pending_jobs()) == 120
        again, created = await writer.write(_new(7))
        assert not created and again == results[7][0]


async def test_one_bad_request_fails_alone_and_the_rest_of_its_group_is_written(tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as store:
        await store.enqueue_job("interaction:3", "other", {}, "discord:3")  # a key taken by another kind
        writer = GroupWriter(store)
        outcomes = await asyncio.gather(*(writer.write(_new(n)) for n in range(6)), return_exceptions=True)
        assert isinstance(outcomes[3], StoreError)
        assert all(not isinstance(o, BaseException) and o[1] for i, o in enumerate(outcomes) if i != 3)
        assert len(await store.pending_jobs()) == 6  # five new, and the other kind's job


async def test_a_closed_store_fails_every_waiting_caller(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "motif.db")
    await store.close()
    writer = GroupWriter(store)
    outcomes = await asyncio.gather(*(writer.write(_new(n)) for n in range(4)), return_exceptions=True)
    assert all(isinstance(o, StoreError) for o in outcomes)
    with pytest.raises(StoreError):
        await writer.write(_new(9))
