"""REST routes for users, gateway discovery, the application, command sync, channels, messages, guilds.

Interaction callbacks and webhook (followup) routes live in `rest_interactions.py`. Unknown routes answer
404 JSON and are recorded in `state.unhandled_routes`, so a missing route shows up in the test output.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from tests.fakediscord import events
from tests.fakediscord import permissions as perms
from tests.fakediscord.bodies import edit_message, new_bot_message, read_body
from tests.fakediscord.errors import ApiError, missing_permissions, not_found
from tests.fakediscord.model import FakeChannel, FakeCommand, FakeGuild, FakeMessage
from tests.fakediscord.payloads import (
    application_payload,
    channel_payload,
    command_payload,
    guild_payload,
    member_payload,
    message_payload,
    role_payload,
    user_payload,
)
from tests.fakediscord.services import Services, ok, services, snowflake

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API = "/api/v{version:(?:9|10)}"
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bot-token check, Discord-shaped JSON errors, and a visible record of unknown routes."""
    svc = services(request)
    try:
        if _needs_auth(request.path) and request.headers.get("Authorization") != f"Bot {svc.state.token}":
            return ok({"message": "401: Unauthorized", "code": 0}, status=401)
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        route = f"{request.method} {request.path}"
        svc.state.unhandled_routes.append(route)
        log.warning("fake discord: unhandled route %s", route)
        return ok({"message": f"404: Not Found (fake has no route {route})", "code": 0}, status=404)
    except ApiError as exc:
        svc.state.refusals.append(f"{request.method} {request.path}: {exc}")
        svc.state.notify()
        return ok(exc.body(), status=exc.status)
    except Exception as exc:  # a bug in the fake: answer 400 (a 5xx would make discord.py retry slowly)
        log.exception("fake discord: internal error on %s %s", request.method, request.path)
        svc.state.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
        return ok({"message": f"fake discord internal error: {exc!r}", "code": 0}, status=400)


def _needs_auth(path: str) -> bool:
    if not path.startswith("/api/"):
        return False
    rest = path.split("/", 3)[-1]
    return not (rest.startswith("webhooks/") or rest.startswith("interactions/"))


def _bot_can(svc: Services, channel: FakeChannel, needed: int) -> None:
    granted = svc.state.guild_of(channel).permissions_of(svc.state.bot_user.id)
    if granted & needed != needed:
        raise missing_permissions()


# -- users, gateway, application ----------------------------------------------------------------
async def get_me(request: web.Request) -> web.Response:
    return ok(user_payload(services(request).state.bot_user))


async def get_user(request: web.Request) -> web.Response:
    user = services(request).state.users.get(snowflake(request, "user_id"))
    if user is None:
        raise not_found("User", 10013)
    return ok(user_payload(user))


async def get_gateway(request: web.Request) -> web.Response:
    svc = services(request)
    limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": svc.state.max_concurrency}
    return ok({"url": svc.gateway.url, "shards": svc.state.recommended_shards, "session_start_limit": limit})


async def get_application(request: web.Request) -> web.Response:
    return ok(application_payload(services(request).state))


# -- application commands ------------------------------------------------------------------------
def _command_scope(request: web.Request) -> int | None:
    svc = services(request)
    if snowflake(request, "app_id") != svc.state.application_id:
        raise not_found("Application", 10002)
    if "guild_id" not in request.match_info:
        return None
    guild_id = snowflake(request, "guild_id")
    if guild_id not in svc.state.guilds:
        raise ApiError(403, "Missing Access", 50001)
    return guild_id


def _check_command(entry: dict) -> None:
    name, kind = entry.get("name", ""), int(entry.get("type", 1))
    if kind == 1 and (not _COMMAND_NAME.match(name) or name != name.lower()):
        raise ApiError(400, f"Invalid Form Body: name: Command name {name!r} is invalid.", 50035)
    if kind == 1 and not 1 <= len(entry.get("description", "")) <= 100:
        raise ApiError(400, f"Invalid Form Body: description of {name!r} must be 1-100 characters.", 50035)
    if kind in (2, 3) and not 1 <= len(name) <= 32:
        raise ApiError(400, f"Invalid Form Body: name: context menu name {name!r} is invalid.", 50035)


async def list_commands(request: web.Request) -> web.Response:
    svc, scope = services(request), _command_scope(request)
    found = [c for c in svc.state.commands.values() if c.guild_id == scope]
    return ok([command_payload(svc.state, c) for c in sorted(found, key=lambda c: c.id)])


