"""The Motif Discord client: wires the store, the queue, the worker pool and the commands together.

Works without the privileged message-content intent: slash commands, buttons and modals carry their own
data, and Discord still delivers the text of messages that mention the bot (a reply to the bot's
message mentions it too).

One server never sees another's pieces: every id taken from a user (typed, in a button, or the message a
reply points at) is read through a `storage.generations.Scope`: the server asking, or in a DM only the
user's own DM-made pieces. Finished jobs are purged after `BotOptions.job_retention_s`.

Sharded (`BotOptions.shards`, MOTIF_SHARDS): `make_bot` builds a `ShardedMotifBot`, the same bot on
discord.py's `AutoShardedClient`, connecting the shards the plan names. Discord sends each guild's events on
one shard, so replicas that split the shard ids never see the same interaction; a job is posted by whichever
process's lanes (or `motif worker`) claim it, over REST, which needs no shard.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands

from bot.discord_app.commands import HISTORY_PAGE, add_commands, history_embed
from bot.discord_app.delivery import DiscordDelivery
from bot.discord_app.handles import Tracker
from bot.discord_app.intake import BUSY, Intake, read_midi_attachment, scope_of, unknown_piece, user_key
from bot.discord_app.limits import WINDOW, RateLimiter, Refusal
from bot.discord_app.lineage import LineageLimiter, entries, lineage_png, lineage_text, shown_authors
from bot.discord_app.pool import WorkerCrashed, WorkerPool
from bot.discord_app.progress import QueueBoard
from bot.discord_app.queue import JobQueue
from bot.discord_app.style_commands import add_style_commands
from bot.discord_app.views import BUTTONS
from bot.settings import DEFAULT_JOB_RETENTION_DAYS
from bot.shards import ShardPlan
from prompts.limits import ATTACHMENT_LIMIT_BYTES
from storage import Generation, Store
from storage.generations import Scope

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@!?\d+>")
IDENTIFY_WINDOW_S = 5.0
"""Discord's session start limit: at most `max_concurrency` IDENTIFYs per 5 s, one per bucket."""
IDENTIFY_MARGIN_S = 0.25
"""Added to the window: the gateway times IDENTIFYs as they arrive, and one sent 5.0 s after the last can
arrive 4.99 s after it (measured on the fake Discord under load)."""


@dataclass(frozen=True)
class BotOptions:
    """What the client needs beyond the store and the pool (from `BotSettings`, or a test)."""

    lanes: int = 2
    lease_s: float = 60.0
    poll_s: float = 1.0
    attachment_limit_bytes: int = ATTACHMENT_LIMIT_BYTES
    message_content: bool = False
    sync_guild: int | None = None
    run_queue: bool = True
    """Run queue lanes (and so worker processes' jobs) in this process; False: `motif worker`s do (the bot is
    then the gateway only)."""
    shared_queue: bool = False
    """The queue is shared with other processes or machines (the store on PostgreSQL): see `queue.JobQueue`."""
    progress_interval_s: float = 2.0
    job_retention_s: float = DEFAULT_JOB_RETENTION_DAYS * 24 * 3600.0
    """How long finished jobs are kept (never less than the rate-limit window, which counts them)."""
    purge_interval_s: float = 3600.0
    shards: ShardPlan | None = None
    """The gateway shards to connect (`make_bot` then builds a `ShardedMotifBot`); None: one connection."""


