"""The store's schema on PostgreSQL: the same tables, columns and checks as `storage.migrations`, one script
per schema version, so version N means the same thing on both engines.

The SQLite scripts cannot simply be reused: they are frozen as released (databases in the wild were built
by that text) and use SQLite's spellings (`json_valid`, `BLOB`, `COLLATE NOCASE`, the implicit `rowid`).
Here every table has an identity column named `rowid`, so "oldest first, insertion order on ties" (and a
copy in insertion order) is the same SQL on both; timestamps stay fixed-width ISO text in the "C" collation,
so text order is time order as on SQLite. JSON is checked as `json`, not `jsonb`: like SQLite's json_valid it
takes every valid text (`\u0000` escapes included), and the text is kept exactly as the store wrote it.
tests/storage/test_store_migrations.py holds the two schemas to the same columns.

The version lives in `motif_schema` (SQLite keeps it in `PRAGMA user_version`). Each migration runs in one
transaction with the version bump, under an advisory lock, so a crash leaves the old version and two
processes opening a fresh database at once apply it once.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from storage.errors import SchemaTooNewError

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS motif_schema (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    version INTEGER NOT NULL
)
"""

_V1_GENERATIONS = """
CREATE TABLE generations (
    rowid            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id               TEXT PRIMARY KEY,
    parent_id        TEXT NULL REFERENCES generations(id),
    root_id          TEXT NOT NULL,
    author           TEXT NULL,
    guild            TEXT NULL,
    channel          TEXT NULL,
    message_id       TEXT NULL,
    prompt           TEXT NOT NULL,
    spec_json        TEXT NOT NULL CHECK (spec_json::json IS NOT NULL),
    seed             BIGINT NOT NULL,
    engine           TEXT NOT NULL,
    model_version    TEXT NULL,
    midi             BYTEA NOT NULL,
    originality_json TEXT NULL CHECK (originality_json IS NULL OR originality_json::json IS NOT NULL),
    timings_json     TEXT NULL CHECK (timings_json IS NULL OR timings_json::json IS NOT NULL),
    created_at       TEXT COLLATE "C" NOT NULL,
    CHECK ((parent_id IS NULL) = (root_id = id))
);
CREATE INDEX generations_parent ON generations(parent_id);
CREATE INDEX generations_root ON generations(root_id, created_at);
CREATE INDEX generations_author_created ON generations(author, created_at);
CREATE INDEX generations_message ON generations(message_id) WHERE message_id IS NOT NULL;
"""

_V2_COMMUNITY_AND_JOBS = """
CREATE TABLE users (
    rowid        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id           TEXT PRIMARY KEY CHECK (strpos(id, ':') > 1 AND length(id) <= 128),
    display_name TEXT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);
CREATE TABLE guilds (
    rowid         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            TEXT PRIMARY KEY,
    settings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_typeof(settings_json::json) = 'object'),
    updated_at    TEXT COLLATE "C" NOT NULL
);
CREATE TABLE presets (
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    guild_id            TEXT NOT NULL,
    name                TEXT COLLATE "C" NOT NULL,
    prompt_suffix       TEXT NOT NULL DEFAULT '',
    spec_overrides_json TEXT NOT NULL DEFAULT '{}' CHECK (json_typeof(spec_overrides_json::json) = 'object'),
    created_by          TEXT NULL,
    created_at          TEXT COLLATE "C" NOT NULL
);
-- SQLite's UNIQUE (guild_id, name COLLATE NOCASE): preset names are ASCII, so lower() folds them the same way.
CREATE UNIQUE INDEX presets_guild_name ON presets(guild_id, lower(name));
CREATE TABLE jobs (
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload_json    TEXT NOT NULL CHECK (payload_json::json IS NOT NULL),
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    result_json     TEXT NULL CHECK (result_json IS NULL OR result_json::json IS NOT NULL),
    error           TEXT NULL,
    user_id         TEXT NULL,
    guild_id        TEXT NULL,
    worker_id       TEXT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    updated_at      TEXT COLLATE "C" NOT NULL,
    run_after       TEXT COLLATE "C" NULL,
    lease_until     TEXT COLLATE "C" NULL,
    CHECK ((state = 'running') = (lease_until IS NOT NULL AND worker_id IS NOT NULL))
);
CREATE INDEX jobs_claimable ON jobs(state, created_at);
CREATE INDEX jobs_user_state ON jobs(user_id, state);
CREATE TABLE feedback (
    rowid         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    generation_id TEXT NOT NULL REFERENCES generations(id),
    user_id       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('reaction', 'rating')),
    value         TEXT NOT NULL,
    created_at    TEXT COLLATE "C" NOT NULL,
    UNIQUE (generation_id, user_id, kind, value)
);
CREATE INDEX generations_guild_created ON generations(guild, created_at);
"""