async def overwrite_commands(request: web.Request) -> web.Response:
    """PUT: the bulk overwrite `CommandTree.sync()` does; ids survive for commands kept by name and type."""
    svc, scope = services(request), _command_scope(request)
    entries = (await read_body(request)).payload
    if not isinstance(entries, list) or len(entries) > 100:
        raise ApiError(400, "Invalid Form Body: expected a list of at most 100 commands.", 50035)
    for entry in entries:
        _check_command(entry)
    old = {(c.name, c.type): c for c in svc.state.commands.values() if c.guild_id == scope}
    for command in old.values():
        del svc.state.commands[command.id]
    fresh = [
        _upsert(svc, scope, entry, old.get((entry["name"], int(entry.get("type", 1))))) for entry in entries
    ]
    svc.state.notify()
    return ok([command_payload(svc.state, c) for c in fresh])


async def create_command(request: web.Request) -> web.Response:
    svc, scope = services(request), _command_scope(request)
    entry = (await read_body(request)).payload
    _check_command(entry)
    key = (entry["name"], int(entry.get("type", 1)))
    previous = next(
        (c for c in svc.state.commands.values() if c.guild_id == scope and (c.name, c.type) == key), None
    )
    command = _upsert(svc, scope, entry, previous)
    svc.state.notify()
    return ok(command_payload(svc.state, command), status=200 if previous else 201)


def _upsert(svc: Services, scope: int | None, entry: dict, previous: FakeCommand | None) -> FakeCommand:
    kind = int(entry.get("type", 1))
    command_id = previous.id if previous else svc.state.snowflakes.next()
    version = svc.state.snowflakes.next()
    command = FakeCommand(command_id, entry["name"], kind, scope, dict(entry), version)
    svc.state.commands[command.id] = command
    return command


# -- channels and messages ----------------------------------------------------------------------
async def get_channel(request: web.Request) -> web.Response:
    return ok(channel_payload(services(request).state.channel_by_id(snowflake(request, "channel_id"))))


async def create_message(request: web.Request) -> web.Response:
    """POST a channel message (JSON or multipart); the fake stores it and dispatches MESSAGE_CREATE."""
    svc = services(request)
    channel = svc.state.channel_by_id(snowflake(request, "channel_id"))
    body = await read_body(request)
    data = body.payload
    needed = perms.VIEW_CHANNEL | perms.SEND_MESSAGES
    needed |= perms.ATTACH_FILES if body.files else 0
    _bot_can(svc, channel, needed | (perms.EMBED_LINKS if data.get("embeds") else 0))
    message = new_bot_message(svc.state, channel.id, channel.guild_id, body, data)
    reference = data.get("message_reference")
    if reference:
        _attach_reply(svc, channel, message, reference, data.get("allowed_mentions"))
    svc.state.store_message(message)
    await events.message_created(svc.gateway, svc.state, message)
    return ok(message_payload(svc.state, message))


def _attach_reply(
    svc: Services, channel: FakeChannel, message: FakeMessage, reference: dict, allowed: dict | None
) -> None:
    target_id = int(reference["message_id"])
    target = svc.state.messages.get(target_id)
    if target is None or target.deleted or target.channel_id != channel.id:
        if reference.get("fail_if_not_exists", True):
            raise ApiError(400, "Invalid Form Body: message_reference: Unknown message", 50035)
        return
    message.reference_id = target_id
    message.type = 19
    if (
        allowed is None or allowed.get("replied_user", False)
    ) and target.author.id not in message.mention_ids:
        message.mention_ids.append(target.author.id)


async def list_messages(request: web.Request) -> web.Response:
    svc = services(request)
    channel = svc.state.channel_by_id(snowflake(request, "channel_id"))
    found = svc.state.channel_messages(channel.id)
    found = [m for m in found if not m.ephemeral]
    if "before" in request.query:
        found = [m for m in found if m.id < int(request.query["before"])]
    if "after" in request.query:
        found = [m for m in found if m.id > int(request.query["after"])]
    limit = min(int(request.query.get("limit", 50)), 100)
    newest_first = sorted(found, key=lambda m: m.id, reverse=True)[:limit]
    return ok([message_payload(svc.state, m) for m in newest_first])


async def get_message(request: web.Request) -> web.Response:
    svc = services(request)
    message = svc.state.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
    return ok(message_payload(svc.state, message))


async def edit_channel_message(request: web.Request) -> web.Response:
    """PATCH a message the bot wrote; dispatches MESSAGE_UPDATE."""
    svc = services(request)
    message = svc.state.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
    if message.author.id != svc.state.bot_user.id:
        raise ApiError(403, "Cannot edit a message authored by another user", 50005)
    body = await read_body(request)
    edit_message(svc.state, message, body.payload, body.files)
    await events.message_updated(svc.gateway, svc.state, message)
    return ok(message_payload(svc.state, message))