class MotifBot(discord.Client):
    """The bot. `setup_hook` registers persistent buttons, syncs commands and starts the queue lanes."""

    def __init__(self, store: Store, pool: WorkerPool, options: BotOptions) -> None:
        intents = discord.Intents.default()
        intents.message_content = options.message_content
        super().__init__(
            intents=intents,
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            **_shard_options(options.shards),
        )
        self.options = options
        self.store = store
        self.tree = app_commands.CommandTree(self)
        self.tracker = Tracker()
        self.board = QueueBoard(store, self.tracker, options.progress_interval_s)
        self.delivery = DiscordDelivery(self, store, self.tracker, self.board)
        self.queue = JobQueue(
            store, pool, self.delivery, lanes=options.lanes, lease_s=options.lease_s, poll_s=options.poll_s,
            shared=options.shared_queue,
        )
        self.intake = Intake(
            store, self.queue, self.tracker, RateLimiter(store), options.attachment_limit_bytes, self.board
        )
        self.lineage_limiter = LineageLimiter()
        add_commands(self)
        add_style_commands(self)
        self._purger: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*BUTTONS)
        if self.options.sync_guild is not None:
            guild = discord.Object(self.options.sync_guild)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self.board.start()
        self._purger = asyncio.create_task(self._purge_finished_jobs(), name="motif-job-purge")
        if self.options.run_queue:
            self.queue.start()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause before re-identifying: one shard, and the gateway tells us when to slow down
        (`ShardedMotifBot` paces its shards by the session start limit)."""

    async def close(self) -> None:
        await self.queue.stop()
        await self.board.stop()
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger
        await super().close()

    async def _purge_finished_jobs(self) -> None:
        """At start, then every `purge_interval_s`: delete jobs that ended more than the retention ago, so the
        store does not keep every request (its text, its author) forever."""
        keep_s = max(self.options.job_retention_s, WINDOW.total_seconds())
        while True:
            try:
                gone = await self.store.purge_finished_jobs(datetime.now(UTC) - timedelta(seconds=keep_s))
                if gone:
                    log.info("purged %d finished jobs older than %.0f s", gone, keep_s)
            except Exception:  # noqa: BLE001 - housekeeping must never take the bot down
                log.exception("purging finished jobs failed")
            await asyncio.sleep(self.options.purge_interval_s)

    # -- mentions and replies ------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A mention composes; a reply to a Motif piece remixes it; a MIDI attachment is starting material.
        If that cannot be taken (the store is down), the person reads `BUSY` (see `intake`)."""
        if message.author.bot or self.user is None:
            return
        try:
            await self._take_message(message)
        except Exception:  # noqa: BLE001 - nothing was accepted: say so instead of staying silent
            log.exception("could not take message %s", message.id)
            with contextlib.suppress(discord.HTTPException):
                await message.reply(BUSY, mention_author=False)

    async def _take_message(self, message: discord.Message) -> None:
        assert self.user is not None
        parent = None
        if message.reference is not None and message.reference.message_id is not None:
            # Scoped: a piece forwarded from another server (or a DM) is no piece here.
            scope = Scope(str(message.guild.id) if message.guild else None, user_key(message.author))
            parent = await self.store.get_by_message(str(message.reference.message_id), scope=scope)
        if parent is None and self.user not in message.mentions:
            return
        text = MENTION.sub("", message.content).strip()
        limit = message.guild.filesize_limit if message.guild else self.options.attachment_limit_bytes
        limit = min(limit, self.options.attachment_limit_bytes)
        midi = await read_midi_attachment(message)
        if isinstance(midi, Refusal):
            await message.reply(midi.message, mention_author=False)
            return
        if midi is not None:
            request = self.intake.message_request(
                message, limit, action="import", instruction=text, midi_name=midi[0], midi_b64=midi[1]
            )
        elif parent is not None:
            request = self.intake.message_request(
                message, limit, action="remix", parent_id=parent.id, instruction=text
            )
        else:
            request = self.intake.message_request(message, limit, action="compose", prompt=text)
        await self.intake.remember_user(request.author, message.author.display_name)
        await self.intake.accept_message(message, request)

    # -- read-only answers ---------------------------------------------------------------------------

    async def answer_history(self, interaction: discord.Interaction, user: discord.abc.User) -> None:
        pieces = await self.store.list_generation_summaries(
            user_key(user), limit=HISTORY_PAGE, scope=scope_of(interaction)
        )
        rows = [(p.id, p.prompt, p.parent_id) for p in pieces]
        await interaction.response.send_message(embed=history_embed(user, rows), ephemeral=True)

    async def answer_lineage(self, interaction: discord.Interaction, gen_id: str, *, ephemeral: bool) -> None:
        """The outline in an embed and the tree as a picture: only the part of the tree made here."""
        refusal = self.lineage_limiter.check(user_key(interaction.user))
        if refusal is not None:
            await interaction.response.send_message(refusal.message, ephemeral=True)
            return
        tree = shown_tree(await self.store.tree(gen_id, scope=scope_of(interaction)))
        if not tree:
            await interaction.response.send_message(unknown_piece(gen_id), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        names: dict[str, str] = {}
        for author in shown_authors(tree, gen_id):
            user = await self.store.get_user(author)
            names[author] = user.display_name if user and user.display_name else author
        embed = discord.Embed(title=f"Lineage of {gen_id}", description=lineage_text(tree, gen_id)[:4000])
        try:  # drawn in a worker process: the event loop never runs matplotlib
            picture = await self.queue.pool.call(lineage_png, entries(tree), gen_id, names)
        except (WorkerCrashed, RuntimeError, ValueError, OSError) as exc:  # the outline still answers
            log.warning("lineage picture of %s failed: %s", gen_id, exc)
            await interaction.followup.send(embed=embed, ephemeral=ephemeral)
            return
        embed.set_image(url="attachment://lineage.png")
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(picture), "lineage.png"), ephemeral=ephemeral
        )


