"""`motif worker`: composing workers for a PostgreSQL store, on this machine or any other that reaches it.

Reads the same settings as `motif bot` (DISCORD_TOKEN, MOTIF_DB, MOTIF_WORKERS, MOTIF_ENGINE...) from the
environment or a `.env` file; the token is needed to post, never to connect to the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer


def worker_command(
    env_file: Annotated[Path, typer.Option("--env-file", help="A .env file with DISCORD_TOKEN and MOTIF_DB.")] = Path(".env"),
    lanes: Annotated[int | None, typer.Option("--lanes", min=1, max=64,
                                              help="Jobs at once (default MOTIF_WORKERS).")] = None,
    lease_s: Annotated[float, typer.Option("--lease-s", min=2.0, max=3600.0,
                                           help="Seconds a dead worker's job waits before another takes it.")] = 60.0,
) -> None:
    """Run composing workers that take jobs from the PostgreSQL store and post on Discord."""
    from bot.discord_app.remote import WorkerOptions, run_worker  # discord.py loads only for this command
    from bot.settings import SettingsError, load_settings, read_environment
    from storage import StoreError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(read_environment(env_file))
        asyncio.run(run_worker(settings, WorkerOptions(lanes=lanes or settings.workers, lease_s=lease_s)))
    except (SettingsError, StoreError) as exc:  # a message an operator can act on, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass
