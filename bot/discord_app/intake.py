"""Accepting requests: check them against the server's rules, write the job, then acknowledge.

Order matters for durability: refusals are answered at once; an accepted request is written to the
store (keyed by the interaction or message id) before the user sees it acknowledged, so a crash after
the acknowledgement never loses it. A request delivered twice (two bot replicas, a redelivered event)
finds its job already there and is left to the first delivery. When the store cannot be reached (a
PostgreSQL outage), nothing is accepted and the person reads `BUSY` instead of a failed interaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable
from typing import Any

import discord

from bot.discord_app.handles import InteractionHandle, MessageHandle, Tracker
from bot.discord_app.limits import RateLimiter, Refusal
from bot.discord_app.progress import QueueBoard, queued_text
from bot.discord_app.queue import JobQueue
from bot.discord_app.requests import (
    MAX_MIDI_UPLOAD_BYTES,
    ReplyTarget,
    Request,
    Style,
    clean_filename,
    encode_midi,
)
from prompts.limits import MAX_PROMPT_CHARS
from storage import Generation, GuildSettings, Job, QuotaExceeded, Store
from storage.generations import Scope

log = logging.getLogger(__name__)

FULL = "This server's hourly limit was reached just now. Try again in a few minutes."
BUSY = "Motif is busy right now and could not take this request. Please try again in a minute."


def style_of(settings: GuildSettings, suffix: str = "", overrides: dict[str, Any] | None = None) -> Style:
    """The snapshot of a server's settings (and preset) that travels with a job."""
    return Style(settings, prompt_suffix=suffix, spec_overrides=dict(overrides or {}))