async def delete_message(request: web.Request) -> web.Response:
    svc = services(request)
    channel = svc.state.channel_by_id(snowflake(request, "channel_id"))
    message = svc.state.message_in(channel.id, snowflake(request, "message_id"))
    if message.author.id != svc.state.bot_user.id:
        _bot_can(svc, channel, perms.MANAGE_MESSAGES)
    message.deleted = True
    svc.state.notify()
    await events.message_deleted(svc.gateway, message)
    return ok(None, status=204)


async def trigger_typing(request: web.Request) -> web.Response:
    svc = services(request)
    channel = svc.state.channel_by_id(snowflake(request, "channel_id"))
    svc.state.typing_channel_ids.append(channel.id)
    svc.state.notify()
    return ok(None, status=204)


async def add_reaction(request: web.Request) -> web.Response:
    svc = services(request)
    channel = svc.state.channel_by_id(snowflake(request, "channel_id"))
    message = svc.state.message_in(channel.id, snowflake(request, "message_id"))
    _bot_can(svc, channel, perms.ADD_REACTIONS | perms.READ_MESSAGE_HISTORY)
    emoji = request.match_info["emoji"]
    if (emoji, svc.state.bot_user.id) not in message.reactions:
        message.reactions.append((emoji, svc.state.bot_user.id))
        svc.state.notify()
        await events.reaction_added(svc.gateway, message, emoji, svc.state.bot_user.id)
    return ok(None, status=204)


# -- guilds and attachments ---------------------------------------------------------------------
def _guild(request: web.Request) -> FakeGuild:
    guild = services(request).state.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise not_found("Guild", 10004)
    return guild


async def get_guild(request: web.Request) -> web.Response:
    return ok(guild_payload(_guild(request)))


async def get_guild_channels(request: web.Request) -> web.Response:
    return ok([channel_payload(c) for c in _guild(request).channels])


async def get_guild_roles(request: web.Request) -> web.Response:
    return ok([role_payload(r) for r in _guild(request).roles])


async def get_member(request: web.Request) -> web.Response:
    guild = _guild(request)
    member = guild.members.get(snowflake(request, "user_id"))
    if member is None:
        raise not_found("Member", 10007)
    return ok(member_payload(guild, member))


async def get_attachment(request: web.Request) -> web.Response:
    """The CDN: `Attachment.read()` fetches the bytes a user (or the bot) uploaded."""
    attachment = services(request).state.attachments.get(snowflake(request, "attachment_id"))
    if attachment is None or attachment.filename != request.match_info["filename"]:
        raise not_found("Attachment", 0)
    return web.Response(
        body=attachment.data, headers={"Content-Type": attachment.content_type or "application/octet-stream"}
    )


def add_routes(app: web.Application) -> None:
    """Register the core routes under /api/v9 and /api/v10."""
    channel, message = (
        f"{API}/channels/{{channel_id}}",
        f"{API}/channels/{{channel_id}}/messages/{{message_id}}",
    )
    table: list[tuple[str, str, Handler]] = [
        ("GET", f"{API}/users/@me", get_me),
        ("GET", f"{API}/users/{{user_id}}", get_user),
        ("GET", f"{API}/gateway", get_gateway),
        ("GET", f"{API}/gateway/bot", get_gateway),
        ("GET", f"{API}/oauth2/applications/@me", get_application),
        ("GET", f"{API}/applications/@me", get_application),
        ("GET", f"{API}/channels/{{channel_id}}", get_channel),
        ("GET", f"{channel}/messages", list_messages),
        ("POST", f"{channel}/messages", create_message),
        ("POST", f"{channel}/typing", trigger_typing),
        ("GET", message, get_message),
        ("PATCH", message, edit_channel_message),
        ("DELETE", message, delete_message),
        ("PUT", f"{message}/reactions/{{emoji}}/@me", add_reaction),
        ("GET", f"{API}/guilds/{{guild_id}}", get_guild),
        ("GET", f"{API}/guilds/{{guild_id}}/channels", get_guild_channels),
        ("GET", f"{API}/guilds/{{guild_id}}/roles", get_guild_roles),
        ("GET", f"{API}/guilds/{{guild_id}}/members/{{user_id}}", get_member),
        ("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", get_attachment),
    ]
    for scope in (f"{API}/applications/{{app_id}}", f"{API}/applications/{{app_id}}/guilds/{{guild_id}}"):
        table += [
            ("GET", f"{scope}/commands", list_commands),
            ("PUT", f"{scope}/commands", overwrite_commands),
            ("POST", f"{scope}/commands", create_command),
        ]
    for method, path, handler in table:
        app.router.add_route(method, path, handler)
