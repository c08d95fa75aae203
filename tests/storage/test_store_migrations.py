"""Migrations by PRAGMA user_version: idempotent, incremental, atomic, and refusing the future.

SQLite only: these read the file's header and `sqlite_master` and run SQLite's migration scripts; the same
steps on PostgreSQL (its own scripts, its version table) are in test_store_pg_schema.py.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from storage import SCHEMA_VERSION, SchemaTooNewError, Store, StoreError
from storage.migrations import MIGRATIONS, migrate, split_statements
from tests.storage.factories import new_generation


def _schema(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as raw:
        return int(raw.execute("PRAGMA user_version").fetchone()[0])


async def test_open_creates_parent_dirs_and_current_schema(db_path: Path) -> None:
    assert not db_path.parent.exists()
    async with Store.open(db_path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    assert _user_version(db_path) == SCHEMA_VERSION
    assert {name for name, _ in _schema(db_path)} >= {"generations", "generations_parent", "generations_root"}


async def test_opening_twice_changes_nothing_and_keeps_rows(db_path: Path) -> None:
    async with Store.open(db_path) as store:
        gen = await store.add_generation(new_generation())
    schema = _schema(db_path)
    store = await Store.open(db_path)  # the plain-await idiom
    try:
        assert await store.get_generation(gen.id) == gen
    finally:
        await store.close()
    assert _schema(db_path) == schema and _user_version(db_path) == SCHEMA_VERSION


async def test_migrate_applies_only_missing_versions(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    extra = "CREATE TABLE scratch_later (name TEXT PRIMARY KEY, spec_json TEXT NOT NULL);"
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        assert await migrate(conn, "test") == list(range(1, SCHEMA_VERSION + 1))
        assert await migrate(conn, "test") == []
        # A later release appends a migration: only it runs (re-running v1 would fail on CREATE TABLE).
        assert await migrate(conn, "test", (*MIGRATIONS, extra)) == [SCHEMA_VERSION + 1]
        assert await migrate(conn, "test", (*MIGRATIONS, extra)) == []
    assert _user_version(db_path) == SCHEMA_VERSION + 1
    assert "scratch_later" in {name for name, _ in _schema(db_path)}


async def test_failed_migration_rolls_back_entirely(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    broken = "CREATE TABLE scratch_jobs (id TEXT PRIMARY KEY); CREATE INDEX scratch_bad ON no_such_table(x);"
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        await migrate(conn, "test")
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await migrate(conn, "test", (*MIGRATIONS, broken))
        assert not conn.in_transaction
    assert _user_version(db_path) == SCHEMA_VERSION
    assert "scratch_jobs" not in {name for name, _ in _schema(db_path)}


async def test_newer_database_is_refused_untouched(db_path: Path) -> None:
    async with Store.open(db_path):
        pass
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    schema = _schema(db_path)
    with pytest.raises(SchemaTooNewError, match=f"schema version {SCHEMA_VERSION + 1}.*upgrade Motif"):
        await Store.open(db_path)
    assert _user_version(db_path) == SCHEMA_VERSION + 1 and _schema(db_path) == schema
    assert issubclass(SchemaTooNewError, ValueError)


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are not the pages you are looking for" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        await Store.open(junk)


async def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        await Store.open(tmp_path)


def test_split_statements_keeps_strings_and_trigger_bodies_whole() -> None:
    script = """
    CREATE TABLE t (x TEXT DEFAULT 'a;b'); -- trailing; comment
    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;
    """
    assert split_statements(script) == [
        "CREATE TABLE t (x TEXT DEFAULT 'a;b');",
        "-- trailing; comment\n    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;",
    ]
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        split_statements("CREATE TABLE u (x); CREATE TABLE v (y)")
