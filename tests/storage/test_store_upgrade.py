"""Upgrades from every earlier schema version, using real files written by the code of that version.

`tests/storage/fixtures/` holds one `vN.db` per released schema version N (see its README); each is
copied, opened with today's `Store`, and must come out at the current schema with every row intact.
SQLite only: released stores are SQLite files (a PostgreSQL store starts at the current schema; a released
file reaches PostgreSQL through `motif db copy`, test_store_copy.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import SCHEMA_VERSION, Store
from tests.storage.factories import new_generation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VERSIONS = sorted(int(path.stem[1:]) for path in FIXTURES.glob("v*.db"))


def _copy(version: int, tmp_path: Path) -> Path:
    target = tmp_path / f"v{version}.db"
    shutil.copyfile(FIXTURES / f"v{version}.db", target)
    return target


def _raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute(sql).fetchall()


def _schema(path: Path) -> list[tuple[object, ...]]:
    return _raw(path, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")


def test_every_earlier_version_has_a_fixture() -> None:
    # Whoever adds migration N+1 must commit vN.db made by the release before it.
    assert VERSIONS == list(range(SCHEMA_VERSION))


@pytest.mark.parametrize("version", VERSIONS)
async def test_upgrade_reaches_exactly_the_fresh_schema(version: int, tmp_path: Path) -> None:
    path = _copy(version, tmp_path)
    assert _raw(path, "PRAGMA user_version") == [(version,)]
    async with Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    async with Store.open(tmp_path / "fresh.db"):
        pass
    assert _schema(path) == _schema(tmp_path / "fresh.db")
    assert _raw(path, "PRAGMA integrity_check") == [("ok",)]
    assert _raw(path, "PRAGMA foreign_key_check") == []


@pytest.mark.parametrize("version", VERSIONS)
async def test_upgrade_is_rerunnable(version: int, tmp_path: Path) -> None:
    path = _copy(version, tmp_path)
    async with Store.open(path):
        pass
    schema, rows = _schema(path), _raw(path, "SELECT * FROM generations ORDER BY rowid")
    async with Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    assert _schema(path) == schema and _raw(path, "SELECT * FROM generations ORDER BY rowid") == rows


async def test_v1_rows_survive_the_upgrade_byte_for_byte(tmp_path: Path) -> None:
    path = _copy(1, tmp_path)
    before = _raw(path, "SELECT * FROM generations ORDER BY rowid")
    assert len(before) == 4
    async with Store.open(path) as store:
        stored = await store.list_generations(limit=100)
    assert _raw(path, "SELECT * FROM generations ORDER BY rowid") == before
    expected = json.loads((FIXTURES / "v1.json").read_text(encoding="utf-8"))
    got = [
        {"id": g.id, "parent_id": g.parent_id, "root_id": g.root_id, "author": g.author, "guild": g.guild,
         "message_id": g.message_id, "prompt": g.prompt, "seed": g.seed, "spec": g.spec,
         "created_at": g.created_at.isoformat(), "midi_sha256": hashlib.sha256(g.midi).hexdigest()}
        for g in stored
    ]
    assert got == expected


async def test_upgraded_v1_database_supports_the_v2_features(tmp_path: Path) -> None:
    path = _copy(1, tmp_path)
    expected = json.loads((FIXTURES / "v1.json").read_text(encoding="utf-8"))
    leaf = next(row for row in expected if row["prompt"] == "in minor")
    async with Store.open(path) as store:
        assert [g.prompt for g in await store.lineage(leaf["id"])] == ["a folk reel in D", "make it faster", "in minor"]
        assert await store.add_feedback(leaf["id"], "discord:1002", "rating", 4)
        remix = await store.add_generation(new_generation(parent_id=leaf["id"]))
        assert remix.root_id == leaf["root_id"]
        job, created = await store.enqueue_job("interaction-1", "compose", {"prompt": "x"}, "discord:1001")
        assert created and job.state == "pending"
        assert (await store.guild_settings("discord:guild-9")).max_bars == 32
        summaries = await store.list_generation_summaries(guild="discord:guild-9")
        assert [s.prompt for s in summaries] == ["make it faster", "a folk reel in D"]


async def test_an_empty_zero_byte_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    async with Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        assert await store.pending_jobs() == []