class ShardedMotifBot(MotifBot, discord.AutoShardedClient):
    """The bot on `AutoShardedClient`: the shards of `BotOptions.shards` on one event loop, sharing one
    store, queue and worker pool. Everything else is `MotifBot`'s."""

    def __init__(self, store: Store, pool: WorkerPool, options: BotOptions) -> None:
        super().__init__(store, pool, options)
        self.pacer = IdentifyPacer()
        self._max_concurrency: int | None = None

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Shards in different buckets of the session start limit (`shard_id % max_concurrency`) identify
        at once; a shard waits only for its own bucket's last IDENTIFY to be 5 s old, instead of the
        library's blanket 5 s before every shard but the first."""
        if self._max_concurrency is None:
            try:
                self._max_concurrency = (await self.fetch_session_start_limits()).max_concurrency
            except (discord.HTTPException, discord.GatewayNotFound) as exc:
                log.warning("session start limit unknown (%s): identifying one shard per %.0f s", exc,
                            IDENTIFY_WINDOW_S)
                self._max_concurrency = 1
        waited_s = await self.pacer.wait(shard_id or 0, self._max_concurrency)
        if waited_s > 0:
            log.info("shard %s waited %.1f s for its IDENTIFY slot", shard_id, waited_s)


class IdentifyPacer:
    """At most one IDENTIFY per bucket per `window_s` (Discord closes a session that identifies faster, and
    the bot would then re-identify even later). Buckets are `shard_id % max_concurrency`."""

    def __init__(self, window_s: float = IDENTIFY_WINDOW_S + IDENTIFY_MARGIN_S) -> None:
        self.window_s = window_s
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, shard_id: int, max_concurrency: int) -> float:
        """Sleep until this shard's bucket may identify again; returns the seconds waited."""
        bucket = shard_id % max(1, max_concurrency)
        async with self._locks.setdefault(bucket, asyncio.Lock()):
            last = self._last.get(bucket)
            delay_s = 0.0 if last is None else max(0.0, last + self.window_s - time.monotonic())
            if delay_s:
                await asyncio.sleep(delay_s)
            self._last[bucket] = time.monotonic()
        return delay_s


def make_bot(store: Store, pool: WorkerPool, options: BotOptions) -> MotifBot:
    """The bot `options` ask for: `ShardedMotifBot` when shards are planned, else the one-connection
    `MotifBot` (exactly as before sharding existed)."""
    cls = MotifBot if options.shards is None else ShardedMotifBot
    return cls(store, pool, options)


def _shard_options(plan: ShardPlan | None) -> dict[str, object]:
    """The client keywords for a plan: the count (None lets `AutoShardedClient` ask Discord) and ids."""
    if plan is None:
        return {}
    return {"shard_count": plan.count, "shard_ids": None if plan.ids is None else list(plan.ids)}


def shown_tree(tree: Sequence[Generation]) -> list[Generation]:
    """A scoped tree ready to draw: a member whose parent was left out (made elsewhere) is drawn as a root,
    so the outline and picture start from what this server may see and name nothing else."""
    ids = {g.id for g in tree}
    return [g if g.parent_id in ids or g.parent_id is None else dataclasses.replace(g, parent_id=None) for g in tree]
