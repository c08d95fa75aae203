"""The Motif store: generations and their lineage, users, server settings and presets, durable jobs, and
feedback; in one SQLite file (the embedded default) or on a PostgreSQL server (`postgresql://` URL).

Idiom (pick either, both close the connections):

    async with Store.open(path_or_url) as store:
        gen = await store.add_generation(NewGeneration(...))

    store = await Store.open(path_or_url)
    try: ...
    finally: await store.close()

`Store` is assembled from one mixin per table group (`generations.py`, `users.py`, `guilds.py`,
`jobs.py`, `enqueue.py`, `job_progress.py`, `quota.py` and `runner.py`, `feedback.py`) over the shared layer in `core.py`, which runs on an engine from `backends/`.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any

from storage.backends import open_backend
from storage.enqueue import EnqueueMixin
from storage.feedback import FeedbackMixin
from storage.generations import GenerationsMixin
from storage.guilds import GuildsMixin
from storage.job_progress import JobProgressMixin
from storage.jobs import JobsMixin
from storage.paths import PostgresUrl, parse_location
from storage.quota import QuotaMixin
from storage.runner import RunnerMixin
from storage.users import UsersMixin

Location = Path | str | PostgresUrl
"""What `Store.open` takes: a SQLite file path, or a PostgreSQL URL (as a `PostgresUrl` or a string)."""


class StoreOpening:
    """What `Store.open` returns: await it for a `Store`, or use it as an async context manager."""

    def __init__(self, location: Path | PostgresUrl) -> None:
        self._location = location
        self._store: Store | None = None

    def __await__(self) -> Generator[Any, None, Store]:
        return Store._open(self._location).__await__()

    async def __aenter__(self) -> Store:
        self._store = await Store._open(self._location)
        return self._store

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._store is not None:
            await self._store.close()


class Store(
    GenerationsMixin, UsersMixin, GuildsMixin, JobsMixin, EnqueueMixin, JobProgressMixin, QuotaMixin, RunnerMixin,
    FeedbackMixin,
):
    """Async access to every Motif table, on SQLite or PostgreSQL, with the same behaviour on both."""

    @classmethod
    def open(cls, location: Location) -> StoreOpening:
        """Open and migrate the store at `location`: a file path (creating parent directories and the file if
        needed) or a `postgresql://` URL (the database must exist; the tables are created)."""
        if isinstance(location, str):
            location = parse_location(location)
        elif isinstance(location, Path):
            location = location.expanduser()
        return StoreOpening(location)

    @classmethod
    async def _open(cls, location: Path | PostgresUrl) -> Store:
        return cls(await open_backend(location))
