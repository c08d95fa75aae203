"""The PostgreSQL engine, through asyncpg: a small connection pool shared by reads and transactions.

Locking replaces SQLite's single writer with what PostgreSQL does well: a job is claimed with
`SELECT ... FOR UPDATE SKIP LOCKED` (workers on many machines never wait on, or share, a job), a job being
finished is locked with `FOR UPDATE`, and a read-modify-write with no row to lock yet (a server's settings,
its presets, a user's rating) holds a transaction-scoped advisory lock named after what it changes.

The mixins write `?` or `:name` placeholders; `rewrite` turns them into `$1, $2...` outside string
literals, quoted names and comments, once per statement text.
"""

from __future__ import annotations

import asyncio
import functools
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from storage.backends.base import Backend, Connection, Dialect, Listening, Params, Reader, Row, checked
from storage.backends.pg_dump import dump
from storage.backends.pg_schema import install_runner, migrate, read_version
from storage.errors import StoreError, StoreUnreachable
from storage.paths import PostgresUrl

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10.0
"""How long opening the store waits for the server before saying it cannot be reached."""
POOL_SIZE = 8
"""Connections per open store at most: enough for a bot's concurrent writes, few enough for many workers.
They open on demand (no floor), so an idle worker holds few, and a server outage leaves no reconnect loop
behind: the first call after it simply connects again."""

POSTGRES = Dialect(name="postgresql", skip_locked=" FOR UPDATE SKIP LOCKED", for_update=" FOR UPDATE")

_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|\?|(?<![\w:]):([A-Za-z_]\w*)""")


@functools.lru_cache(maxsize=1024)
def _rewrite(sql: str) -> tuple[str, int, tuple[str, ...]]:
    """`sql` with `$n` placeholders, how many `?` it had, and the `:name`s in `$n` order."""
    pieces: list[str] = []
    names: list[str] = []
    positional = 0
    last = 0
    for match in _TOKENS.finditer(sql):
        token, name = match.group(0), match.group(1)
        if token == "?":
            positional += 1
            number = positional
        elif name is not None:
            if name not in names:
                names.append(name)
            number = names.index(name) + 1
        else:
            continue  # a literal, a quoted name, a comment or a :: cast: left as written
        pieces += [sql[last:match.start()], f"${number}"]
        last = match.end()
    if positional and names:
        raise ValueError(f"a statement mixes ? and :name placeholders: {sql!r}")
    return "".join(pieces) + sql[last:], positional, tuple(names)


def rewrite(sql: str, params: Params) -> tuple[str, list[Any]]:
    """The PostgreSQL text of `sql` and its arguments in `$n` order."""
    text, positional, names = _rewrite(sql)
    checked(params)
    if isinstance(params, Mapping):
        return text, [params[name] for name in names]
    args = list(params)
    if len(args) != positional:
        raise ValueError(f"statement takes {positional} values, got {len(args)}: {sql!r}")
    return text, args


def _rowcount(status: str) -> int:
    """Rows touched, from a command tag such as 'INSERT 0 1', 'UPDATE 3' or 'DELETE 0'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresConnection:
    """A pooled connection inside a transaction, seen through `Connection`."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = rewrite(sql, params)
        return list(await self._conn.fetch(text, *args))

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = rewrite(sql, params)
        return _rowcount(await self._conn.execute(text, *args))

    async def lock(self, name: str, *more: str) -> None:
        names = (name, *more)  # a select list is evaluated left to right: the locks are taken in this order
        calls = ", ".join(f"pg_advisory_xact_lock(hashtextextended(${i}, 0))" for i in range(1, len(names) + 1))
        await self._conn.execute(f"SELECT {calls}", *names)

    async def notify(self, channel: str) -> None:
        await self._conn.execute("SELECT pg_notify($1, '')", channel)


def unreachable(url: PostgresUrl, exc: BaseException) -> StoreError:
    """Say why the server could not be used, in words an operator can act on (never the password)."""
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StoreError(f"the PostgreSQL store {url} does not exist: create the database first ({exc})")
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidPasswordError):
        return StoreError(f"the PostgreSQL store {url} refused the login: {exc}")
    if isinstance(exc, TimeoutError):
        return StoreUnreachable(f"the PostgreSQL store {url} did not answer within {CONNECT_TIMEOUT_S:.0f} s")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return StoreUnreachable(f"cannot reach the PostgreSQL store {url}: {reason}")


_CONNECT_ERRORS = (OSError, socket.gaierror, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError,
                   ValueError)


class PostgresBackend(Backend):
    """An open store on a PostgreSQL server."""

    dialect = POSTGRES

    def __init__(self, url: PostgresUrl, pool: asyncpg.Pool) -> None:
        self.url = url
        self.label = str(url)
        self._pool = pool
        self._closed = False

    @classmethod
    async def open(cls, url: PostgresUrl) -> PostgresBackend:
        """Connect, migrate, and keep a pool; an unreachable server or a wrong URL is a clear `StoreError`."""
        pool: asyncpg.Pool | None = None
        try:
            pool = await asyncpg.create_pool(url.url, min_size=0, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT_S)
            conn = await pool.acquire()  # the first connection: a wrong URL or an unreachable server shows here
        except _CONNECT_ERRORS as exc:
            if pool is not None:
                pool.terminate()
            raise unreachable(url, exc) from None
        try:
            await migrate(conn, str(url))
            await install_runner(conn)  # procrastinate's tables: it runs the jobs here (storage/runner.py)
        except BaseException:
            await pool.release(conn)
            await pool.close()
            raise
        await pool.release(conn)
        return cls(url, pool)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store for {self.label} is closed")

    async def transact(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        self._check_open()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                return await work(PostgresConnection(conn))
        except asyncpg.InterfaceError as exc:
            if self._closed:  # the pool closed while this one waited for a connection
                raise StoreError(f"the store for {self.label} is closed") from exc
            raise

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        self._check_open()
        text, args = rewrite(sql, params)
        try:
            return list(await self._pool.fetch(text, *args))
        except asyncpg.InterfaceError as exc:
            if self._closed:
                raise StoreError(f"the store for {self.label} is closed") from exc
            raise

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Reader]:
        """A read-only REPEATABLE READ transaction: every statement sees the snapshot of its first one."""
        self._check_open()
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):

            async def fetch(sql: str, params: Params = ()) -> list[Row]:
                text, args = rewrite(sql, params)
                return list(await conn.fetch(text, *args))

            yield fetch

    async def schema_version(self) -> int:
        self._check_open()
        return await read_version(self._pool)

    async def connection_settings(self) -> dict[str, Any]:
        self._check_open()
        names = ("server_version", "default_transaction_isolation", "synchronous_commit", "lock_timeout")
        rows = await self._pool.fetch("SELECT name, setting FROM pg_settings WHERE name = any($1::text[])", names)
        return {row["name"]: row["setting"] for row in rows}

    async def backup(self, dest: Path) -> Path:
        self._check_open()
        return await dump(self.url, dest)

    async def listen(self, channel: str, wake: Callable[[], None]) -> Listening:
        """LISTEN on a connection of its own (outside the pool, which would hand it to others)."""
        self._check_open()
        try:
            conn = await asyncpg.connect(self.url.url, timeout=CONNECT_TIMEOUT_S)
        except _CONNECT_ERRORS as exc:
            raise unreachable(self.url, exc) from None
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(channel, lambda *_: wake())

        async def close() -> None:
            lost.set()
            try:
                await asyncio.wait_for(conn.close(), timeout=5)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn.terminate()

        return Listening(lost, close)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), timeout=60)
        except TimeoutError:
            self._pool.terminate()