PG_MIGRATIONS: tuple[str, ...] = (_V1_GENERATIONS, _V2_COMMUNITY_AND_JOBS)
"""Ordered like `storage.migrations.MIGRATIONS`; only ever appended to, never edited once released."""

_MIGRATION_LOCK = 0x6D6F746966  # 'motif': the advisory lock every migrating process takes


async def read_version(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """The schema version of the database (0 for an empty one)."""
    if await conn.fetchval("SELECT to_regclass('motif_schema')") is None:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM motif_schema"))


def _refuse_newer(version: int, known: int, label: str) -> None:
    if version > known:
        raise SchemaTooNewError(
            f"database {label} has schema version {version}, but this Motif only knows up to "
            f"version {known}; upgrade Motif or point --db / MOTIF_DB at another database"
        )


async def migrate(conn: asyncpg.Connection, label: str, migrations: Sequence[str] = PG_MIGRATIONS) -> list[int]:
    """Bring the database up to `len(migrations)`; return the versions this call applied.

    An up-to-date database is only read; a newer one is refused before anything is touched.
    `migrations` is a parameter only so tests can exercise upgrades and failures.
    """
    target = len(migrations)
    version = await read_version(conn)
    _refuse_newer(version, target, label)
    if version == target:
        return []
    # A session lock, taken before the migration transactions start: a transaction that starts after the
    # other process committed sees its tables (one that took the lock inside would see stale catalogs).
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        version = await read_version(conn)  # another process may have migrated meanwhile
        _refuse_newer(version, target, label)
        applied: list[int] = []
        while version < target:
            async with conn.transaction():
                await conn.execute(_VERSION_TABLE)
                await conn.execute(migrations[version])  # a multi-statement script, inside our transaction
                await conn.execute(
                    "INSERT INTO motif_schema (one, version) VALUES (TRUE, $1)"
                    " ON CONFLICT (one) DO UPDATE SET version = excluded.version", version + 1,
                )
            version += 1
            applied.append(version)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


_RUNNER_LOCK = 0x6D6F746970  # 'motip': the advisory lock around installing procrastinate's schema


async def install_runner(conn: asyncpg.Connection) -> bool:
    """Apply procrastinate's schema (the job runner, `storage/runner.py`) to a database that lacks it (True),
    under a lock, so two processes opening a fresh database at once apply it once. It is procrastinate's own
    script, versioned by procrastinate: upgrading procrastinate means its migrations (deploy/SCALING.md)."""
    if await conn.fetchval("SELECT to_regclass('procrastinate_jobs')") is not None:
        return False
    from procrastinate.schema import SchemaManager  # loaded only where a PostgreSQL store opens

    await conn.execute("SELECT pg_advisory_lock($1)", _RUNNER_LOCK)
    try:
        if await conn.fetchval("SELECT to_regclass('procrastinate_jobs')") is not None:
            return False
        async with conn.transaction():
            await conn.execute(SchemaManager.get_schema())  # one script, simple protocol, one transaction
        return True
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _RUNNER_LOCK)