def user_key(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


def scope_of(interaction: discord.Interaction) -> Scope:
    """What an interaction may name by id: its server's pieces; in a DM, the user's own DM-made pieces."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    return Scope(guild=guild, user=user_key(interaction.user))


def unknown_piece(gen_id: str) -> str:
    """The one answer for an id the caller may not see, whether it names another server's piece or nothing:
    the two must read alike, or the answer itself would tell that the other server's piece exists."""
    return f"There is no piece `{gen_id[:40].replace('`', '')}`."


async def visible_piece(store: Store, interaction: discord.Interaction, gen_id: str) -> Generation | None:
    """The piece `gen_id` if this interaction may use it; otherwise None, after answering `unknown_piece`."""
    found = await store.get_generation(gen_id, scope=scope_of(interaction))
    if found is None:
        await interaction.response.send_message(unknown_piece(gen_id), ephemeral=True)
    return found


class Intake:
    """Turns interactions and messages into accepted jobs, or into clear refusals."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        tracker: Tracker,
        limiter: RateLimiter,
        default_limit_bytes: int,
        board: QueueBoard,
    ) -> None:
        self.store = store
        self.queue = queue
        self.tracker = tracker
        self.limiter = limiter
        self.default_limit_bytes = default_limit_bytes
        self.board = board
        self._known_users: dict[str, str] = {}
        self._admit_locks: dict[str, asyncio.Lock] = {}

    async def remember_user(self, user_id: str, display_name: str) -> None:
        """Keep the display name for lineage pictures; written only when new or changed (one write saved per request)."""
        name = display_name[:100] or user_id
        if self._known_users.get(user_id) != name:
            self._known_users[user_id] = name  # before the write: a burst of one person's requests writes once
            try:
                await self.store.upsert_user(user_id, name)
            except BaseException:
                self._known_users.pop(user_id, None)  # not written: the next request tries again
                raise

    async def _settings(self, guild_id: int | None) -> GuildSettings:
        return GuildSettings() if guild_id is None else await self.store.guild_settings(str(guild_id))

    async def _check(self, request: Request, settings: GuildSettings) -> Refusal | None:
        """Every rule a request must pass before it is queued: channel, length, bars, rate."""
        if request.guild is not None and not settings.channel_allowed(request.channel):
            allowed = ", ".join(f"<#{c}>" for c in settings.allowed_channels)
            return Refusal(f"Motif is not allowed in this channel. Try {allowed}.")
        if len(request.prompt) > MAX_PROMPT_CHARS or len(request.instruction) > MAX_PROMPT_CHARS:
            return Refusal(f"That is too long: Motif reads at most {MAX_PROMPT_CHARS} characters.")
        if request.bars is not None and not 1 <= request.bars <= settings.max_bars:
            return Refusal(
                f"{request.bars} bars is too long: this server allows 1 to {settings.max_bars} bars."
            )
        if self.queue.shared:  # the limits bind inside the job's insert (`_admit`), one count instead of two
            return None
        return await self.limiter.check(request.author, request.guild, settings)

    async def _admit(self, request: Request, settings: GuildSettings) -> Refusal | tuple[Job, bool]:
        """Check and write the job under the asker's lock, so two quick requests of one person cannot both
        take their last slot; a request delivered twice finds its job instead of a refusal."""
        lock = self._admit_locks.setdefault(request.author, asyncio.Lock())
        async with lock:
            refusal = await self._check(request, settings)
            if refusal is not None:
                existing = await self.store.get_job_by_key(request.key)
                return refusal if existing is None else (existing, False)
            self.tracker.expect(request.key)
            quota = self.limiter.quota(request.guild, settings) if self.queue.shared else None
            try:
                return await self.queue.submit(request, quota)
            except QuotaExceeded:  # another bot process took the last slot between our check and the write
                self.tracker.forget(request.key)
                return await self.limiter.check(request.author, request.guild, settings) or Refusal(FULL)

    # -- interactions --------------------------------------------------------------------------------

    def _interaction_target(self, interaction: discord.Interaction) -> ReplyTarget:
        limit = min(interaction.filesize_limit or self.default_limit_bytes, self.default_limit_bytes)
        return ReplyTarget(
            kind="interaction",
            channel_id=interaction.channel_id or 0,
            source_id=interaction.id,
            application_id=interaction.application_id,
            token=interaction.token,
            attachment_limit_bytes=int(limit),
        )

    def base_request(self, interaction: discord.Interaction, **fields: Any) -> Request:
        """A request from an interaction, before the server's style is attached."""
        return Request(
            author=user_key(interaction.user),
            author_name=interaction.user.display_name,
            guild=str(interaction.guild_id) if interaction.guild_id else None,
            channel=str(interaction.channel_id),
            reply=self._interaction_target(interaction),
            **fields,
        )

    async def guarded(self, interaction: discord.Interaction, work: Awaitable[None]) -> None:
        """Run an interaction's intake; if it fails before the request is acknowledged (the store is down),
        say `BUSY` rather than leave the person with a failed interaction. Once acknowledged, a job is
        stored and will be answered, so a later failure (the position shown) is only logged."""
        try:
            await work
        except Exception:  # noqa: BLE001 - whatever it was, nothing was accepted: say so
            log.exception("could not take interaction %s", interaction.id)
            with contextlib.suppress(discord.HTTPException):
                if not interaction.response.is_done():
                    await interaction.response.send_message(BUSY, ephemeral=True)

    async def compose_from_interaction(self, interaction: discord.Interaction, *args: Any) -> None:
        """/compose (see `_compose`), answered `BUSY` if it cannot be taken."""
        await self.guarded(interaction, self._compose(interaction, *args))

    async def remix_from_interaction(self, interaction: discord.Interaction, gen_id: str, instruction: str) -> None:
        """Variation, Continue, the Remix modal and the context menu (see `_remix`), `BUSY` if not taken."""
        await self.guarded(interaction, self._remix(interaction, gen_id, instruction))

    async def _compose(
        self,
        interaction: discord.Interaction,
        prompt: str,
        bars: int | None,
        seed: int | None,
        preset: str | None,
        chords: str | None = None,
    ) -> None:
        """/compose: style and preset applied, then queued. The `chords:` option is read by the prompt reader
        like any progression in prose: it joins the prompt as "chords: ...", which is also what the piece's
        card and history show was asked."""
        settings = await self._settings(interaction.guild_id)
        suffix, overrides = "", None
        if preset:
            found = (
                await self.store.get_preset(str(interaction.guild_id), preset)
                if interaction.guild_id
                else None
            )
            if found is None:
                await interaction.response.send_message(
                    f"This server has no preset named {preset!r}.", ephemeral=True
                )
                return
            suffix, overrides = found.prompt_suffix, found.spec_overrides
        request = self.base_request(
            interaction,
            action="compose",
            prompt=with_chords(prompt, chords),
            bars=bars,
            seed=seed,
            style=style_of(settings, suffix, overrides),
        )
        await self.accept_interaction(interaction, request, settings)

    async def _remix(self, interaction: discord.Interaction, gen_id: str, instruction: str) -> None:
        settings = await self._settings(interaction.guild_id)
        if await visible_piece(self.store, interaction, gen_id) is None:
            return
        request = self.base_request(
            interaction, action="remix", parent_id=gen_id, instruction=instruction, style=style_of(settings)
        )
        await self.accept_interaction(interaction, request, settings)

    async def accept_interaction(
        self, interaction: discord.Interaction, request: Request, settings: GuildSettings
    ) -> None:
        admitted = await self._admit(request, settings)
        if isinstance(admitted, Refusal):
            await interaction.response.send_message(admitted.message, ephemeral=True)
            return
        job, created = admitted
        if not created:  # delivered twice: the first delivery answers
            return
        await interaction.response.defer(thinking=True)
        handle = InteractionHandle(interaction)
        self.tracker.resolve(request.key, handle)
        try:
            await self.remember_user(request.author, request.author_name)
            position = await self.queue.position(job)
            if position is not None:
                self.board.note_shown(request.key, position)
                await handle.show(queued_text(position), queued=True)
        finally:
            await self._acknowledged(job, request)

    async def _acknowledged(self, job: Job, request: Request) -> None:
        """Let workers take the job; on a shared queue another machine may post it, so this process keeps no
        live handle (the worker answers through the interaction's webhook or finds the reply)."""
        try:
            await self.queue.acknowledged(job)
        except Exception:  # noqa: BLE001 - the hold runs out on its own (`queue.HOLD_S`): the job still runs
            log.exception("could not release %s; it runs once its hold is up", request.key)
        if self.queue.shared:
            self.tracker.forget(request.key)

    # -- messages ------------------------------------------------------------------------------------

    async def accept_message(self, message: discord.Message, request: Request) -> None:
        """A mention or a reply: refusals and the progress reply go in the channel, as replies."""
        settings = await self._settings(message.guild.id if message.guild else None)
        request = dataclasses.replace(request, style=style_of(settings))
        admitted = await self._admit(request, settings)
        if isinstance(admitted, Refusal):
            await message.reply(admitted.message, mention_author=False)
            return
        job, created = admitted
        if not created:
            return
        try:
            position = await self.queue.position(job)
        except Exception:  # noqa: BLE001 - the job is stored; only the position is missing
            log.exception("could not read the queue position of %s", request.key)
            position = None
        text = queued_text(position) if position is not None else "Composing..."
        if position is not None:
            self.board.note_shown(request.key, position)
        reply = await message.reply(text, mention_author=False)
        self.tracker.resolve(request.key, MessageHandle(reply))
        await self._acknowledged(job, request)

    def message_request(self, message: discord.Message, limit_bytes: int, **fields: Any) -> Request:
        target = ReplyTarget(
            kind="message",
            channel_id=message.channel.id,
            source_id=message.id,
            attachment_limit_bytes=limit_bytes,
        )
        return Request(
            author=user_key(message.author),
            author_name=message.author.display_name,
            guild=str(message.guild.id) if message.guild else None,
            channel=str(message.channel.id),
            reply=target,
            **fields,
        )


async def read_midi_attachment(message: discord.Message) -> tuple[str, str] | Refusal | None:
    """The first .mid/.midi attachment as (filename, base64), a refusal if too big, or None if there is none.

    The name is cleaned (`clean_filename`) before anything shows or stores it: it is the uploader's text."""
    for attachment in message.attachments:
        name = clean_filename(attachment.filename)
        if name.lower().endswith((".mid", ".midi")):
            if attachment.size > MAX_MIDI_UPLOAD_BYTES:
                return Refusal(
                    f"{name} is {attachment.size // 1024} KiB; Motif takes MIDI files up to"
                    f" {MAX_MIDI_UPLOAD_BYTES // 1024} KiB."
                )
            return name, encode_midi(await attachment.read())
    return None


def with_chords(prompt: str, chords: str | None) -> str:
    """The prompt with a `/compose chords:` option appended where the reader looks for a progression."""
    if not chords or not chords.strip():
        return prompt
    return f"{prompt.rstrip().rstrip('.,;')}. chords: {chords.strip()}"
