"""The fake's world as plain data: users, guilds, channels, messages, commands and interactions.

These records are what a test reads back (`fake.messages_in(channel)`, `fake.interaction_responses(...)`),
so they hold decoded values (attachment bytes, parsed embeds) rather than wire JSON.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakediscord import permissions as perms
from tests.fakediscord.errors import FakeDiscordError

DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL_FLAG = 1 << 6
LOADING_FLAG = 1 << 7


class Snowflakes:
    """Strictly increasing Discord-style ids whose timestamp bits are the real clock (so created_at works)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A new id, larger than every id handed out before."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = now_ms << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new id whose guild would be served by shard `shard_id` of `shard_count`: Discord's rule is
        `(guild_id >> 22) % shard_count`, so the id's millisecond is moved up (at most `shard_count - 1` ms
        ahead of the clock) to the next one on that shard."""
        if not 0 <= shard_id < shard_count:
            raise FakeDiscordError(f"shard {shard_id} is not one of {shard_count} shards")
        stamp = (self.next() >> 22) + 1
        stamp += (shard_id - stamp) % shard_count
        self._last = stamp << 22
        return self._last


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord sends a guild's events on; a guild-less event (a DM) goes to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % shard_count


def iso_now() -> str:
    """Discord's ISO-8601 timestamp format for message and join times."""
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class FakeUser:
    id: int
    name: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: str = field(default_factory=iso_now)


@dataclass
class FakeChannel:
    id: int
    guild_id: int
    name: str
    position: int = 0
    type: int = 0

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: dict[int, FakeMember] = field(default_factory=dict)
    locale: str = "en-US"

    def channel(self, name: str) -> FakeChannel:
        """The text channel called `name` (tests name channels rather than carry ids)."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        known = ", ".join(c.name for c in self.channels)
        raise FakeDiscordError(f"guild {self.name!r} has no channel {name!r} (channels: {known})")

    def role(self, name: str) -> FakeRole:
        """The role called `name`; `@everyone` is the role whose id is the guild id."""
        for role in self.roles:
            if role.name == name:
                return role
        raise FakeDiscordError(f"guild {self.name!r} has no role {name!r}")

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions of a member: @everyone plus their roles; the owner has all."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        by_id = {role.id: role.permissions for role in self.roles}
        bits = [by_id.get(self.id, 0)] + [by_id[r] for r in member.role_ids if r in by_id]
        return perms.combine(bits, is_owner=user_id == self.owner_id)


@dataclass
class FakeAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class FakeMessage:
    """A message as the fake stores it; `ephemeral` ones are only shown to the interaction's user."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    reference_id: int | None = None
    reference_type: int = 0
    """0: a reply (to a message of the same channel); 1: a forward, whose original may be anywhere."""
    reference_origin: tuple[int, int | None] | None = None
    """(channel id, guild id) of a forwarded original; None for a reply (the message's own channel)."""
    mention_ids: list[int] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    interaction_id: int | None = None
    edit_count: int = 0
    deleted: bool = False
    reactions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def loading(self) -> bool:
        """True while a deferred ("thinking...") response has not been edited yet."""
        return bool(self.flags & LOADING_FLAG)

    def attachment(self, filename: str) -> FakeAttachment:
        """The attachment called `filename`, with a message listing the real ones if absent."""
        for attachment in self.attachments:
            if attachment.filename == filename:
                return attachment
        names = [a.filename for a in self.attachments]
        raise FakeDiscordError(f"message {self.id} has no attachment {filename!r} (has {names})")

    def custom_ids(self) -> list[str]:
        """Every component custom_id on the message, in layout order."""
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]


@dataclass
class FakeCommand:
    id: int
    name: str
    type: int
    guild_id: int | None
    payload: dict[str, Any]
    version: int


@dataclass
class ResponseRecord:
    """One thing the bot did to answer an interaction, in order.

    kind: "callback" (type = callback type 4/5/6/7/9...), "edit_original", "delete_original",
    "followup", "edit_followup", "delete_followup".
    """

    kind: str
    type: int | None
    data: dict[str, Any]
    attachments: list[FakeAttachment]
    message: FakeMessage | None


@dataclass
class FakeInteraction:
    id: int
    token: str
    type: int
    user: FakeUser
    channel: FakeChannel
    data: dict[str, Any]
    message: FakeMessage | None = None
    created_monotonic: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    responses: list[ResponseRecord] = field(default_factory=list)
    name: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten action rows, labels, sections and containers into the interactive leaves and layout nodes."""
    out: list[dict[str, Any]] = []
    for component in components:
        out.append(component)
        out.extend(walk_components(component.get("components", [])))
        if isinstance(component.get("component"), dict):
            out.extend(walk_components([component["component"]]))
        if isinstance(component.get("accessory"), dict):
            out.extend(walk_components([component["accessory"]]))
    return out
