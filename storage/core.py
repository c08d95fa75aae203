"""The connection layer every part of the store shares: one writer, one reader, one transaction helper.

Two connections: one writer, whose transactions are serialised by an asyncio lock and start with
`BEGIN IMMEDIATE` (so other processes wait on `busy_timeout` instead of failing mid-transaction), and
one read-only reader, which in WAL mode never blocks on or blocks the writer. The table-specific parts
of `Store` (generations, guilds, jobs...) are mixins over `StoreCore` and touch SQLite only through
`_transact` and `_read`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

from storage.errors import StoreError
from storage.migrations import read_user_version
from storage.records import new_generation_id

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another process's write lock before giving up."""

_ID_TABLES = frozenset({"generations", "jobs"})


async def _enable_wal(conn: aiosqlite.Connection, path: Path) -> None:
    """Switch the file to WAL, retrying while another process holds it.

    Changing the journal mode needs an exclusive lock and SQLite reports "database is locked" at
    once instead of calling the busy handler, so two processes creating the same file would race;
    retrying for up to `BUSY_TIMEOUT_MS` gives the same patience as every other statement.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay_s = 0.005
    while True:
        try:
            mode = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))[0][0]
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(delay_s)
            delay_s = min(delay_s * 2, 0.1)
    if str(mode).lower() != "wal":
        raise StoreError(f"{path}: could not switch the database to WAL mode (got {mode!r})")


async def connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    """Open one connection with the pragmas every Motif connection needs."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        await _enable_wal(conn, path)
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = FULL")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


def open_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """Say what went wrong opening `path` in words a CLI user can act on."""
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreError(f"{path} stayed locked by another process for {BUSY_TIMEOUT_MS} ms: {exc}")
    return StoreError(f"{path} is not a usable SQLite database: {exc}")


async def fresh_id(conn: aiosqlite.Connection, table: str) -> str:
    """A random id not yet used in `table` (`generations` or `jobs`), checked inside the caller's transaction."""
    if table not in _ID_TABLES:
        raise ValueError(f"fresh_id does not know table {table!r}")
    for _ in range(8):
        new_id = new_generation_id()
        if not list(await conn.execute_fetchall(f"SELECT 1 FROM {table} WHERE id = ?", (new_id,))):
            return new_id
    raise StoreError(f"could not find an unused {table} id after 8 tries")  # 50-bit ids: unreachable


class StoreCore:
    """Connections, transactions and maintenance; the table mixins build on `_transact` and `_read`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._closed = False

    async def close(self) -> None:
        """Let the write in progress finish (queued ones are refused), then close both connections.

        Calling it twice is harmless.
        """
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._reader.close()
            try:
                await self._writer.execute("PRAGMA optimize")  # cheap; keeps query plans good over time
            finally:
                await self._writer.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store for {self.path} is closed")

    async def _transact(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, serialised with every other write in this process.

        The transaction runs in a shielded task: a caller cancelled mid-write (a timed-out
        interaction) cannot leave the writer connection inside a half-open transaction.
        """
        self._check_open()
        return await asyncio.shield(self._transaction(work))

    async def _transaction(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._write_lock:
            self._check_open()
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                result = await work(self._writer)
            except BaseException:
                if self._writer.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                    await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
            return result

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        self._check_open()
        return list(await self._reader.execute_fetchall(sql, params))

    # -- diagnostics ---------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The migration level of the file (equals `SCHEMA_VERSION` once open)."""
        self._check_open()
        return await read_user_version(self._reader)

    async def connection_settings(self) -> dict[str, Any]:
        """The pragmas actually in force on the writer, read back from SQLite (for `motif` diagnostics)."""
        self._check_open()
        settings: dict[str, Any] = {}
        async with self._write_lock:
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous"):
                settings[name] = list(await self._writer.execute_fetchall(f"PRAGMA {name}"))[0][0]
        return settings

    # -- maintenance ---------------------------------------------------------------------------------

    async def backup(self, dest: Path | str) -> Path:
        """Copy a consistent snapshot to `dest` with SQLite's online backup API, while the store stays usable.

        The copy is written beside `dest` and renamed into place, so `dest` is never half-written;
        an existing `dest` is refused rather than overwritten.
        """
        self._check_open()
        target_path = Path(dest).expanduser()
        if target_path.exists():
            raise StoreError(f"backup destination {target_path} already exists; choose a new file name")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        partial = target_path.with_name(f"{target_path.name}.{secrets.token_hex(4)}.partial")
        try:
            target = sqlite3.connect(partial, check_same_thread=False)
            try:
                await self._reader.backup(target)
            finally:
                target.close()
            os.replace(partial, target_path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target_path
