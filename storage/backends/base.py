"""What a storage engine offers the table mixins: transactions over a `Connection`, plain reads, and the few
SQL fragments that differ between engines (`Dialect`).

Why so small: every statement the store runs is written once, in the mixins, in the SQL both engines share
(`INSERT ... ON CONFLICT`, `RETURNING`, `WITH RECURSIVE`, row values); only placeholders (`?` / `:name`,
which the PostgreSQL backend rewrites to `$n`) and locking differ, and those are here.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from storage.errors import StoreError
from storage.paths import PostgresUrl

T = TypeVar("T")

Params = Sequence[Any] | Mapping[str, Any]
"""Positional values for `?` placeholders, or a dict for `:name` placeholders."""

Row = Any
"""A result row, read by column name or position (`sqlite3.Row` or `asyncpg.Record`)."""

Reader = Callable[[str, Params], Awaitable[list[Row]]]
"""Runs one read-only statement inside a snapshot (`Backend.snapshot`)."""


def checked(params: Params) -> Params:
    """`params`, refused when a text holds a NUL character: PostgreSQL cannot store one in text at all, so
    both engines refuse it the same way (as a `StoreError`) rather than one storing what the other cannot."""
    values = params.values() if isinstance(params, Mapping) else params
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise StoreError(f"text with a NUL character cannot be stored: {value[:40]!r}")
    return params


class Connection(Protocol):
    """One connection inside a write transaction, as the mixins see it."""

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a statement and return its rows (a `RETURNING` clause included)."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement and return how many rows it inserted, updated or deleted."""
        ...

    async def lock(self, name: str, *more: str) -> None:
        """Hold a lock named `name` (and each of `more`, taken in that order, in the same round trip) until the
        transaction ends, for a read-modify-write that no row lock covers (a row that may not exist yet).
        SQLite's writer is already exclusive, so there it is free."""
        ...

    async def notify(self, channel: str) -> None:
        """Wake the `Backend.listen`ers of `channel` when this transaction commits (PostgreSQL's NOTIFY);
        nothing on SQLite, whose one process wakes itself."""
        ...


@dataclass
class Listening:
    """A live subscription (`Backend.listen`): `lost` is set when its connection goes (an outage), so the
    caller can poll meanwhile and listen again."""

    lost: asyncio.Event
    close: Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Dialect:
    """The SQL fragments that differ between engines."""

    name: str
    """'sqlite' or 'postgresql'."""
    skip_locked: str
    """Appended to the SELECT that picks a job to claim: rows another worker is claiming are passed over."""
    for_update: str
    """Appended to a SELECT whose row the transaction then changes (a job being finished)."""


class Backend(ABC):
    """An open store on one engine: what `StoreCore` delegates to."""

    dialect: Dialect
    label: str
    """Where the store is, for messages (a file path, or a URL without its password)."""
    url: PostgresUrl | None = None
    """The server's URL, password included, on PostgreSQL (for procrastinate's own connections to it)."""

    @abstractmethod
    async def transact(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """Run `work` in one write transaction: all of it commits, or (on any exception) none of it."""

    @abstractmethod
    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one read-only statement outside any write transaction."""

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Reader]:
        """Reads that all see the store as it was at one moment, on a connection of their own, while writers
        carry on: a copy of the whole store must not mix rows from before and after a write."""

    @abstractmethod
    async def schema_version(self) -> int:
        """How many migrations the database has run."""

    @abstractmethod
    async def connection_settings(self) -> dict[str, Any]:
        """The engine settings that matter for durability and waiting, read back from the engine."""

    @abstractmethod
    async def backup(self, dest: Path) -> Path:
        """Write a consistent snapshot of the whole store to the new file `dest` while it stays usable."""

    async def listen(self, channel: str, wake: Callable[[], None]) -> Listening | None:
        """Call `wake` whenever a transaction elsewhere `notify`s `channel`; None where the engine has no such
        thing (SQLite)."""
        return None

    @abstractmethod
    async def close(self) -> None:
        """Let the work in progress finish, refuse what comes after, and release the connections."""
