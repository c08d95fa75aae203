"""SQLite's schema migrations, versioned by `PRAGMA user_version` (PostgreSQL's, with the same version
numbers and columns, are in `storage/backends/pg_schema.py`).

`MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. A migration is only ever appended, never
edited once released: databases in the wild were built by the old text. Each one runs inside a
`BEGIN IMMEDIATE` transaction that also bumps `user_version`, so a crash leaves the database at the
old version, and two processes opening a fresh file at once cannot both apply it (the second waits
for the write lock, then sees the new version and does nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from storage.errors import SchemaTooNewError

_V1_GENERATIONS = """
CREATE TABLE generations (
    id               TEXT PRIMARY KEY,
    parent_id        TEXT NULL REFERENCES generations(id),
    root_id          TEXT NOT NULL,
    author           TEXT NULL,
    guild            TEXT NULL,
    channel          TEXT NULL,
    message_id       TEXT NULL,
    prompt           TEXT NOT NULL,
    spec_json        TEXT NOT NULL CHECK (json_valid(spec_json)),
    seed             INTEGER NOT NULL,
    engine           TEXT NOT NULL,
    model_version    TEXT NULL,
    midi             BLOB NOT NULL,
    originality_json TEXT NULL CHECK (originality_json IS NULL OR json_valid(originality_json)),
    timings_json     TEXT NULL CHECK (timings_json IS NULL OR json_valid(timings_json)),
    created_at       TEXT NOT NULL,
    -- A generation is a root exactly when it has no parent; roots point at themselves.
    CHECK ((parent_id IS NULL) = (root_id = id))
);
CREATE INDEX generations_parent ON generations(parent_id);
CREATE INDEX generations_root ON generations(root_id, created_at);
CREATE INDEX generations_author_created ON generations(author, created_at);
-- A reply to a bot message is a remix of the generation that message carries.
CREATE INDEX generations_message ON generations(message_id) WHERE message_id IS NOT NULL;
"""

_V2_COMMUNITY_AND_JOBS = """
-- Who asked: a platform-qualified id such as 'discord:1234' or 'local:alice'.
CREATE TABLE users (
    id           TEXT PRIMARY KEY CHECK (instr(id, ':') > 1 AND length(id) <= 128),
    display_name TEXT NULL,
    created_at   TEXT NOT NULL
);
-- Server settings: only the overrides of the defaults declared in storage.settings.GuildSettings.
CREATE TABLE guilds (
    id            TEXT PRIMARY KEY,
    settings_json TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(settings_json) AND json_type(settings_json) = 'object'),
    updated_at    TEXT NOT NULL
);
CREATE TABLE presets (
    guild_id            TEXT NOT NULL,
    name                TEXT NOT NULL COLLATE NOCASE,
    prompt_suffix       TEXT NOT NULL DEFAULT '',
    spec_overrides_json TEXT NOT NULL DEFAULT '{}'
                        CHECK (json_valid(spec_overrides_json) AND json_type(spec_overrides_json) = 'object'),
    created_by          TEXT NULL,
    created_at          TEXT NOT NULL,
    UNIQUE (guild_id, name)
);
-- Accepted work, written before it is acknowledged; the idempotency key makes a retried request a no-op.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload_json    TEXT NOT NULL CHECK (json_valid(payload_json)),
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    result_json     TEXT NULL CHECK (result_json IS NULL OR json_valid(result_json)),
    error           TEXT NULL,
    user_id         TEXT NULL,
    guild_id        TEXT NULL,
    worker_id       TEXT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    run_after       TEXT NULL,
    lease_until     TEXT NULL,
    -- Exactly the running jobs hold a lease; a job is never running without a worker.
    CHECK ((state = 'running') = (lease_until IS NOT NULL AND worker_id IS NOT NULL))
);
CREATE INDEX jobs_claimable ON jobs(state, created_at);
CREATE INDEX jobs_user_state ON jobs(user_id, state);
CREATE TABLE feedback (
    generation_id TEXT NOT NULL REFERENCES generations(id),
    user_id       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('reaction', 'rating')),
    value         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (generation_id, user_id, kind, value)
);
CREATE INDEX generations_guild_created ON generations(guild, created_at);
"""

MIGRATIONS: tuple[str, ...] = (_V1_GENERATIONS, _V2_COMMUNITY_AND_JOBS)
"""Ordered migration scripts; the schema version of a database is how many of them it has run."""

SCHEMA_VERSION = len(MIGRATIONS)


def split_statements(script: str) -> list[str]:
    """Cut a script into complete SQL statements, so they can run inside our own transaction.

    `executescript` would commit any open transaction first; splitting with
    `sqlite3.complete_statement` keeps semicolons inside strings and trigger bodies intact.
    """
    statements: list[str] = []
    buffer = ""
    *pieces, tail = script.split(";")
    for piece in pieces:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    leftover = "\n".join(
        line for line in (buffer + tail).splitlines() if not line.strip().startswith("--")
    )
    if leftover.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {leftover.strip()!r}")
    return statements


async def read_user_version(conn: aiosqlite.Connection) -> int:
    """The schema version recorded in the database header (0 for a new file)."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


def _refuse_newer(version: int, known: int, label: str) -> None:
    if version > known:
        raise SchemaTooNewError(
            f"database {label} has schema version {version}, but this Motif only knows up to "
            f"version {known}; upgrade Motif or point --db / MOTIF_DB at another file"
        )


async def migrate(
    conn: aiosqlite.Connection, label: str, migrations: Sequence[str] = MIGRATIONS
) -> list[int]:
    """Bring the database up to `len(migrations)`; return the versions this call applied.

    `conn` must be in autocommit mode (`isolation_level=None`). Opening an up-to-date database does
    no writes at all; a database newer than this code is refused before anything is touched.
    `migrations` is a parameter only so tests can exercise upgrades from an older schema.
    """
    target = len(migrations)
    version = await read_user_version(conn)
    _refuse_newer(version, target, label)
    applied: list[int] = []
    while version < target:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            version = await read_user_version(conn)  # another process may have migrated meanwhile
            _refuse_newer(version, target, label)
            if version < target:
                for statement in split_statements(migrations[version]):
                    await conn.execute(statement)
                version += 1
                await conn.execute(f"PRAGMA user_version = {version:d}")
                applied.append(version)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
    return applied
