"""The SQLite engine: one file in WAL mode, one writer connection and one read-only reader.

The writer's transactions are serialised by an asyncio lock and start with `BEGIN IMMEDIATE`, so other
processes wait on `busy_timeout` instead of failing mid-transaction; the reader, in WAL mode, never blocks
on or blocks the writer. That single writer is also the store's whole locking story on SQLite: a claim or a
read-modify-write can never interleave with another write, so `Connection.lock` has nothing to do here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.backends.base import Backend, Connection, Dialect, Params, Reader, Row, checked
from storage.errors import StoreError
from storage.migrations import migrate, read_user_version

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another process's write lock before giving up."""

SQLITE = Dialect(name="sqlite", skip_locked="", for_update="")


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


class SqliteConnection:
    """The writer inside a transaction, seen through `Connection`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, checked(params)))

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, checked(params))
        return cursor.rowcount

    async def lock(self, name: str, *more: str) -> None:
        return None  # the one writer already excludes every other write

    async def notify(self, channel: str) -> None:
        return None  # one process: its queue wakes itself


class SqliteBackend(Backend):
    """An open SQLite store file."""

    dialect = SQLITE

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self.label = str(path)
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> SqliteBackend:
        """Open (creating parent directories and the file if needed) and migrate the database at `path`."""
        if path.is_dir():
            raise StoreError(f"{path} is a directory; the database must be a file path such as {path / 'motif.db'}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for the database {path}: {exc}") from exc
        try:
            writer = await connect(path, read_only=False)
        except sqlite3.DatabaseError as exc:
            raise open_error(path, exc) from exc
        try:
            await migrate(writer, str(path))
            reader = await connect(path, read_only=True)
        except BaseException as exc:
            await writer.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise open_error(path, exc) from exc
            raise
        return cls(path, writer, reader)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store for {self.label} is closed")

    async def transact(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        async with self._write_lock:
            self._check_open()
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                result = await work(SqliteConnection(self._writer))
            except BaseException:
                if self._writer.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                    await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
            return result

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        self._check_open()
        return list(await self._reader.execute_fetchall(sql, checked(params)))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Reader]:
        """A read transaction on a fresh read-only connection: in WAL mode it keeps the snapshot its first read
        saw until it ends, and the store's own reader stays current for everyone else."""
        self._check_open()
        conn = await connect(self.path, read_only=True)
        try:
            await conn.execute("BEGIN")

            async def fetch(sql: str, params: Params = ()) -> list[Row]:
                return list(await conn.execute_fetchall(sql, checked(params)))

            yield fetch
            await conn.execute("COMMIT")
        finally:
            await conn.close()

    async def schema_version(self) -> int:
        self._check_open()
        return await read_user_version(self._reader)

    async def connection_settings(self) -> dict[str, Any]:
        self._check_open()
        settings: dict[str, Any] = {}
        async with self._write_lock:
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous"):
                settings[name] = list(await self._writer.execute_fetchall(f"PRAGMA {name}"))[0][0]
        return settings

    async def backup(self, dest: Path) -> Path:
        """SQLite's online backup API into a partial file beside `dest`, renamed into place when complete."""
        self._check_open()
        partial = dest.with_name(f"{dest.name}.{secrets.token_hex(4)}.partial")
        try:
            target = sqlite3.connect(partial, check_same_thread=False)
            try:
                await self._reader.backup(target)
            finally:
                target.close()
            os.replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return dest

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._reader.close()
            try:
                # Cheap, and keeps query plans good over time; but optional: its ANALYZE upgrades a read to a
                # write, which SQLite refuses at once ("database is locked") while another process writes.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self._writer.execute("PRAGMA optimize")
            finally:
                await self._writer.close()
