"""INTERACTION_CREATE payloads for what a user does: slash commands, clicks, modal submits, context menus.

Options are converted with the schema the bot registered at sync time, so a test passing a value of the
wrong kind, a missing required option or an unknown choice fails here with a clear message, as the
Discord client would refuse it.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from tests.fakediscord.errors import FakeDiscordError
from tests.fakediscord.model import (
    FakeChannel,
    FakeCommand,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeRole,
    FakeUser,
    walk_components,
)
from tests.fakediscord.payloads import (
    attachment_payload,
    channel_payload,
    member_payload,
    message_payload,
    role_payload,
    user_payload,
)
from tests.fakediscord.store import FakeState

Json = dict[str, Any]
SUB_COMMAND, SUB_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER, ATTACHMENT = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    10,
    11,
)
SELECT_TYPES = {3, 5, 6, 7, 8}


def envelope(state: FakeState, interaction: FakeInteraction) -> Json:
    """The INTERACTION_CREATE body common to every interaction type (guild channel context)."""
    channel = interaction.channel
    guild = state.guild_of(channel)
    member = guild.members[interaction.user.id]
    user_bits = guild.permissions_of(interaction.user.id)
    payload: Json = {
        "id": str(interaction.id),
        "application_id": str(state.application_id),
        "type": interaction.type,
        "data": interaction.data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
        "channel_id": str(channel.id),
        "channel": channel_payload(channel) | {"permissions": str(user_bits)},
        "member": member_payload(guild, member) | {"permissions": str(user_bits)},
        "token": interaction.token,
        "version": 1,
        "app_permissions": str(guild.permissions_of(state.bot_user.id)),
        "locale": "en-US",
        "guild_locale": guild.locale,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": state.attachment_limit_bytes,
    }
    if interaction.message is not None:
        payload["message"] = message_payload(state, interaction.message)
    return payload


def slash_data(
    state: FakeState, command: FakeCommand, path: list[str], channel: FakeChannel, given: Json
) -> Json:
    """`data` of a chat-input command: options typed by the registered schema, plus `resolved` objects."""
    schema: list[Json] = command.payload.get("options") or []
    resolved: Json = {}
    nested: list[Json] = []
    holder = nested
    for name in path:
        sub = _find_option(schema, name, command.name)
        if sub["type"] not in (SUB_COMMAND, SUB_GROUP):
            raise FakeDiscordError(f"{name!r} is an option of /{command.name}, not a subcommand")
        node: Json = {"name": name, "type": sub["type"], "options": []}
        holder.append(node)
        holder, schema = node["options"], sub.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in schema):
        names = [o["name"] for o in schema]
        raise FakeDiscordError(f"/{command.name} needs a subcommand: pass e.g. '{command.name} {names[0]}'")
    holder.extend(_typed_options(state, channel, schema, given, resolved))
    data: Json = {"id": str(command.id), "name": command.name, "type": 1, "options": nested}
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    if resolved:
        data["resolved"] = resolved
    return data


def _find_option(schema: list[Json], name: str, command: str) -> Json:
    for option in schema:
        if option["name"] == name:
            return option
    known = [o["name"] for o in schema]
    raise FakeDiscordError(f"/{command} has no option or subcommand {name!r} (registered: {known})")


def _typed_options(
    state: FakeState, channel: FakeChannel, schema: list[Json], given: Json, resolved: Json
) -> list:
    for option in schema:
        if option.get("required") and option["name"] not in given:
            raise FakeDiscordError(f"required option {option['name']!r} is missing")
    out = []
    for name, value in given.items():
        option = _find_option(schema, name, "command")
        out.append(
            {"name": name, "type": option["type"], "value": _convert(state, channel, option, value, resolved)}
        )
    return out


def _convert(state: FakeState, channel: FakeChannel, option: Json, value: Any, resolved: Json) -> Any:
    kind, name = option["type"], option["name"]
    simple = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: (int, float)}
    if kind in simple:
        if not isinstance(value, simple[kind]) or (kind != BOOLEAN and isinstance(value, bool)):
            raise FakeDiscordError(f"option {name!r} expects type {kind}, got {value!r}")
        choices = [c["value"] for c in option.get("choices") or []]
        if choices and value not in choices:
            raise FakeDiscordError(f"option {name!r} must be one of {choices}, got {value!r}")
        return value
    return _resolve_object(state, channel, kind, name, value, resolved)


def _resolve_object(
    state: FakeState, channel: FakeChannel, kind: int, name: str, value: Any, resolved: Json
) -> str:
    guild = state.guild_of(channel)
    if kind == USER and isinstance(value, FakeUser):
        resolved.setdefault("users", {})[str(value.id)] = user_payload(value)
        if value.id in guild.members:
            member = member_payload(guild, guild.members[value.id], with_user=False)
            resolved.setdefault("members", {})[str(value.id)] = member
        return str(value.id)
    if kind == CHANNEL and isinstance(value, FakeChannel):
        entry = channel_payload(value) | {"permissions": str(guild.permissions_of(state.bot_user.id))}
        resolved.setdefault("channels", {})[str(value.id)] = entry
        return str(value.id)
    if kind == ROLE and isinstance(value, FakeRole):
        resolved.setdefault("roles", {})[str(value.id)] = role_payload(value)
        return str(value.id)
    if kind == ATTACHMENT and isinstance(value, tuple) and len(value) == 2:
        filename, data = value
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        attachment = state.new_attachment(channel.id, filename, bytes(data), content_type)
        resolved.setdefault("attachments", {})[str(attachment.id)] = attachment_payload(attachment)
        return str(attachment.id)
    wanted = {
        USER: "a FakeUser",
        CHANNEL: "a FakeChannel",
        ROLE: "a FakeRole",
        ATTACHMENT: "(filename, bytes)",
    }
    raise FakeDiscordError(f"option {name!r} expects {wanted.get(kind, f'type {kind}')}, got {value!r}")


def component_data(message: FakeMessage, custom_id: str, values: list[str] | None) -> Json:
    """`data` of a click or select on one of the message's components; refuses missing or disabled ones."""
    found = [c for c in walk_components(message.components) if c.get("custom_id") == custom_id]
    if not found:
        raise FakeDiscordError(
            f"message {message.id} has no component {custom_id!r} (has {message.custom_ids()})"
        )
    component = found[0]
    if component.get("disabled"):
        raise FakeDiscordError(f"component {custom_id!r} is disabled")
    kind = int(component["type"])
    data: Json = {"custom_id": custom_id, "component_type": kind}
    if kind in SELECT_TYPES:
        if values is None:
            raise FakeDiscordError(f"component {custom_id!r} is a select menu: pass values=[...]")
        data["values"] = list(values)
    elif values is not None:
        raise FakeDiscordError(f"component {custom_id!r} is a button; values only apply to select menus")
    return data


