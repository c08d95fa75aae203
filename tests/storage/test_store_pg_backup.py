"""`Store.backup` on PostgreSQL: pg_dump's custom format, restorable with pg_restore into an empty database, taken
while writes continue, never half-written and never over an existing file."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from storage import SCHEMA_VERSION, Store, StoreError
from storage.backends.pg_dump import find_tool
from tests.pg_server import PostgresServer, create_database
from tests.storage.factories import midi_bytes, new_generation


def _restore(dump: Path, url: str) -> None:
    subprocess.run([str(find_tool("pg_restore")), "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump)],
                   check=True, capture_output=True, timeout=120)


async def test_a_dump_restores_to_the_same_store(postgres_server: PostgresServer, tmp_path: Path) -> None:
    source, target = await create_database(postgres_server), await create_database(postgres_server)
    async with Store.open(source) as store:
        root = await store.add_generation(new_generation(midi=midi_bytes(4096, seed=1)))
        for i in range(10):
            await store.add_generation(new_generation(parent_id=root.id, seed=i, midi=midi_bytes(2048, seed=i)))
        await store.set_guild_settings("g1", tempo_max=140)
        await store.enqueue_job("k1", "compose", {"prompt": "jazz"}, "discord:1", "g1")
        writes = [store.add_generation(new_generation(seed=100 + i)) for i in range(20)]
        dest = tmp_path / "backups" / "motif.dump"
        written, *_ = await asyncio.gather(store.backup(dest), *writes)
        assert written == dest and sorted(p.name for p in dest.parent.iterdir()) == ["motif.dump"]
        with pytest.raises(StoreError, match="already exists"):
            await store.backup(dest)
        _restore(dest, target)
        async with Store.open(target) as copy:
            assert await copy.schema_version() == SCHEMA_VERSION
            copied = await copy.list_generations(limit=100)
            originals = {g.id: g for g in await store.list_generations(limit=100)}
            assert 11 <= len(copied) <= 31 and all(originals[g.id] == g for g in copied)  # a consistent snapshot
            assert [g.id for g in await copy.tree(root.id)] == [g.id for g in await store.tree(root.id)]
            assert (await copy.guild_settings("g1")).tempo_max == 140
            assert await copy.get_job_by_key("k1") == await store.get_job_by_key("k1")
