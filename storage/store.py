"""The Motif store: one SQLite file, opened with aiosqlite, holding generations and their lineage,
users, server settings and presets, durable jobs, and feedback.

Idiom (pick either, both close the connections):

    async with Store.open(path) as store:
        gen = await store.add_generation(NewGeneration(...))

    store = await Store.open(path)
    try: ...
    finally: await store.close()

`Store` is assembled from one mixin per table group (`generations.py`, `users.py`, `guilds.py`,
`jobs.py`, `feedback.py`) over the shared connection layer in `core.py`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any

from storage.core import connect, open_error
from storage.errors import StoreError
from storage.feedback import FeedbackMixin
from storage.generations import GenerationsMixin
from storage.guilds import GuildsMixin
from storage.jobs import JobsMixin
from storage.migrations import migrate
from storage.users import UsersMixin


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


class Store(GenerationsMixin, UsersMixin, GuildsMixin, JobsMixin, FeedbackMixin):
    """Async access to every Motif table through one writer and one reader connection."""

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
