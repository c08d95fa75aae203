"""Posting a finished job: one message with the embed, the files that fit, and the persistent buttons.

The message is recorded with its generation (`Store.attach_message`) so a reply to it is a remix of it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord

from bot.discord_app.embeds import credit_line, result_embed
from bot.discord_app.handles import Handle, Tracker, WebhookHandle, reply_handle
from bot.discord_app.progress import QueueBoard
from bot.discord_app.requests import Request
from bot.discord_app.upload import UPLOAD_KEY, read_upload
from bot.discord_app.views import result_view
from storage import Job, Store

log = logging.getLogger(__name__)


def failure_text(outcome: dict[str, Any]) -> str:
    """What the user reads when a job failed: the worker's own words when it gave some (a crash, memory, a
    fault of ours; never a traceback), else the reason the request could not be made."""
    text = outcome.get("message") or f"Motif could not make that: {outcome['error']}"
    return str(text)[:1900]


class DiscordDelivery:
    """The queue's `Delivery` for Discord: progress edits, then the final message, posted once."""

    def __init__(self, client: discord.Client, store: Store, tracker: Tracker, board: QueueBoard) -> None:
        self.client = client
        self.store = store
        self.tracker = tracker
        self.board = board

    async def _handle(self, request: Request) -> Handle:
        """The live handle from this process, or one rebuilt from the stored target after a restart."""
        live = await self.tracker.get(request.key)
        if live is not None:
            return live
        if request.reply.kind == "interaction":
            return WebhookHandle(self.client, request.reply)
        return await reply_handle(self.client, request.reply)

    async def started(self, job: Job, request: Request) -> None:
        self.board.changed()  # everyone behind this job moved up one place
        handle = await self._handle(request)
        retry = f" (attempt {job.attempts})" if job.attempts > 1 else ""
        await handle.show(f"Composing{retry}...")

    async def finished(self, job: Job, request: Request, outcome: dict[str, Any]) -> dict[str, Any]:
        """Post the piece (or the reason it could not be made) and say what was posted."""
        handle = await self._handle(request)
        try:
            if not outcome["ok"]:
                await handle.finish(failure_text(outcome), None, [], None)
                return {"error": outcome["error"]}
            return await self._post(handle, request, outcome["result"])
        finally:
            self.tracker.forget(request.key)
            self.board.changed()

    async def _post(self, handle: Handle, request: Request, result: dict[str, Any]) -> dict[str, Any]:
        """Post from the composed result; files gone from disk are skipped, the stored MIDI standing in for its file."""
        parent_author = None
        if result.get("parent_id"):
            parent = await self.store.get_generation(result["parent_id"])
            parent_author = parent.author if parent is not None else None
        stored = await self.store.get_generation(result["id"])
        # The worker chose (and if need be re-encoded) the files; here they are only read.
        upload = await asyncio.to_thread(
            read_upload, result.get(UPLOAD_KEY), result["id"], stored.midi if stored else None
        )
        score = next((name for name, _ in upload.files if name.endswith("-score.png")), None)
        embed = result_embed(
            result, credit_line(request.author, parent_author, result.get("parent_id")), score
        )
        notes = list(upload.notes)
        if not request.style.settings.audio:
            notes.append("Audio is off in this server: MIDI and score only.")
        # Recorded before posting, so a reply that comes the instant the piece appears finds its parent.
        message_id = await handle.message_id()
        await self.store.attach_message(
            result["id"], channel=str(request.reply.channel_id), message_id=str(message_id)
        )
        files = [discord.File(io.BytesIO(data), filename=name) for name, data in upload.files]
        await handle.finish(" ".join(notes), embed, files, result_view(result["id"]))
        return {"generation_id": result["id"], "message_id": str(message_id), "left_out": upload.left_out}
