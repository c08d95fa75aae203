"""A small fake Discord (gateway + REST subset on 127.0.0.1) that the real discord.py client connects to.

See README.md in this folder for what is covered; `FakeDiscord` is the entry point.
"""

from __future__ import annotations

from tests.fakediscord.errors import ApiError, FakeDiscordError, FakeTimeoutError
from tests.fakediscord.model import (
    FakeAttachment,
    FakeChannel,
    FakeCommand,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeRole,
    FakeUser,
    ResponseRecord,
)
from tests.fakediscord.pointing import point_discord_py
from tests.fakediscord.server import FakeDiscord

__all__ = [
    "ApiError",
    "FakeAttachment",
    "FakeChannel",
    "FakeCommand",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "FakeInteraction",
    "FakeMessage",
    "FakeRole",
    "FakeTimeoutError",
    "FakeUser",
    "ResponseRecord",
    "point_discord_py",
]
