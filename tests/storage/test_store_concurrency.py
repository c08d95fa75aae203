"""Connection settings and concurrent writers: many tasks in one process, and two processes at once."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
from contextlib import closing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from storage import BUSY_TIMEOUT_MS, Store
from tests.storage.factories import midi_bytes, new_generation
from tests.storage.raw import FOREIGN_KEY, INTEGRITY_ERRORS, RawDb


@pytest.mark.sqlite_only("WAL, busy_timeout and the foreign_keys pragma are SQLite connection settings")
async def test_wal_busy_timeout_and_foreign_keys_are_in_force(store: Store, db_path: Path) -> None:
    settings = await store.connection_settings()
    assert settings["journal_mode"] == "wal"
    assert settings["busy_timeout"] == BUSY_TIMEOUT_MS == 5000
    assert settings["foreign_keys"] == 1
    with closing(sqlite3.connect(db_path)) as raw:  # WAL is a property of the file, seen by anyone
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_foreign_key_guards_the_table_itself(store: Store, raw: RawDb) -> None:
    await store.add_generation(new_generation())
    with pytest.raises(INTEGRITY_ERRORS, match=FOREIGN_KEY):
        await raw.execute("UPDATE generations SET parent_id = 'ghost00000', root_id = 'ghost00000'")


async def test_two_hundred_concurrent_writes_all_land(store: Store) -> None:
    news = [new_generation(seed=i, midi=midi_bytes(1024, seed=i)) for i in range(200)]
    added = await asyncio.gather(*(store.add_generation(new) for new in news))
    assert len({g.id for g in added}) == 200
    stored = await store.list_generations(limit=500)
    assert {g.id for g in stored} == {g.id for g in added}
    by_id = {g.id: g for g in stored}
    assert all(by_id[g.id].midi == new.midi and by_id[g.id].seed == new.seed for g, new in zip(added, news, strict=True))


async def test_concurrent_remixes_and_reads_interleave_safely(store: Store) -> None:
    root = await store.add_generation(new_generation())

    async def remix(i: int) -> str:
        child = await store.add_generation(new_generation(parent_id=root.id, seed=i))
        assert [g.id for g in await store.lineage(child.id)] == [root.id, child.id]
        return child.id

    ids = await asyncio.gather(*(remix(i) for i in range(60)))
    assert sorted(g.id for g in await store.children(root.id)) == sorted(ids)
    assert len(await store.tree(root.id)) == 61


def _write_from_process(path: str, author: str, count: int, barrier: Barrier) -> None:
    """Child process: wait for the sibling, then open the (fresh) file and write `count` generations."""

    async def write_all() -> None:
        async with Store.open(path) as store:
            parent = None
            for i in range(count):
                new = new_generation(author=author, seed=i, midi=midi_bytes(2048, seed=i), parent_id=parent)
                parent = (await store.add_generation(new)).id

    barrier.wait(timeout=60)
    asyncio.run(write_all())


async def test_two_processes_writing_one_file_both_succeed(location: Path | str) -> None:
    # Both processes race to create and migrate the file, then write chains; busy_timeout makes them wait.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    count = 40
    workers = [
        context.Process(target=_write_from_process, args=(str(location), author, count, barrier))
        for author in ("proc-a", "proc-b")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        await asyncio.to_thread(worker.join, 120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    async with Store.open(location) as store:
        for author in ("proc-a", "proc-b"):
            mine = await store.list_generations(author=author, limit=100)
            assert sorted(g.seed for g in mine) == list(range(count))
            newest = mine[0]
            assert len(await store.lineage(newest.id)) == count


async def test_cancelled_writers_leave_no_transaction_open(store: Store) -> None:
    # A Discord interaction can be cancelled at any await; the writer connection must stay usable.
    for round_ in range(5):
        tasks = [asyncio.create_task(store.add_generation(new_generation(seed=i))) for i in range(20)]
        for _ in range(round_ * 3):
            await asyncio.sleep(0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        after = await store.add_generation(new_generation(seed=1000 + round_))
        assert await store.get_generation(after.id) == after
