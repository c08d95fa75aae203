"""One `motif worker`: open the store, start the worker processes, log in over HTTP, run the lanes until told
to stop; a stop lets the jobs in hand finish (up to `WorkerOptions.grace_s`), and anything cut short is
left to its lease, so another worker takes it over and posts it once (`queue.JobQueue`)."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

import discord

from bot.discord_app.delivery import DiscordDelivery
from bot.discord_app.handles import Tracker
from bot.discord_app.pool import WorkerPool, start_workers
from bot.discord_app.progress import QueueBoard
from bot.discord_app.queue import JobQueue
from bot.discord_app.worker import WorkerConfig
from bot.settings import BotSettings, SettingsError
from storage import PostgresUrl, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """How one worker machine runs its lanes (from `motif worker`'s options, or a test)."""

    lanes: int = 2
    """Jobs composed at once here, one worker process each (MOTIF_WORKERS, or --lanes)."""
    lease_s: float = 60.0
    """How long a worker may go without a heartbeat (procrastinate's, sent every third of it) before its
    jobs are handed to another worker: a dead worker's job moves on after this."""
    poll_s: float = 0.5
    """How often an idle worker looks for work besides being woken by LISTEN/NOTIFY (after an outage)."""
    grace_s: float = 30.0
    """On stop, how long jobs in hand may take to finish."""


async def serve(
    settings: BotSettings, options: WorkerOptions, stop: asyncio.Event, config: WorkerConfig | None = None
) -> None:
    """Run the lanes until `stop` is set; `config` (tests) replaces the one made from `settings`."""
    from bot.discord_app import worker_config  # the package's one source for it; imported late (no cycle)

    if not isinstance(settings.db_path, PostgresUrl):
        raise SettingsError("motif worker needs the store on PostgreSQL (MOTIF_DB=postgresql://...): a SQLite"
                            " file is one machine's, and its bot runs its own workers")
    config = config or worker_config(settings)
    processes = start_workers(
        options.lanes, config.studio.engine, settings.worker_memory_mb * 1024 * 1024 or None, settings.job_timeout_s
    )
    client = discord.Client(intents=discord.Intents.none())
    try:
        # Every process loaded before the first claim: a job taken here must not wait on a model loading
        # while a warm worker on another machine sits idle.
        await asyncio.gather(*(processes.call(int) for _ in range(options.lanes)))
        async with Store.open(settings.db_path) as store:
            await client.login(settings.token)  # REST only: no gateway session, so no shard and no events
            tracker = Tracker()
            delivery = DiscordDelivery(client, store, tracker, QueueBoard(store, tracker))  # positions: the bot's
            queue = JobQueue(store, WorkerPool(processes, config), delivery, lanes=options.lanes,
                             lease_s=options.lease_s, poll_s=options.poll_s, shared=True, grace_s=options.grace_s)
            queue.start()
            log.info("motif worker: %d lanes on %s", options.lanes, store.location)
            await stop.wait()
            log.info("motif worker stopping: jobs in hand get %.0f s", options.grace_s)
            await queue.stop(options.grace_s)
    finally:
        await client.close()
        processes.shutdown(wait=True, cancel_futures=True)


async def run_worker(settings: BotSettings, options: WorkerOptions, config: WorkerConfig | None = None) -> None:
    """`serve` until SIGTERM or SIGINT (systemd, docker and Ctrl-C all stop it gracefully)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve(settings, options, stop, config)
