"""Motif on Discord: slash commands, mentions and replies, persistent buttons, a durable fair job queue.

`bot_command()` is the `motif bot` entry point; `run_bot(settings)` runs the bot until it is stopped. With
the store on PostgreSQL the queue is shared (`queue.JobQueue`), so `motif worker`s on other machines
(`remote/`) may take jobs too; `run_bot(settings, external=True)` leaves every job to them and runs the
gateway only (one worker process stays, for lineage pictures: nothing heavy runs on the event loop).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.discord_app.app import BotOptions, MotifBot, ShardedMotifBot, make_bot
from bot.discord_app.pool import WorkerCrashed, WorkerPool, start_workers
from bot.discord_app.worker import WorkerConfig
from bot.settings import BotSettings, SettingsError, load_settings, read_environment
from bot.studio import StudioConfig, default_engine
from storage import PostgresUrl, Store, StoreError

__all__ = [
    "BotOptions", "MotifBot", "ShardedMotifBot", "WorkerConfig", "WorkerCrashed", "WorkerPool", "bot_command",
    "make_bot", "run_bot",
]

log = logging.getLogger(__name__)


def worker_config(settings: BotSettings) -> WorkerConfig:
    """What the worker processes need from the settings (never the token)."""
    studio = StudioConfig(
        out_dir=settings.out_dir,
        db_path=settings.db_path,
        audio_format=settings.audio_format,
        want_audio=settings.want_audio,
        engine=settings.engine or default_engine(),
        soundfont=settings.soundfont,
    )
    return WorkerConfig(studio, fault_kill_on_prompt=settings.fault_kill_on_prompt)


async def run_bot(settings: BotSettings, external: bool = False, config: WorkerConfig | None = None) -> None:
    """Open the store, start the worker processes, connect to Discord; pending jobs resume at once (unless
    `external`: then `motif worker`s take them, and only a PostgreSQL store can be shared with them).
    `config` (tests, benchmarks) replaces the worker settings made from `settings`."""
    config = config or worker_config(settings)
    if external and not isinstance(settings.db_path, PostgresUrl):
        raise SettingsError("an external queue needs the store on PostgreSQL (MOTIF_DB=postgresql://...)")
    if settings.shards is not None and settings.shards.is_partial and not isinstance(settings.db_path, PostgresUrl):
        raise SettingsError("MOTIF_SHARD_IDS leaves the other shards to other bot processes, which must share the "
                            "store and its queue on PostgreSQL (MOTIF_DB=postgresql://...)")
    if config.fault_kill_on_prompt:
        log.warning("MOTIF_FAULT_KILL_ON_PROMPT is set: a prompt containing it kills its worker (tests only)")
    processes = start_workers(
        1 if external else settings.workers, config.studio.engine, settings.worker_memory_mb * 1024 * 1024 or None,
        settings.job_timeout_s,
    )
    processes.warm()  # models load while the bot connects, not during the first users' jobs
    try:
        async with Store.open(settings.db_path) as store:
            options = BotOptions(
                lanes=settings.workers,
                run_queue=not external,
                shared_queue=store.engine == "postgresql",
                lease_s=settings.lease_s,
                attachment_limit_bytes=settings.attachment_limit_bytes,
                message_content=settings.message_content,
                sync_guild=settings.sync_guild,
                job_retention_s=settings.job_retention_days * 24 * 3600.0,
                shards=settings.shards,
            )
            bot = make_bot(store, WorkerPool(processes, config), options)
            async with bot:
                await bot.start(settings.token)
    finally:
        processes.shutdown(wait=True, cancel_futures=True)


def bot_command(
    env_file: Path = Path(".env"), external: bool = False, shards: str | None = None, shard_ids: str | None = None
) -> None:
    """Run Motif's Discord bot (DISCORD_TOKEN from the environment or `.env`; see docs/discord.md); with
    `external`, the gateway only, `motif worker`s doing the jobs; `shards`/`shard_ids` (`--shards`,
    `--shard-ids`) stand in for MOTIF_SHARDS/MOTIF_SHARD_IDS."""
    import typer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    given = {"MOTIF_SHARDS": shards, "MOTIF_SHARD_IDS": shard_ids}
    try:
        settings = load_settings(read_environment(env_file) | {k: v for k, v in given.items() if v is not None})
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    log.info("starting Motif bot: %s, %s, db %s", "jobs left to motif worker" if external else
             f"{settings.workers} workers", settings.shards.describe() if settings.shards else "one gateway connection",
             settings.db_path)
    try:
        asyncio.run(run_bot(settings, external))
    except KeyboardInterrupt:
        log.info("stopped")
    except (StoreError, SettingsError) as exc:  # an unusable store (a bad file, an unreachable PostgreSQL): a message, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
