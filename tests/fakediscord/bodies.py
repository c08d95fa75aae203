"""Reading what the bot sent: JSON or multipart (`payload_json` + `files[n]`) message bodies.

Both channel messages and interaction responses carry the same message fields; this module decodes them,
checks Discord's limits (2000 characters, 10 embeds, attachment size) and turns uploads into stored
attachments, keeping previous attachments an edit lists by id.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakediscord.errors import ApiError
from tests.fakediscord.model import FakeAttachment, FakeMessage, iso_now
from tests.fakediscord.store import FakeState

Json = dict[str, Any]
MAX_CONTENT_CHARS = 2000
MAX_EMBEDS = 10
_MENTION = re.compile(r"<@!?(\d+)>")


@dataclass
class UploadedFile:
    filename: str
    data: bytes
    content_type: str


@dataclass
class Body:
    payload: Json
    files: dict[int, UploadedFile] = field(default_factory=dict)


async def read_body(request: web.Request) -> Body:
    """The decoded request: JSON, or multipart with `payload_json` and `files[n]` parts."""
    if not request.can_read_body:
        return Body(payload={})
    if request.content_type != "multipart/form-data":
        try:
            return Body(payload=await request.json())
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"400: Bad Request (invalid JSON: {exc})", 50109) from exc
    body = Body(payload={})
    reader = await request.multipart()
    async for part in reader:
        name = part.name or ""
        if name == "payload_json":
            body.payload = json.loads(await part.text())  # type: ignore[union-attr]
        elif name.startswith("files[") and name.endswith("]"):
            index = int(name[len("files[") : -1])
            filename = part.filename or f"file{index}"
            content_type = mimetypes.guess_type(filename)[0] or part.headers.get("Content-Type", "")
            body.files[index] = UploadedFile(filename, await part.read(decode=False), content_type)  # type: ignore[union-attr]
    return body


def check_limits(state: FakeState, data: Json, files: dict[int, UploadedFile]) -> None:
    """Discord's refusals for oversized content, too many embeds and uploads over the size limit."""
    content = data.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT_CHARS:
        raise ApiError(400, "Invalid Form Body: content: Must be 2000 or fewer in length.", 50035)
    if len(data.get("embeds") or []) > MAX_EMBEDS:
        raise ApiError(400, "Invalid Form Body: embeds: Must be 10 or fewer in length.", 50035)
    total = sum(len(f.data) for f in files.values())
    if total > state.attachment_limit_bytes:
        raise ApiError(413, "Request entity too large", 40005)


def is_empty(data: Json, files: dict[int, UploadedFile]) -> bool:
    """Discord refuses a new message with no content, embeds, components or files (code 50006)."""
    return not (
        data.get("content") or data.get("embeds") or data.get("components") or files or data.get("poll")
    )


def resolve_attachments(
    state: FakeState,
    channel_id: int,
    data: Json,
    files: dict[int, UploadedFile],
    existing: list[FakeAttachment],
) -> list[FakeAttachment] | None:
    """The message's attachments after this request, or None when the request leaves them unchanged."""
    listed = data.get("attachments")
    if listed is None:
        if not files:
            return None
        return existing + [_store_file(state, channel_id, f, None) for _, f in sorted(files.items())]
    kept = {a.id: a for a in existing}
    result: list[FakeAttachment] = []
    for entry in listed:
        key = int(entry["id"])
        if key in kept:
            result.append(kept[key])
        elif key in files:
            upload = files[key]
            upload.filename = entry.get("filename", upload.filename)
            result.append(_store_file(state, channel_id, upload, entry.get("description")))
        else:
            raise ApiError(400, f"Invalid Form Body: attachments: unknown attachment id {key}", 50035)
    return result


def _store_file(
    state: FakeState, channel_id: int, upload: UploadedFile, description: str | None
) -> FakeAttachment:
    return state.new_attachment(channel_id, upload.filename, upload.data, upload.content_type, description)


def apply_fields(message: FakeMessage, data: Json, attachments: list[FakeAttachment] | None) -> None:
    """Copy the message fields present in `data` onto `message` (absent fields stay as they were)."""
    if "content" in data:
        message.content = data["content"] or ""
    if "embeds" in data:
        message.embeds = list(data["embeds"] or [])
    if "components" in data:
        message.components = list(data["components"] or [])
    if "flags" in data and data["flags"] is not None:
        message.flags = int(data["flags"]) | (message.flags & (1 << 6))
    if attachments is not None:
        message.attachments = attachments


def edit_message(state: FakeState, message: FakeMessage, data: Json, files: dict[int, UploadedFile]) -> None:
    """An edit: check limits, apply the fields, clear the loading flag and count the revision."""
    check_limits(state, data, files)
    attachments = resolve_attachments(state, message.channel_id, data, files, message.attachments)
    apply_fields(message, data, attachments)
    message.flags &= ~(1 << 7)
    message.edited_timestamp = iso_now()
    message.edit_count += 1
    state.notify()


def mention_ids(state: FakeState, content: str) -> list[int]:
    """Users named by `<@id>` / `<@!id>` in the content, in order, without repeats."""
    found: list[int] = []
    for match in _MENTION.finditer(content or ""):
        user_id = int(match.group(1))
        if user_id in state.users and user_id not in found:
            found.append(user_id)
    return found


def new_bot_message(
    state: FakeState, channel_id: int, guild_id: int | None, body: Body, data: Json
) -> FakeMessage:
    """A message authored by the bot from a create request (channel message or interaction response)."""
    check_limits(state, data, body.files)
    if is_empty(data, body.files):
        raise ApiError(400, "Cannot send an empty message", 50006)
    message = FakeMessage(
        id=state.snowflakes.next(), channel_id=channel_id, guild_id=guild_id, author=state.bot_user
    )
    apply_fields(message, data, resolve_attachments(state, channel_id, data, body.files, []))
    message.mention_ids = mention_ids(state, message.content)
    return message