def modal_submit_data(modal: Json, fields: dict[str, str]) -> Json:
    """`data` of a modal submit mirroring the modal's layout (action rows or labels) with the typed values."""
    inputs = {c["custom_id"]: c for c in walk_components(modal["components"]) if c.get("type") == 4}
    unknown = set(fields) - set(inputs)
    if unknown:
        raise FakeDiscordError(
            f"modal {modal['custom_id']!r} has no text inputs {sorted(unknown)} (has {sorted(inputs)})"
        )
    for custom_id, text_input in inputs.items():
        if text_input.get("required", True) and not fields.get(custom_id):
            raise FakeDiscordError(f"modal field {custom_id!r} is required")
    rows = []
    for row in modal["components"]:
        if row.get("type") == 18:
            inner = row["component"]
            value = {
                "type": inner["type"],
                "custom_id": inner.get("custom_id"),
                "value": fields.get(inner.get("custom_id"), ""),
            }
            rows.append({"type": 18, "component": value})
        elif row.get("type") == 1:
            children = [
                {"type": 4, "custom_id": c["custom_id"], "value": fields.get(c["custom_id"], "")}
                for c in row["components"]
            ]
            rows.append({"type": 1, "components": children})
    return {"custom_id": modal["custom_id"], "components": rows}


def message_command_data(state: FakeState, command: FakeCommand, message: FakeMessage) -> Json:
    """`data` of a message context-menu command: the target message travels in `resolved.messages`."""
    data: Json = {
        "id": str(command.id),
        "name": command.name,
        "type": 3,
        "target_id": str(message.id),
        "resolved": {"messages": {str(message.id): message_payload(state, message)}},
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


def find_command(state: FakeState, guild: FakeGuild, name: str, kind: int) -> FakeCommand:
    """The synced command a user in `guild` would see (guild commands first); error if never synced."""
    for scope in (guild.id, None):
        for command in state.commands.values():
            if command.name == name and command.type == kind and command.guild_id == scope:
                return command
    synced = sorted(
        f"{c.name} (type {c.type})" for c in state.commands.values() if c.guild_id in (guild.id, None)
    )
    raise FakeDiscordError(f"no synced command {name!r} of type {kind} in {guild.name!r}; synced: {synced}")
