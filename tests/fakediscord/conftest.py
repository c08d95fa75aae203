"""Fixtures: a fresh fake Discord per test, which must end with no internal errors and no unknown routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.minibot import MiniBot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    started = await FakeDiscord.start(token="test-token", bot_name="Motif")
    try:
        yield started
    finally:
        await started.stop()
    assert started.internal_errors == []
    assert started.unhandled_routes == []


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return fake.add_guild("Studio", channels=["general", "music"])


@pytest.fixture
async def bot(fake: FakeDiscord, guild: FakeGuild) -> AsyncIterator[MiniBot]:
    """The mini bot, logged in (commands synced in setup_hook) and ready."""
    client = MiniBot()
    async with fake.running(client):
        yield client
