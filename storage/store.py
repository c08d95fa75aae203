"""The Motif store: one SQLite file, opened with aiosqlite, holding every generation and its lineage.

Idiom (pick either, both close the connections):

    async with Store.open(path) as store:
        gen = await store.add_generation(NewGeneration(...))

    store = await Store.open(path)
    try: ...
    finally: await store.close()

Two connections: one writer, whose transactions are serialised by an asyncio lock and start with
`BEGIN IMMEDIATE` (so other processes wait on `busy_timeout` instead of failing mid-transaction), and
one read-only reader, which in WAL mode never blocks on or blocks the writer.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite

from storage.errors import StoreError
from storage.migrations import migrate, read_user_version
from storage.records import (
    COLUMNS,
    Generation,
    NewGeneration,
    check_new_generation,
    generation_from_row,
    insert_params,
    new_generation_id,
    utc_now,
)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another process's write lock before giving up."""

MAX_LIST_LIMIT = 500

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM generations"
_INSERT = f"INSERT INTO generations ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
_NEWEST_FIRST = "ORDER BY created_at DESC, rowid DESC"
_OLDEST_FIRST = "ORDER BY created_at, rowid"
_LINEAGE = f"""
WITH RECURSIVE chain(id, depth) AS (
    SELECT id, 0 FROM generations WHERE id = ?
    UNION ALL
    SELECT g.parent_id, chain.depth + 1 FROM generations AS g JOIN chain ON g.id = chain.id
    WHERE g.parent_id IS NOT NULL AND chain.depth < 100000  -- a hand-edited cycle cannot loop forever
)
SELECT {', '.join('g.' + c for c in COLUMNS)} FROM generations AS g JOIN chain ON g.id = chain.id
ORDER BY chain.depth DESC
"""


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


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
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


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """Say what went wrong opening `path` in words a CLI user can act on."""
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreError(f"{path} stayed locked by another process for {BUSY_TIMEOUT_MS} ms: {exc}")
    return StoreError(f"{path} is not a usable SQLite database: {exc}")


class StoreOpening:
    """What `Store.open` returns: await it for a `Store`, or use it as an async context manager."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._store: Store | None = None

    def __await__(self) -> Generator[Any, None, Store]:
        return Store._open(self._path).__await__()

    async def __aenter__(self) -> Store:
        self._store = await Store._open(self._path)
        return self._store

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._store is not None:
            await self._store.close()


class Store:
    """Async access to the generations table (and, in later migrations, users, guilds, jobs...)."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    def open(cls, path: Path | str) -> StoreOpening:
        """Open (creating parent directories and the file if needed) and migrate the database at `path`."""
        return StoreOpening(Path(path).expanduser())

    @classmethod
    async def _open(cls, path: Path) -> Store:
        if path.is_dir():
            raise StoreError(f"{path} is a directory; the database must be a file path such as {path / 'motif.db'}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for the database {path}: {exc}") from exc
        try:
            writer = await _connect(path, read_only=False)
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc) from exc
        try:
            await migrate(writer, str(path))
            reader = await _connect(path, read_only=True)
        except BaseException as exc:
            await writer.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise _open_error(path, exc) from exc
            raise
        return cls(path, writer, reader)

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

    async def __aenter__(self) -> Store:
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

    async def _read_generations(self, sql: str, params: tuple[Any, ...] = ()) -> list[Generation]:
        return [generation_from_row(row) for row in await self._read(sql, params)]

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

    # -- writes --------------------------------------------------------------------------------------

    async def add_generation(self, new: NewGeneration) -> Generation:
        """Store a generation under a fresh id; a remix inherits the root of its parent's tree.

        Raises `StoreError` for bad fields, MIDI over 2 MiB, or a `parent_id` that does not exist.
        """
        check_new_generation(new)
        created_at = utc_now()

        async def insert(conn: aiosqlite.Connection) -> dict[str, Any]:
            gen_id = await self._fresh_id(conn)
            root_id = gen_id if new.parent_id is None else await self._root_of_parent(conn, new.parent_id)
            values = insert_params(new, gen_id, root_id, created_at)
            await conn.execute(_INSERT, values)
            return values

        return generation_from_row(await self._transact(insert))

    @staticmethod
    async def _fresh_id(conn: aiosqlite.Connection) -> str:
        for _ in range(8):
            gen_id = new_generation_id()
            if not list(await conn.execute_fetchall("SELECT 1 FROM generations WHERE id = ?", (gen_id,))):
                return gen_id
        raise StoreError("could not find an unused generation id after 8 tries")  # 50-bit ids: unreachable

    @staticmethod
    async def _root_of_parent(conn: aiosqlite.Connection, parent_id: str) -> str:
        rows = list(await conn.execute_fetchall("SELECT root_id FROM generations WHERE id = ?", (parent_id,)))
        if not rows:
            raise StoreError(f"parent generation {parent_id!r} does not exist")
        return str(rows[0][0])

    async def attach_message(self, gen_id: str, *, channel: str | None, message_id: str) -> None:
        """Record the chat message that carries a generation, so a reply to it can find it later."""

        async def update(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "UPDATE generations SET channel = ?, message_id = ? WHERE id = ?", (channel, message_id, gen_id)
            )
            return cursor.rowcount

        if await self._transact(update) == 0:
            raise StoreError(f"generation {gen_id!r} does not exist")

    # -- reads ---------------------------------------------------------------------------------------

    async def get_generation(self, gen_id: str) -> Generation | None:
        """The generation with this id, or None (ids come from users, so absence is not an error)."""
        rows = await self._read_generations(f"{_SELECT} WHERE id = ?", (gen_id,))
        return rows[0] if rows else None

    async def get_by_message(self, message_id: str) -> Generation | None:
        """The generation posted in this chat message (the target of a reply-to-remix), or None."""
        rows = await self._read_generations(
            f"{_SELECT} WHERE message_id = ? {_NEWEST_FIRST} LIMIT 1", (message_id,)
        )
        return rows[0] if rows else None

    async def list_generations(
        self, author: str | None = None, limit: int = 20, before: str | None = None
    ) -> list[Generation]:
        """Newest first, optionally one author's; `before` is the id of the last item of the previous page."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
            raise StoreError(f"limit must be an integer from 1 to {MAX_LIST_LIMIT}, got {limit!r}")
        where: list[str] = []
        params: list[Any] = []
        if author is not None:
            where.append("author = ?")
            params.append(author)
        if before is not None:
            cursor = await self._read("SELECT created_at, rowid FROM generations WHERE id = ?", (before,))
            if not cursor:
                raise StoreError(f"cannot page before generation {before!r}: it does not exist")
            where.append("(created_at, rowid) < (?, ?)")
            params.extend(cursor[0])
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return await self._read_generations(f"{_SELECT} {clause} {_NEWEST_FIRST} LIMIT ?", (*params, limit))

    async def children(self, gen_id: str) -> list[Generation]:
        """Direct remixes of a generation, oldest first."""
        return await self._read_generations(f"{_SELECT} WHERE parent_id = ? {_OLDEST_FIRST}", (gen_id,))

    async def lineage(self, gen_id: str) -> list[Generation]:
        """The path root .. `gen_id` (empty if the id is unknown): how this version came to be."""
        return await self._read_generations(_LINEAGE, (gen_id,))

    async def tree(self, gen_id: str) -> list[Generation]:
        """Every generation in the remix tree containing `gen_id` (any member works), oldest first."""
        return await self._read_generations(
            f"{_SELECT} WHERE root_id = (SELECT root_id FROM generations WHERE id = ?) {_OLDEST_FIRST}",
            (gen_id,),
        )

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
