"""`motif worker`: composing workers on any machine that reaches the PostgreSQL store (scale-out).

A worker machine runs the bot's own queue (`queue.JobQueue`, shared: procrastinate's worker fetching jobs
by fair priority, with heartbeats and stalled-job retries) over its own worker processes (`pool.ProcessGroup`), and answers on Discord over HTTP only:
discord.py's client logged in with the bot's token but never connected to the gateway, editing the
interaction's original response through its webhook, or the bot's "queued" reply in the channel, exactly
as the bot itself does after a restart (`delivery.DiscordDelivery`). `run_worker` is the entry point.
"""

from __future__ import annotations

from bot.discord_app.remote.runner import WorkerOptions, run_worker, serve

__all__ = ["WorkerOptions", "run_worker", "serve"]
