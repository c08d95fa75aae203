"""Online backup: a consistent, complete, checkable copy, even while writes continue."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import SCHEMA_VERSION, Store, StoreError
from tests.storage.factories import midi_bytes, new_generation

pytestmark = pytest.mark.sqlite_only(
    "SQLite's online backup API and its file integrity check; PostgreSQL's pg_dump path is test_store_pg_backup.py"
)


def _integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as raw:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])


async def test_backup_holds_the_same_rows_and_passes_integrity_check(store: Store, tmp_path: Path) -> None:
    root = await store.add_generation(new_generation(midi=midi_bytes(4096, seed=1)))
    for i in range(20):
        await store.add_generation(new_generation(parent_id=root.id, seed=i, midi=midi_bytes(4096, seed=i)))
    dest = tmp_path / "backups" / "motif-1.db"
    assert await store.backup(dest) == dest
    assert _integrity(dest) == "ok"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["motif-1.db"]  # no partial or side files left
    async with Store.open(dest) as copy:
        assert await copy.schema_version() == SCHEMA_VERSION
        assert await copy.list_generations(limit=100) == await store.list_generations(limit=100)
        assert [g.id for g in await copy.tree(root.id)] == [g.id for g in await store.tree(root.id)]


async def test_backup_during_writes_is_a_consistent_snapshot(store: Store, tmp_path: Path) -> None:
    for i in range(30):
        await store.add_generation(new_generation(seed=i))
    dest = tmp_path / "during.db"
    writes = [store.add_generation(new_generation(seed=100 + i)) for i in range(30)]
    results = await asyncio.gather(store.backup(dest), *writes)
    assert _integrity(dest) == "ok"
    async with Store.open(dest) as copy:
        copied = {g.id for g in await copy.list_generations(limit=500)}
    everything = {g.id for g in await store.list_generations(limit=500)}
    assert len(everything) == 60
    assert 30 <= len(copied) <= 60 and copied <= everything
    assert dest == results[0]


async def test_backup_refuses_to_overwrite(store: Store, tmp_path: Path) -> None:
    dest = tmp_path / "exists.db"
    dest.write_bytes(b"precious")
    with pytest.raises(StoreError, match="already exists"):
        await store.backup(dest)
    assert dest.read_bytes() == b"precious"
