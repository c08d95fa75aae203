"""Which engine a location names: a file path is SQLite, a `PostgresUrl` is a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from storage.backends.base import Backend
from storage.paths import PostgresUrl


async def open_backend(location: Path | PostgresUrl) -> Backend:
    """Open (and migrate) the store at `location` on its engine; asyncpg is imported only when it is needed."""
    if isinstance(location, PostgresUrl):
        from storage.backends.postgres import PostgresBackend

        return await PostgresBackend.open(location)
    from storage.backends.sqlite import SqliteBackend

    return await SqliteBackend.open(location)
