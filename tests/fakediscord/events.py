"""Gateway events that follow from changes in the world, filtered by each session's intents.

Like real Discord: guild message events need GUILD_MESSAGES; without MESSAGE_CONTENT the content,
embeds, attachments and components of other users' messages arrive empty unless the bot is mentioned;
ephemeral messages are never dispatched.
"""

from __future__ import annotations

from typing import Any

from tests.fakediscord import permissions as perms
from tests.fakediscord.gateway import Gateway, GatewaySession
from tests.fakediscord.model import FakeGuild, FakeMember, FakeMessage
from tests.fakediscord.payloads import guild_payload, member_payload, message_payload
from tests.fakediscord.store import FakeState

Json = dict[str, Any]


def _visible(state: FakeState, session: GatewaySession, message: FakeMessage) -> Json | None:
    if message.guild_id is not None and not session.wants(perms.INTENT_GUILD_MESSAGES):
        return None
    payload = message_payload(state, message)
    own = message.author.id == state.bot_user.id
    mentioned = state.bot_user.id in message.mention_ids
    if not (session.wants(perms.INTENT_MESSAGE_CONTENT) or own or mentioned):
        payload.update(content="", embeds=[], attachments=[], components=[])
    return payload


async def message_created(gateway: Gateway, state: FakeState, message: FakeMessage) -> None:
    """MESSAGE_CREATE for a new visible message."""
    if not message.ephemeral:
        await gateway.dispatch("MESSAGE_CREATE", lambda s: _visible(state, s, message), guild_id=message.guild_id)


async def message_updated(gateway: Gateway, state: FakeState, message: FakeMessage) -> None:
    """MESSAGE_UPDATE with the full message, as Discord now sends it."""
    if not message.ephemeral:
        await gateway.dispatch("MESSAGE_UPDATE", lambda s: _visible(state, s, message), guild_id=message.guild_id)


async def message_deleted(gateway: Gateway, message: FakeMessage) -> None:
    """MESSAGE_DELETE with ids only."""
    if message.ephemeral:
        return
    data: Json = {"id": str(message.id), "channel_id": str(message.channel_id)}
    if message.guild_id is not None:
        data["guild_id"] = str(message.guild_id)
    await gateway.dispatch(
        "MESSAGE_DELETE", lambda s: data if s.wants(perms.INTENT_GUILD_MESSAGES) else None, guild_id=message.guild_id
    )


async def reaction_added(gateway: Gateway, message: FakeMessage, emoji: str, user_id: int) -> None:
    """MESSAGE_REACTION_ADD for a unicode emoji."""
    data: Json = {
        "user_id": str(user_id),
        "channel_id": str(message.channel_id),
        "message_id": str(message.id),
        "guild_id": str(message.guild_id),
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }
    await gateway.dispatch(
        "MESSAGE_REACTION_ADD",
        lambda s: data if s.wants(perms.INTENT_GUILD_MESSAGE_REACTIONS) else None,
        guild_id=message.guild_id,
    )


async def member_added(gateway: Gateway, guild: FakeGuild, member: FakeMember) -> None:
    """GUILD_MEMBER_ADD (needs the privileged GUILD_MEMBERS intent)."""
    data = member_payload(guild, member) | {"guild_id": str(guild.id)}
    await gateway.dispatch(
        "GUILD_MEMBER_ADD", lambda s: data if s.wants(perms.INTENT_GUILD_MEMBERS) else None, guild_id=guild.id
    )


async def guild_created(gateway: Gateway, guild: FakeGuild) -> None:
    """GUILD_CREATE when the bot joins a guild while connected."""
    data = guild_payload(guild)
    await gateway.dispatch(
        "GUILD_CREATE", lambda s: data if s.wants(perms.INTENT_GUILDS) else None, guild_id=guild.id
    )


async def interaction_created(gateway: Gateway, payload: Json) -> None:
    """INTERACTION_CREATE goes to every session serving its guild, regardless of intents."""
    guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
    await gateway.dispatch("INTERACTION_CREATE", lambda s: payload, guild_id=guild_id)
