"""The fake's mutable world in one place: lookups by id, message storage and change notification.

Every REST handler and driver call mutates this store and then calls `notify()`, so a test waiting on
"the bot posted X" wakes as soon as anything changes instead of polling on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from tests.fakediscord import permissions as perms
from tests.fakediscord.errors import FakeDiscordError, FakeTimeoutError, not_found
from tests.fakediscord.model import (
    FakeAttachment,
    FakeChannel,
    FakeCommand,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    Snowflakes,
)

T = TypeVar("T")

DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024


class FakeState:
    """Users, guilds, channels, messages, commands and interactions of one fake Discord."""

    def __init__(self, token: str, bot_name: str, base_url: str) -> None:
        self.token = token
        self.base_url = base_url
        self.snowflakes = Snowflakes()
        self.application_id = self.snowflakes.next()
        self.bot_user = FakeUser(id=self.application_id, name=bot_name, bot=True)
        self.owner_user = FakeUser(id=self.snowflakes.next(), name="app-owner")
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner_user)}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.attachments: dict[int, FakeAttachment] = {}
        self.commands: dict[int, FakeCommand] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.interactions_by_token: dict[str, FakeInteraction] = {}
        self.attachment_limit_bytes = DEFAULT_ATTACHMENT_LIMIT_BYTES
        self.recommended_shards = 1
        """What GET /gateway/bot recommends (`shards`), as Discord does from the bot's guild count."""
        self.max_concurrency = 1
        """Session start limit: IDENTIFYs allowed per 5 s, one per bucket `shard_id % max_concurrency`."""
        self.typing_channel_ids: list[int] = []
        self.unhandled_routes: list[str] = []
        self.refusals: list[str] = []
        self.internal_errors: list[str] = []
        self._changed = asyncio.Event()

    # -- creation -------------------------------------------------------------------------------
    def new_user(self, name: str) -> FakeUser:
        """A human user with a fresh id (not yet a member of any guild)."""
        user = FakeUser(id=self.snowflakes.next(), name=name)
        self.users[user.id] = user
        return user

    def new_guild(
        self, name: str, channel_names: list[str], shard: tuple[int, int] | None = None
    ) -> FakeGuild:
        """A guild with @everyone, a Moderator role, the bot's managed role, and the named text channels;
        `shard=(id, count)` gives it an id whose events go to that shard of `count`."""
        if not channel_names:
            raise FakeDiscordError("a guild needs at least one channel")
        guild_id = self.snowflakes.next() if shard is None else self.snowflakes.next_on_shard(*shard)
        guild = FakeGuild(id=guild_id, name=name, owner_id=self.owner_user.id)
        guild.roles = [
            FakeRole(id=guild_id, name="@everyone", permissions=perms.EVERYONE_DEFAULT, position=0),
            FakeRole(id=self.snowflakes.next(), name="Moderator", permissions=perms.MODERATOR, position=1),
            FakeRole(
                id=self.snowflakes.next(),
                name=self.bot_user.name,
                permissions=perms.BOT_DEFAULT,
                position=2,
                managed=True,
            ),
        ]
        for position, channel_name in enumerate(channel_names):
            channel = FakeChannel(
                id=self.snowflakes.next(), guild_id=guild_id, name=channel_name, position=position
            )
            guild.channels.append(channel)
            self.channels[channel.id] = channel
        guild.members[self.owner_user.id] = FakeMember(user=self.owner_user, role_ids=[])
        guild.members[self.bot_user.id] = FakeMember(user=self.bot_user, role_ids=[guild.roles[2].id])
        self.guilds[guild_id] = guild
        return guild

    def new_interaction(self, kind: int, user: FakeUser, channel: FakeChannel, data: dict) -> FakeInteraction:
        """A pending interaction with its own token (the bot answers it through /interactions and /webhooks)."""
        interaction = FakeInteraction(
            id=self.snowflakes.next(),
            token=secrets.token_urlsafe(24),
            type=kind,
            user=user,
            channel=channel,
            data=data,
        )
        self.interactions[interaction.id] = interaction
        self.interactions_by_token[interaction.token] = interaction
        return interaction

    # -- lookups --------------------------------------------------------------------------------
    def guild_of(self, channel: FakeChannel) -> FakeGuild:
        return self.guilds[channel.guild_id]

    def channel_by_id(self, channel_id: int) -> FakeChannel:
        """The channel, or Discord's 404 Unknown Channel for the bot."""
        channel = self.channels.get(channel_id)
        if channel is None:
            raise not_found("Channel", 10003)
        return channel

    def message_in(self, channel_id: int, message_id: int) -> FakeMessage:
        """A live message of that channel, or Discord's 404 Unknown Message."""
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise not_found("Message", 10008)
        return message

    def interaction_by_token(self, token: str) -> FakeInteraction:
        interaction = self.interactions_by_token.get(token)
        if interaction is None:
            raise not_found("Webhook", 10015)
        return interaction

    def new_attachment(
        self, channel_id: int, filename: str, data: bytes, content_type: str, description: str | None = None
    ) -> FakeAttachment:
        """Store uploaded bytes under a local CDN url, so `Attachment.read()` in the bot fetches them."""
        attachment_id = self.snowflakes.next()
        url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
        attachment = FakeAttachment(attachment_id, filename, data, content_type, url, description)
        self.attachments[attachment_id] = attachment
        return attachment

    def store_message(self, message: FakeMessage) -> FakeMessage:
        self.messages[message.id] = message
        self.notify()
        return message

    def channel_messages(self, channel_id: int) -> list[FakeMessage]:
        """Live messages of a channel, oldest first (ids increase with time)."""
        found = [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]
        return sorted(found, key=lambda m: m.id)

    # -- change notification --------------------------------------------------------------------
    def notify(self) -> None:
        """Wake every waiter: something in the world changed."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self,
        check: Callable[[], T | None],
        timeout_s: float,
        describe: Callable[[], str],
        poll_s: float | None = None,
    ) -> T:
        """Re-run `check` after each change (and every `poll_s`, for conditions on the bot's own state)
        until it returns a value; on timeout say what was seen instead."""
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    result = check()
                    if result is not None:
                        return result
                    changed = self._changed.wait()
                    if poll_s is None:
                        await changed
                    else:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(changed, poll_s)
        except TimeoutError:
            raise FakeTimeoutError(f"timed out after {timeout_s:.1f}s; {describe()}") from None
