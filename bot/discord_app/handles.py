"""Handles on the one message that answers a request: progress edits, then the final piece, in place.

A live handle wraps the interaction or the bot's "queued" reply from this process; after a restart the
queue rebuilds a handle from the stored `ReplyTarget` (the interaction's webhook token, or the channel
and the message that asked), finding the reply it already made instead of posting a second one.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any, Protocol, cast

import discord

from bot.discord_app.requests import ReplyTarget

HISTORY_SCAN = 50


class Handle(Protocol):
    """One answer message, edited as the request moves from queued to composing to done."""

    async def show(self, content: str, *, queued: bool = False) -> None: ...

    async def message_id(self) -> int: ...

    async def finish(
        self,
        content: str,
        embed: discord.Embed | None,
        files: list[discord.File],
        view: discord.ui.View | None,
    ) -> int: ...


class _Staged(ABC):
    """One reply, edited in place: serialises edits and drops a stale "queued at position N" once composing has
    started. Subclasses say only how their message is edited (`_edit`) and found (`message_id`)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.started = False

    def skip(self, queued: bool) -> bool:
        if not queued:
            self.started = True
        return queued and self.started

    @abstractmethod
    async def _edit(self, **fields: Any) -> discord.Message:
        """Edit this reply's message with discord.py's keyword fields; return the edited message."""

    async def show(self, content: str, *, queued: bool = False) -> None:
        async with self.lock:
            if not self.skip(queued):
                await self._edit(content=content)

    async def finish(
        self,
        content: str,
        embed: discord.Embed | None,
        files: list[discord.File],
        view: discord.ui.View | None,
    ) -> int:
        async with self.lock:
            self.started = True
            message = await self._edit(content=content or None, embed=embed, attachments=files, view=view)
            return message.id


class InteractionHandle(_Staged):
    """The deferred response of a live interaction (slash command, button, modal)."""

    def __init__(self, interaction: discord.Interaction) -> None:
        super().__init__()
        self.interaction = interaction

    async def _edit(self, **fields: Any) -> discord.Message:
        return await self.interaction.edit_original_response(**fields)

    async def message_id(self) -> int:
        return (await self.interaction.original_response()).id


class WebhookHandle(_Staged):
    """An interaction answered after a restart, through its webhook (tokens last 15 minutes)."""

    def __init__(self, client: discord.Client, target: ReplyTarget) -> None:
        super().__init__()
        if target.application_id is None or target.token is None:
            raise ValueError("an interaction reply target needs its application id and token")
        self.webhook = discord.Webhook.partial(target.application_id, target.token, client=client)

    async def _edit(self, **fields: Any) -> discord.Message:
        if fields.get("view", ...) is None:
            fields.pop("view")  # a webhook edit takes no explicit "no view"
        return await self.webhook.edit_message(cast(int, "@original"), **fields)

    async def message_id(self) -> int:
        return (await self.webhook.fetch_message(cast(int, "@original"))).id


class MessageHandle(_Staged):
    """The bot's reply to a mention or a reply, edited in place."""

    def __init__(self, message: discord.Message) -> None:
        super().__init__()
        self.message = message

    async def _edit(self, **fields: Any) -> discord.Message:
        self.message = await self.message.edit(**fields)
        return self.message

    async def message_id(self) -> int:
        return self.message.id


async def reply_handle(client: discord.Client, target: ReplyTarget) -> MessageHandle:
    """After a restart: the reply already made to the source message, or a new reply if there is none."""
    channel = client.get_channel(target.channel_id) or await client.fetch_channel(target.channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        raise ValueError(f"channel {target.channel_id} cannot take messages")
    async for message in channel.history(limit=HISTORY_SCAN):
        own = client.user is not None and message.author.id == client.user.id
        if own and message.reference is not None and message.reference.message_id == target.source_id:
            return MessageHandle(message)
    source = discord.PartialMessage(channel=channel, id=target.source_id)  # type: ignore[arg-type]
    return MessageHandle(await source.reply("Picking this up again after a restart...", mention_author=False))


class Tracker:
    """Live handles by idempotency key; a lane waits here until the request has been acknowledged."""

    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[Handle]] = {}

    def expect(self, key: str) -> None:
        self._futures.setdefault(key, asyncio.get_running_loop().create_future())

    def resolve(self, key: str, handle: Handle) -> None:
        future = self._futures.get(key)
        if future is not None and not future.done():
            future.set_result(handle)

    def live(self, key: str) -> Handle | None:
        """The handle for `key` if this process has acknowledged it, without waiting."""
        future = self._futures.get(key)
        return future.result() if future is not None and future.done() and not future.cancelled() else None

    def forget(self, key: str) -> None:
        self._futures.pop(key, None)

    async def get(self, key: str, timeout_s: float = 15.0) -> Handle | None:
        future = self._futures.get(key)
        if future is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            return None
