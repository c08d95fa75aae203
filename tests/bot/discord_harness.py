"""Fixtures for the Discord bot's end-to-end tests: the real MotifBot, a real store and real worker processes,
talking to the fake Discord in tests/fakediscord. Nothing of Motif's is mocked.

One process pool (2 workers, Markov engine) is shared by the whole session so its models load once;
each test gets its own database, fake Discord and bot. Test modules import the fixtures by name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.discord_app import BotOptions, MotifBot, WorkerConfig, WorkerPool
from bot.discord_app.pool import ProcessGroup, start_workers
from bot.studio import StudioConfig
from prompts import ParseConfig
from storage import Job, PostgresUrl, Store
from tests.fakediscord import FakeDiscord, FakeGuild, FakeMessage, ResponseRecord

WORKERS = 2


@pytest.fixture(scope="session")
def executor() -> Iterator[ProcessGroup]:
    pool = start_workers(WORKERS, "markov")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class World:
    """One test's Discord, server, database and worker settings."""

    fake: FakeDiscord
    guild: FakeGuild
    store: Store
    config: WorkerConfig
    executor: ProcessGroup

    def bot(self, **options: object) -> MotifBot:
        """A fresh bot over this world's store (several in a row simulate restarts)."""
        merged: dict[str, object] = {"lanes": WORKERS, "poll_s": 0.2, "lease_s": 30.0} | options
        return MotifBot(self.store, WorkerPool(self.executor, self.config), BotOptions(**merged))  # type: ignore[arg-type]


def worker_config(tmp_path: Path, *, images: bool = True, db: Path | PostgresUrl | None = None) -> WorkerConfig:
    return WorkerConfig(StudioConfig(
        out_dir=tmp_path / "files",
        db_path=tmp_path / "motif.db" if db is None else db,
        want_audio=False,
        want_images=images,
        engine="markov",
        parse=ParseConfig(use_encoder=False),
    ))


async def open_world(
    tmp_path: Path, executor: ProcessGroup, *, images: bool = True, db: Path | PostgresUrl | None = None
) -> AsyncIterator[World]:
    """A world on a SQLite file in `tmp_path`, or on the store `db` names (a PostgreSQL schema)."""
    fake = await FakeDiscord.start(token="test-token", bot_name="Motif")
    guild = fake.add_guild("Studio", channels=["general", "music"])
    config = worker_config(tmp_path, images=images, db=db)
    try:
        async with Store.open(config.studio.db_path) as store:
            yield World(fake, guild, store, config, executor)
    finally:
        await fake.stop()
    assert fake.internal_errors == []
    assert fake.unhandled_routes == []


@pytest.fixture
async def world(tmp_path: Path, executor: ProcessGroup) -> AsyncIterator[World]:
    async for opened in open_world(tmp_path, executor):
        yield opened


def is_final(message: FakeMessage) -> bool:
    """The finished piece: an embed whose footer names the generation, and the MIDI attached."""
    return bool(message.embeds) and any(a.filename.endswith(".mid") for a in message.attachments)


def answered(response: ResponseRecord) -> bool:
    """A response that carries the finished piece (what most tests wait for)."""
    return response.message is not None and is_final(response.message)


def generation_id(message: FakeMessage) -> str:
    footer = message.embeds[0]["footer"]["text"]
    return str(footer.removeprefix("Motif · "))


async def job_when(store: Store, key: str, ready: Callable[[Job], bool], timeout_s: float = 60.0) -> Job:
    """The job with idempotency `key` once `ready(job)` holds (polled every 50 ms); fails the test on timeout."""
    job = None
    for _ in range(int(timeout_s / 0.05)):
        job = await store.get_job_by_key(key)
        if job is not None and ready(job):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {key} never reached the state the test waits for: {job}")
