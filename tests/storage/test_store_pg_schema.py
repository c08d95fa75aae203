"""PostgreSQL's side of the migrations (storage/backends/pg_schema.py): the same steps as SQLite's
(tests/storage/test_store_migrations.py), and the same tables and columns at every step."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from storage import SCHEMA_VERSION, SchemaTooNewError, Store, StoreError
from storage.backends.pg_schema import PG_MIGRATIONS, migrate, read_version
from storage.migrations import MIGRATIONS
from tests.pg_server import PostgresServer, create_schema
from tests.storage.factories import new_generation


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> str:
    return await create_schema(postgres_server, prefix="schema")


async def _columns(url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " ORDER BY table_name, ordinal_position"
        )
    finally:
        await conn.close()
    columns: dict[str, list[str]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], []).append(row["column_name"])
    return columns


def _sqlite_columns(path: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(path)) as raw:
        tables = [row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: [row[1] for row in raw.execute(f"PRAGMA table_info({table})")] for table in tables}


def test_every_version_has_a_postgresql_script() -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS) == SCHEMA_VERSION


async def test_both_engines_have_the_same_columns_at_every_version(pg_url: str, tmp_path: Path) -> None:
    import aiosqlite

    from storage.migrations import migrate as migrate_sqlite

    for version in range(1, SCHEMA_VERSION + 1):
        path = tmp_path / f"v{version}.db"
        async with aiosqlite.connect(path, isolation_level=None) as lite:
            await migrate_sqlite(lite, "test", MIGRATIONS[:version])
        conn = await asyncpg.connect(pg_url)
        try:
            await migrate(conn, "test", PG_MIGRATIONS[:version])
        finally:
            await conn.close()
        expected = {table: ["rowid", *columns] for table, columns in _sqlite_columns(path).items()}
        assert await _columns(pg_url) == {**expected, "motif_schema": ["one", "version"]}


async def test_migrate_applies_only_missing_versions_and_a_failure_rolls_back(pg_url: str) -> None:
    extra = "CREATE TABLE scratch_later (name TEXT PRIMARY KEY, spec_json TEXT NOT NULL);"
    broken = "CREATE TABLE scratch_jobs (id TEXT PRIMARY KEY); CREATE INDEX scratch_bad ON no_such_table(x);"
    conn = await asyncpg.connect(pg_url)
    try:
        assert await migrate(conn, "test") == list(range(1, SCHEMA_VERSION + 1))
        assert await migrate(conn, "test") == []
        assert await migrate(conn, "test", (*PG_MIGRATIONS, extra)) == [SCHEMA_VERSION + 1]
        with pytest.raises(asyncpg.UndefinedTableError, match="no_such_table"):
            await migrate(conn, "test", (*PG_MIGRATIONS, extra, broken))
        assert not conn.is_in_transaction()
        assert await read_version(conn) == SCHEMA_VERSION + 1
        assert await conn.fetchval("SELECT to_regclass('scratch_jobs')") is None
        assert await conn.fetchval("SELECT pg_try_advisory_lock(1)")  # the session is still usable
    finally:
        await conn.close()


async def test_opening_twice_keeps_rows_and_a_newer_database_is_refused_untouched(pg_url: str) -> None:
    async with Store.open(pg_url) as store:
        gen = await store.add_generation(new_generation())
        assert await store.schema_version() == SCHEMA_VERSION and store.engine == "postgresql"
    async with Store.open(pg_url) as store:
        assert await store.get_generation(gen.id) == gen
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("UPDATE motif_schema SET version = $1", SCHEMA_VERSION + 1)
        with pytest.raises(SchemaTooNewError, match=f"schema version {SCHEMA_VERSION + 1}.*upgrade Motif"):
            await Store.open(pg_url)
        assert await read_version(conn) == SCHEMA_VERSION + 1
    finally:
        await conn.close()


async def test_settings_read_back_from_the_server(pg_url: str) -> None:
    async with Store.open(pg_url) as store:
        settings = await store.connection_settings()
    assert int(settings["server_version"].split(".")[0]) >= 13  # DROP DATABASE ... FORCE, hashtextextended
    assert settings["default_transaction_isolation"] == "read committed"


@pytest.mark.parametrize(
    ("make_url", "message"),
    [
        (lambda s: s.dsn("no_such_database"), "does not exist: create the database first"),
        (lambda s: s.dsn().replace(f"port={s.port}", "port=1"), "cannot reach the PostgreSQL store"),
        (lambda s: "postgresql://motif:s3cret@/motif?host=/nonexistent-motif-socket", "cannot reach"),
    ],
)
async def test_an_unusable_server_is_a_clear_store_error(postgres_server: PostgresServer, make_url, message: str) -> None:
    url = make_url(postgres_server)
    with pytest.raises(StoreError, match=message) as caught:
        await Store.open(url)
    assert "s3cret" not in str(caught.value)
