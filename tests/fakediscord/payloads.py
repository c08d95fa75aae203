"""Wire JSON for the fake's records, shaped like Discord API v10 payloads that discord.py parses."""

from __future__ import annotations

from typing import Any

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
)
from tests.fakediscord.store import FakeState

Json = dict[str, Any]


def user_payload(user: FakeUser) -> Json:
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
    }


def role_payload(role: FakeRole) -> Json:
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": role.managed,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def channel_payload(channel: FakeChannel) -> Json:
    return {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [],
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def member_payload(guild: FakeGuild, member: FakeMember, *, with_user: bool = True) -> Json:
    payload: Json = {
        "roles": [str(r) for r in member.role_ids],
        "joined_at": member.joined_at,
        "nick": None,
        "avatar": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user_payload(member.user)
    return payload


def guild_payload(guild: FakeGuild) -> Json:
    """A full GUILD_CREATE: member_count equals the members sent, so discord.py does not need to chunk."""
    bot_member = next(m for m in guild.members.values() if m.user.bot)
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "owner_id": str(guild.owner_id),
        "roles": [role_payload(r) for r in guild.roles],
        "channels": [channel_payload(c) for c in guild.channels],
        "members": [member_payload(guild, m) for m in guild.members.values()],
        "member_count": len(guild.members),
        "large": False,
        "unavailable": False,
        "joined_at": bot_member.joined_at,
        "features": [],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "preferred_locale": guild.locale,
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
        "afk_timeout": 300,
        "max_members": 500000,
    }


def attachment_payload(attachment: FakeAttachment) -> Json:
    payload: Json = {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": attachment.size,
        "url": attachment.url,
        "proxy_url": attachment.url,
        "content_type": attachment.content_type,
    }
    if attachment.description is not None:
        payload["description"] = attachment.description
    return payload


def message_payload(state: FakeState, message: FakeMessage, *, depth: int = 0) -> Json:
    """A message as Discord sends it, with the author's member, mentions and the replied-to message."""
    guild = state.guilds.get(message.guild_id) if message.guild_id else None
    payload: Json = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "author": user_payload(message.author),
        "content": message.content,
        "timestamp": message.timestamp,
        "edited_timestamp": message.edited_timestamp,
        "tts": False,
        "mention_everyone": False,
        "mentions": [
            _mention_payload(state, guild, uid) for uid in message.mention_ids if uid in state.users
        ],
        "mention_roles": [],
        "attachments": [attachment_payload(a) for a in message.attachments],
        "embeds": message.embeds,
        "components": message.components,
        "pinned": False,
        "type": message.type,
        "flags": message.flags,
        "reactions": _reactions_payload(state, message),
    }
    if guild is not None:
        payload["guild_id"] = str(guild.id)
        member = guild.members.get(message.author.id)
        if member is not None and message.webhook_id is None:
            payload["member"] = member_payload(guild, member, with_user=False)
    if message.webhook_id is not None:
        payload["webhook_id"] = str(message.webhook_id)
        payload["application_id"] = str(state.application_id)
    if message.reference_id is not None:
        payload["message_reference"] = _reference_payload(message)
        referenced = state.messages.get(message.reference_id)
        if message.reference_type == 1 and referenced is not None:
            payload["message_snapshots"] = [{"message": _snapshot_payload(referenced)}]
        elif depth == 0 and referenced is not None and not referenced.deleted:
            payload["referenced_message"] = message_payload(state, referenced, depth=1)
    if message.interaction_id is not None and message.interaction_id in state.interactions:
        payload.update(_interaction_metadata(state, state.interactions[message.interaction_id]))
    return payload


def _mention_payload(state: FakeState, guild: FakeGuild | None, user_id: int) -> Json:
    payload = user_payload(state.users[user_id])
    if guild is not None and user_id in guild.members:
        payload["member"] = member_payload(guild, guild.members[user_id], with_user=False)
    return payload


def _reference_payload(message: FakeMessage) -> Json:
    channel_id, guild_id = message.reference_origin or (message.channel_id, message.guild_id)
    reference: Json = {
        "type": message.reference_type,
        "message_id": str(message.reference_id),
        "channel_id": str(channel_id),
    }
    if guild_id is not None:
        reference["guild_id"] = str(guild_id)
    return reference


def _snapshot_payload(original: FakeMessage) -> Json:
    """What a forward carries of its original (Discord's message snapshot: no author, no components)."""
    return {
        "type": original.type,
        "content": original.content,
        "embeds": original.embeds,
        "attachments": [attachment_payload(a) for a in original.attachments],
        "timestamp": original.timestamp,
        "edited_timestamp": original.edited_timestamp,
        "flags": original.flags,
        "mentions": [],
        "mention_roles": [],
    }


def _reactions_payload(state: FakeState, message: FakeMessage) -> list[Json]:
    counts: dict[str, list[int]] = {}
    for emoji, user_id in message.reactions:
        counts.setdefault(emoji, []).append(user_id)
    return [
        {
            "emoji": {"id": None, "name": emoji},
            "count": len(users),
            "count_details": {"burst": 0, "normal": len(users)},
            "me": state.bot_user.id in users,
            "me_burst": False,
            "burst_colors": [],
        }
        for emoji, users in counts.items()
    ]


def _interaction_metadata(state: FakeState, interaction: FakeInteraction) -> Json:
    owners = {"0": str(interaction.channel.guild_id)}
    return {
        "interaction_metadata": {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": user_payload(interaction.user),
            "authorizing_integration_owners": owners,
        },
        "interaction": {
            "id": str(interaction.id),
            "type": interaction.type,
            "name": interaction.name,
            "user": user_payload(interaction.user),
        },
    }


def command_payload(state: FakeState, command: FakeCommand) -> Json:
    """A registered application command as Discord echoes it back from a sync."""
    payload: Json = {
        "default_member_permissions": None,
        "dm_permission": True,
        "nsfw": False,
        "contexts": None,
        "integration_types": [0],
        "description": "",
        "options": [],
    }
    payload.update(command.payload)
    payload.update(
        {
            "id": str(command.id),
            "application_id": str(state.application_id),
            "type": command.type,
            "name": command.name,
            "version": str(command.version),
        }
    )
    if command.guild_id is not None:
        payload["guild_id"] = str(command.guild_id)
    return payload


def application_payload(state: FakeState) -> Json:
    """GET /oauth2/applications/@me: what `Client.application_info()` (called at login) reads."""
    return {
        "id": str(state.application_id),
        "name": state.bot_user.name,
        "icon": None,
        "description": "fake application",
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user_payload(state.owner_user),
        "verify_key": "0" * 64,
        "flags": (1 << 14) | (1 << 18),  # privileged members and message content intents granted
        "bot": user_payload(state.bot_user),
        "team": None,
        "summary": "",
        "tags": [],
    }
