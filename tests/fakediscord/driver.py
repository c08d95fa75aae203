"""What a test can make users do, and bounded waits for what the bot does in response.

Every action goes through the same path real Discord takes: the fake stores the user's message or
interaction and dispatches it over the gateway; the bot answers over REST; the waits here wake on the
store's change notification.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tests.fakediscord import events
from tests.fakediscord import permissions as perms
from tests.fakediscord.bodies import mention_ids
from tests.fakediscord.errors import FakeDiscordError
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.interactions import (
    component_data,
    envelope,
    find_command,
    message_command_data,
    modal_submit_data,
    slash_data,
)
from tests.fakediscord.model import (
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeUser,
    ResponseRecord,
)
from tests.fakediscord.store import FakeState

Json = dict[str, Any]
T = TypeVar("T")
MessagePredicate = Callable[[FakeMessage], bool]
ResponsePredicate = Callable[[ResponseRecord], bool]


class UserActions:
    """The user-facing half of FakeDiscord: act as members, then wait for and read the bot's answers."""

    def __init__(self, state: FakeState, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway

    def _guild_member(
        self, user: FakeUser, channel: FakeChannel, needed: int = perms.VIEW_CHANNEL
    ) -> FakeGuild:
        guild = self.state.guild_of(channel)
        if user.id not in guild.members:
            raise FakeDiscordError(f"{user.name} is not a member of {guild.name!r}")
        if guild.permissions_of(user.id) & needed != needed:
            raise FakeDiscordError(f"{user.name} lacks permissions {needed:#x} in #{channel.name}")
        return guild

    # -- messages -------------------------------------------------------------------------------
    async def user_sends(
        self,
        user: FakeUser,
        channel: FakeChannel,
        content: str = "",
        *,
        reply_to: FakeMessage | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
        mentions_bot: bool = False,
    ) -> FakeMessage:
        """A member posts in a channel (optionally a reply, with files, mentioning the bot); MESSAGE_CREATE."""
        needed = perms.VIEW_CHANNEL | perms.SEND_MESSAGES | (perms.ATTACH_FILES if attachments else 0)
        guild = self._guild_member(user, channel, needed)
        if mentions_bot and self.state.bot_user.mention not in content:
            content = f"{self.state.bot_user.mention} {content}".rstrip()
        message = FakeMessage(
            id=self.state.snowflakes.next(), channel_id=channel.id, guild_id=guild.id, author=user
        )
        message.content = content
        message.mention_ids = mention_ids(self.state, content)
        for filename, data in attachments:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            message.attachments.append(
                self.state.new_attachment(channel.id, filename, bytes(data), content_type)
            )
        if reply_to is not None:
            self._check_visible(reply_to, channel)
            message.reference_id, message.type = reply_to.id, 19
            if reply_to.author.id not in message.mention_ids:
                message.mention_ids.append(reply_to.author.id)
        self.state.store_message(message)
        await events.message_created(self.gateway, self.state, message)
        return message

    async def user_forwards(self, user: FakeUser, message: FakeMessage, channel: FakeChannel) -> FakeMessage:
        """`user` forwards `message` (from any channel they can see, in any guild) into `channel`: a new
        message by `user`, without content, whose reference (type 1) names the original's channel and guild."""
        self._guild_member(user, self.state.channel_by_id(message.channel_id))
        self._check_visible(message, self.state.channel_by_id(message.channel_id))
        guild = self._guild_member(user, channel, perms.VIEW_CHANNEL | perms.SEND_MESSAGES)
        forward = FakeMessage(
            id=self.state.snowflakes.next(), channel_id=channel.id, guild_id=guild.id, author=user
        )
        forward.reference_id, forward.reference_type = message.id, 1
        forward.reference_origin = (message.channel_id, message.guild_id)
        self.state.store_message(forward)
        await events.message_created(self.gateway, self.state, forward)
        return forward

    def _check_visible(self, message: FakeMessage, channel: FakeChannel) -> None:
        live = self.state.messages.get(message.id)
        if live is None or live.deleted or live.channel_id != channel.id or live.ephemeral:
            raise FakeDiscordError(f"message {message.id} is not a visible message of #{channel.name}")

    # -- interactions ---------------------------------------------------------------------------
    async def _create(
        self,
        kind: int,
        user: FakeUser,
        channel: FakeChannel,
        data: Json,
        message: FakeMessage | None,
        name: str,
    ) -> FakeInteraction:
        interaction = self.state.new_interaction(kind, user, channel, data)
        interaction.message, interaction.name = message, name
        await events.interaction_created(self.gateway, envelope(self.state, interaction))
        self.state.notify()
        return interaction

    async def user_invokes_slash(
        self, user: FakeUser, channel: FakeChannel, command: str, options: Json | None = None
    ) -> FakeInteraction:
        """`/command` (or "group sub" for subcommands) with options typed by the synced schema."""
        guild = self._guild_member(user, channel, perms.VIEW_CHANNEL | perms.USE_APPLICATION_COMMANDS)
        name, *path = command.split()
        registered = find_command(self.state, guild, name, 1)
        self._check_command_permission(user, guild, registered.payload, name)
        data = slash_data(self.state, registered, path, channel, options or {})
        return await self._create(2, user, channel, data, None, command)

    def _check_command_permission(self, user: FakeUser, guild: FakeGuild, payload: Json, name: str) -> None:
        required = payload.get("default_member_permissions")
        if required is None:
            return
        bits = int(required)
        granted = guild.permissions_of(user.id)
        if bits == 0 and granted != perms.ALL or granted & bits != bits:
            raise FakeDiscordError(f"{user.name} cannot see command {name!r}: it needs permissions {bits:#x}")

    async def user_invokes_message_command(
        self, user: FakeUser, message: FakeMessage, name: str
    ) -> FakeInteraction:
        """A message context-menu command (Apps > `name`) on `message`."""
        channel = self.state.channel_by_id(message.channel_id)
        guild = self._guild_member(user, channel, perms.VIEW_CHANNEL | perms.USE_APPLICATION_COMMANDS)
        self._check_visible(message, channel)
        registered = find_command(self.state, guild, name, 3)
        self._check_command_permission(user, guild, registered.payload, name)
        data = message_command_data(self.state, registered, message)
        return await self._create(2, user, channel, data, None, name)

    async def user_clicks(
        self, user: FakeUser, message: FakeMessage, custom_id: str, *, values: list[str] | None = None
    ) -> FakeInteraction:
        """A click on a button (or a choice in a select menu, with `values`) of a message."""
        channel = self.state.channel_by_id(message.channel_id)
        self._guild_member(user, channel)
        live = self.state.messages.get(message.id)
        if live is None or live.deleted:
            raise FakeDiscordError(f"message {message.id} was deleted")
        data = component_data(live, custom_id, values)
        return await self._create(3, user, channel, data, live, "")

    async def user_clicks_forged(self, user: FakeUser, message: FakeMessage, custom_id: str) -> FakeInteraction:
        """A click on a button `custom_id` that `message` did not carry, delivered as if it did (the
        interaction's copy of the message gains that button; the stored message is unchanged). Real Discord
        only delivers clicks on real buttons; this lets a test check that the bot still validates the data
        inside custom ids instead of trusting that whoever posted the button meant it for this server."""
        channel = self.state.channel_by_id(message.channel_id)
        self._guild_member(user, channel)
        live = self.state.messages.get(message.id)
        if live is None or live.deleted:
            raise FakeDiscordError(f"message {message.id} was deleted")
        button = {"type": 2, "style": 2, "label": "forged", "custom_id": custom_id}
        shown = dataclasses.replace(live, components=[{"type": 1, "components": [button]}])
        data: Json = {"custom_id": custom_id, "component_type": 2}
        return await self._create(3, user, channel, data, shown, "")

    async def user_submits_modal(
        self, user: FakeUser, custom_id: str, fields: dict[str, str]
    ) -> FakeInteraction:
        """Submit the modal the bot last showed `user` with this custom_id, typing `fields` into it."""
        origin, modal = self._find_modal(user, custom_id)
        data = modal_submit_data(modal, fields)
        return await self._create(5, user, origin.channel, data, origin.message, "")

    def _find_modal(self, user: FakeUser, custom_id: str) -> tuple[FakeInteraction, Json]:
        shown: list[str] = []
        for interaction in sorted(self.state.interactions.values(), key=lambda i: i.id, reverse=True):
            if interaction.user.id != user.id:
                continue
            for record in interaction.responses:
                if record.kind == "callback" and record.type == 9:
                    shown.append(record.data["custom_id"])
                    if record.data["custom_id"] == custom_id:
                        return interaction, record.data
        raise FakeDiscordError(f"the bot never showed {user.name} a modal {custom_id!r} (shown: {shown})")

    # -- reading and waiting --------------------------------------------------------------------
    async def wait_for(
        self, condition: Callable[[], T | None], timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Wait for any condition, e.g. on the bot's own state; checked on every change and every 10 ms."""
        return await self.state.wait_until(condition, timeout, lambda: f"{what} never held", poll_s=0.01)

    def interaction_responses(self, interaction: FakeInteraction) -> list[ResponseRecord]:
        """Callback, original edits and followups, in the order the bot sent them."""
        return list(self.state.interactions[interaction.id].responses)

    async def wait_for_response(
        self, interaction: FakeInteraction, predicate: ResponsePredicate | None = None, timeout: float = 5.0
    ) -> ResponseRecord:
        """The first response record (callback, edit, followup) matching `predicate`."""

        def check() -> ResponseRecord | None:
            return next((r for r in interaction.responses if predicate is None or predicate(r)), None)

        def describe() -> str:
            seen = [(r.kind, r.type, (r.message.content if r.message else "")) for r in interaction.responses]
            return f"responses to interaction {interaction.id}: {seen}; connected: {len(self.gateway.connected_sessions())}"

        return await self.state.wait_until(check, timeout, describe)

    async def wait_for_bot_message(
        self,
        channel: FakeChannel,
        predicate: MessagePredicate | None = None,
        timeout: float = 5.0,
        *,
        after: FakeMessage | int | None = None,
    ) -> FakeMessage:
        """The first live bot message in `channel` (newer than `after`) matching `predicate` now or later;
        edits count, so waiting for a deferred answer's final content works."""
        floor = after.id if isinstance(after, FakeMessage) else (after or 0)

        def candidates() -> list[FakeMessage]:
            found = self.state.channel_messages(channel.id)
            return [m for m in found if m.author.id == self.state.bot_user.id and m.id > floor]

        def check() -> FakeMessage | None:
            return next((m for m in candidates() if predicate is None or predicate(m)), None)

        def describe() -> str:
            seen = [(m.id, m.content[:60], [a.filename for a in m.attachments]) for m in candidates()]
            return f"bot messages in #{channel.name}: {seen}; unhandled routes: {self.state.unhandled_routes}"

        return await self.state.wait_until(check, timeout, describe)
