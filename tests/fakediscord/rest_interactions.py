"""Interaction callbacks and the webhook routes behind `interaction.followup` and `edit_original_response`.

Discord's rules the fake enforces, because a bot that breaks them fails in production: one callback per
interaction, within the acknowledgement deadline (3 s by default); followups only after the callback;
types 6 and 7 only for interactions that come from a message (components, modals opened by one).
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tests.fakediscord import events
from tests.fakediscord.bodies import Body, edit_message, new_bot_message, read_body
from tests.fakediscord.errors import ApiError, not_found
from tests.fakediscord.model import LOADING_FLAG, FakeAttachment, FakeInteraction, FakeMessage, ResponseRecord
from tests.fakediscord.payloads import message_payload
from tests.fakediscord.services import Services, ok, services, snowflake

Json = dict[str, Any]
PONG, MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE, MODAL = 1, 4, 5, 6, 7, 8, 9
APPLICATION_COMMAND, COMPONENT, MODAL_SUBMIT = 2, 3, 5
_VALID = {
    1: {PONG},
    APPLICATION_COMMAND: {MESSAGE, DEFERRED, MODAL},
    COMPONENT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL},
    4: {AUTOCOMPLETE},
    MODAL_SUBMIT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE},
}


def _message_type(interaction: FakeInteraction) -> int:
    """20 for a slash command's response, 23 for a context-menu command's, 0 otherwise."""
    if interaction.type != APPLICATION_COMMAND:
        return 0
    return 20 if interaction.data.get("type", 1) == 1 else 23


def _response_message(svc: Services, interaction: FakeInteraction, body: Body, data: Json) -> FakeMessage:
    channel = interaction.channel
    message = new_bot_message(svc.state, channel.id, channel.guild_id, body, data)
    message.webhook_id = svc.state.application_id
    message.interaction_id = interaction.id
    message.type = _message_type(interaction)
    return message


def _deferred_message(svc: Services, interaction: FakeInteraction, data: Json) -> FakeMessage:
    channel = interaction.channel
    return FakeMessage(
        id=svc.state.snowflakes.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author=svc.state.bot_user,
        flags=LOADING_FLAG | (int(data.get("flags") or 0) & (1 << 6)),
        webhook_id=svc.state.application_id,
        interaction_id=interaction.id,
        type=_message_type(interaction),
    )


async def interaction_callback(request: web.Request) -> web.Response:
    """POST /interactions/{id}/{token}/callback: the first (and only) answer to an interaction."""
    svc = services(request)
    interaction = svc.state.interactions.get(snowflake(request, "interaction_id"))
    if interaction is None or interaction.token != request.match_info["token"]:
        raise not_found("interaction", 10062)
    if interaction.acknowledged:
        raise ApiError(400, "Interaction has already been acknowledged.", 40060)
    if time.monotonic() - interaction.created_monotonic > svc.ack_deadline_s:
        raise not_found("interaction", 10062)
    body = await read_body(request)
    kind, data = int(body.payload.get("type", 0)), body.payload.get("data") or {}
    if kind not in _VALID.get(interaction.type, set()):
        raise ApiError(
            400, f"Interaction callback type {kind} is invalid for interaction type {interaction.type}", 50035
        )
    message = await _apply_callback(svc, interaction, kind, data, body)
    interaction.callback_type = kind
    interaction.responses.append(ResponseRecord("callback", kind, data, _new_files(message, body), message))
    svc.state.notify()
    if request.query.get("with_response") not in ("1", "true", "True"):
        return ok(None, status=204)
    return ok(_callback_payload(svc, interaction, kind, message))


async def _apply_callback(
    svc: Services, interaction: FakeInteraction, kind: int, data: Json, body: Body
) -> FakeMessage | None:
    if kind == MODAL:
        for key in ("custom_id", "title", "components"):
            if not data.get(key):
                raise ApiError(400, f"Invalid Form Body: data.{key}: This field is required", 50035)
        return None
    if kind in (MESSAGE, DEFERRED):
        message = _response_message(svc, interaction, body, data) if kind == MESSAGE else None
        message = message or _deferred_message(svc, interaction, data)
        interaction.original_message_id = message.id
        svc.state.store_message(message)
        await events.message_created(svc.gateway, svc.state, message)
        return message
    if kind in (DEFERRED_UPDATE, UPDATE):
        target = interaction.message
        if target is None:
            raise ApiError(400, "Interaction has no message to update", 50035)
        interaction.original_message_id = target.id
        if kind == UPDATE:
            edit_message(svc.state, target, data, body.files)
            await events.message_updated(svc.gateway, svc.state, target)
        return target
    return None


def _new_files(message: FakeMessage | None, body: Body) -> list[FakeAttachment]:
    if message is None or not body.files:
        return []
    names = {f.filename for f in body.files.values()}
    return [a for a in message.attachments if a.filename in names]


def _callback_payload(
    svc: Services, interaction: FakeInteraction, kind: int, message: FakeMessage | None
) -> Json:
    info: Json = {"id": str(interaction.id), "type": interaction.type}
    resource: Json = {"type": kind}
    if message is not None and kind in (MESSAGE, DEFERRED, UPDATE):
        info["response_message_id"] = str(message.id)
        info["response_message_loading"] = kind == DEFERRED
        info["response_message_ephemeral"] = message.ephemeral
        resource["message"] = message_payload(svc.state, message)
    return {"interaction": info, "resource": resource}


# -- webhooks: followups and the original response -----------------------------------------------
def _webhook_interaction(request: web.Request) -> tuple[Services, FakeInteraction]:
    svc = services(request)
    if snowflake(request, "app_id") != svc.state.application_id:
        raise not_found("Webhook", 10015)
    interaction = svc.state.interaction_by_token(request.match_info["token"])
    if not interaction.acknowledged:
        raise not_found("Webhook", 10015)
    return svc, interaction


def _target(request: web.Request, interaction: FakeInteraction, svc: Services) -> tuple[str, FakeMessage]:
    raw = request.match_info["message_id"]
    if raw == "@original":
        message_id = interaction.original_message_id
        label = "original"
    else:
        message_id = snowflake(request, "message_id")
        if message_id != interaction.original_message_id and message_id not in interaction.followup_ids:
            raise not_found("Message", 10008)
        label = "original" if message_id == interaction.original_message_id else "followup"
    message = svc.state.messages.get(message_id) if message_id is not None else None
    if message is None or message.deleted:
        raise not_found("Message", 10008)
    return label, message


async def execute_followup(request: web.Request) -> web.Response:
    """POST /webhooks/{app}/{token}: a followup message (JSON or multipart)."""
    svc, interaction = _webhook_interaction(request)
    body = await read_body(request)
    message = _response_message(svc, interaction, body, body.payload)
    interaction.followup_ids.append(message.id)
    svc.state.store_message(message)
    record = ResponseRecord("followup", None, body.payload, list(message.attachments), message)
    interaction.responses.append(record)
    await events.message_created(svc.gateway, svc.state, message)
    if request.query.get("wait") in ("1", "true", "True"):
        return ok(message_payload(svc.state, message))
    return ok(None, status=204)


async def get_webhook_message(request: web.Request) -> web.Response:
    svc, interaction = _webhook_interaction(request)
    _, message = _target(request, interaction, svc)
    return ok(message_payload(svc.state, message))


async def edit_webhook_message(request: web.Request) -> web.Response:
    """PATCH the original response or a followup: the deferred "thinking" message becomes the answer."""
    svc, interaction = _webhook_interaction(request)
    label, message = _target(request, interaction, svc)
    body = await read_body(request)
    before = {a.id for a in message.attachments}
    edit_message(svc.state, message, body.payload, body.files)
    added = [a for a in message.attachments if a.id not in before]
    interaction.responses.append(ResponseRecord(f"edit_{label}", None, body.payload, added, message))
    svc.state.notify()
    await events.message_updated(svc.gateway, svc.state, message)
    return ok(message_payload(svc.state, message))


async def delete_webhook_message(request: web.Request) -> web.Response:
    svc, interaction = _webhook_interaction(request)
    label, message = _target(request, interaction, svc)
    message.deleted = True
    interaction.responses.append(ResponseRecord(f"delete_{label}", None, {}, [], message))
    svc.state.notify()
    await events.message_deleted(svc.gateway, message)
    return ok(None, status=204)


def add_routes(app: web.Application) -> None:
    """Register the interaction and webhook routes under /api/v9 and /api/v10."""
    api = "/api/v{version:(?:9|10)}"
    hook = f"{api}/webhooks/{{app_id}}/{{token}}"
    app.router.add_route(
        "POST", f"{api}/interactions/{{interaction_id}}/{{token}}/callback", interaction_callback
    )
    app.router.add_route("POST", hook, execute_followup)
    app.router.add_route("GET", f"{hook}/messages/{{message_id}}", get_webhook_message)
    app.router.add_route("PATCH", f"{hook}/messages/{{message_id}}", edit_webhook_message)
    app.router.add_route("DELETE", f"{hook}/messages/{{message_id}}", delete_webhook_message)
