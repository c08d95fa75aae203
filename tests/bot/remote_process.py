"""A real `motif worker` or gateway-only `motif bot` process pointed at a test's fake Discord.

    python -m tests.bot.remote_process worker|bot|bot-local BASE_URL GATEWAY_URL [LANES] [LEASE_S]

(`bot` is the gateway only, `motif bot --external-queue`; `bot-local` is `motif bot` with its own lanes.)

Settings come from the environment as for `motif worker` / `motif bot` (DISCORD_TOKEN, MOTIF_DB, MOTIF_OUT,
MOTIF_ENGINE). The only test-side changes: discord.py is pointed at the fake (the two public knobs of
tests/fakediscord/pointing.py), and pieces are composed as tests/bot/discord_harness.py composes them
(no audio, no pictures, no text encoder), so these processes cost what the in-process tests cost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys

from bot.discord_app import run_bot, worker_config
from bot.discord_app.remote import WorkerOptions, run_worker
from bot.settings import load_settings, read_environment
from prompts import ParseConfig
from tests.fakediscord.pointing import point_discord_py

READY_LINE = "motif worker:"
"""What a worker logs once it is logged in and its lanes run (the test waits for it)."""


def main(argv: list[str]) -> None:
    role, base_url, gateway_url = argv[0], argv[1], argv[2]
    lanes = int(argv[3]) if len(argv) > 3 else 1
    lease_s = float(argv[4]) if len(argv) > 4 else 60.0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    point_discord_py(base_url, gateway_url)
    settings = dataclasses.replace(load_settings(read_environment(None)), lease_s=lease_s)
    config = worker_config(settings)
    config = dataclasses.replace(config, studio=dataclasses.replace(
        config.studio, want_audio=False, want_images=False, parse=ParseConfig(use_encoder=False)))
    if role == "worker":
        asyncio.run(run_worker(settings, WorkerOptions(lanes=lanes, lease_s=lease_s, poll_s=0.2), config))
    elif role in ("bot", "bot-local"):
        settings = dataclasses.replace(settings, workers=lanes)
        asyncio.run(run_bot(settings, external=role == "bot", config=config))
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
