"""The layer every part of the store shares: an open engine (`storage.backends`), the transaction helper,
diagnostics and backup.

The table-specific parts of `Store` (generations, guilds, jobs...) are mixins over `StoreCore` and touch
the database only through `_transact` (a write transaction on a `Connection`) and `_read`, in SQL both
engines run; `self._dialect` holds the few fragments that differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from storage.backends import Backend, Connection, Dialect, Params, Row
from storage.backends.copy import CopyReport, copy_store
from storage.backends.sqlite import BUSY_TIMEOUT_MS
from storage.errors import StoreError
from storage.paths import PostgresUrl
from storage.records import new_generation_id

T = TypeVar("T")

__all__ = ["BUSY_TIMEOUT_MS", "StoreCore", "fresh_id", "fresh_ids"]

_ID_TABLES = frozenset({"generations", "jobs"})


async def fresh_ids(conn: Connection, table: str, count: int) -> list[str]:
    """`count` distinct random ids none of which `table` (`generations` or `jobs`) holds, checked in one
    statement inside the caller's transaction (a burst of jobs draws its ids together)."""
    if table not in _ID_TABLES:
        raise ValueError(f"fresh_ids does not know table {table!r}")
    for _ in range(8):
        ids = list(dict.fromkeys(new_generation_id() for _ in range(count)))
        marks = ", ".join("?" for _ in ids)
        taken = await conn.fetch(f"SELECT id FROM {table} WHERE id IN ({marks})", tuple(ids))
        if len(ids) == count and not taken:
            return ids
    raise StoreError(f"could not find {count} unused {table} ids after 8 tries")  # 50-bit ids: unreachable


async def fresh_id(conn: Connection, table: str) -> str:
    """A random id not yet used in `table`, checked inside the caller's transaction."""
    return (await fresh_ids(conn, table, 1))[0]


class StoreCore:
    """Transactions, reads and maintenance over one open engine; the table mixins build on them."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._dialect: Dialect = backend.dialect

    @property
    def location(self) -> str:
        """Where the store is, for messages: a file path, or a URL without its password."""
        return self._backend.label

    @property
    def postgres_url(self) -> PostgresUrl | None:
        """The PostgreSQL server's URL (password included, never to print), None on SQLite: procrastinate
        opens its own connections to the same database (`storage.runner`)."""
        return self._backend.url

    @property
    def engine(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._dialect.name

    async def close(self) -> None:
        """Let the write in progress finish (queued ones are refused), then release the connections.

        Calling it twice is harmless.
        """
        await self._backend.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _transact(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """Run `work` in one write transaction.

        The transaction runs in a shielded task: a caller cancelled mid-write (a timed-out
        interaction) cannot leave a connection inside a half-open transaction.
        """
        return await asyncio.shield(self._backend.transact(work))

    async def _read(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._backend.read(sql, params)

    # -- diagnostics ---------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The migration level of the database (equals `SCHEMA_VERSION` once open)."""
        return await self._backend.schema_version()

    async def connection_settings(self) -> dict[str, Any]:
        """The engine settings actually in force, read back from the engine (for `motif` diagnostics):
        SQLite's pragmas, or PostgreSQL's isolation and durability settings."""
        return await self._backend.connection_settings()

    # -- maintenance ---------------------------------------------------------------------------------

    async def backup(self, dest: Path | str) -> Path:
        """Copy a consistent snapshot to the new file `dest` while the store stays usable: SQLite's online
        backup API (the copy is a store file), or on PostgreSQL `pg_dump`'s custom format (restore it with
        `pg_restore`). The copy is written beside `dest` and renamed into place, so `dest` is never
        half-written; an existing `dest` is refused rather than overwritten.
        """
        target_path = Path(dest).expanduser()
        if target_path.exists():
            raise StoreError(f"backup destination {target_path} already exists; choose a new file name")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        return await self._backend.backup(target_path)

    async def copy_into(self, target: StoreCore) -> CopyReport:
        """Copy every row of this store into the empty store `target`, on either engine (`motif db copy`:
        a single-machine SQLite file onto PostgreSQL); all of it lands in one transaction, or none."""
        return await copy_store(self._backend, target._backend)
