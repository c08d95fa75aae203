"""The worker side of the pool: runs in its own process, holds its own Studio and models, loaded once.

`run_request` is what the bot submits to a `concurrent.futures.ProcessPoolExecutor`: it receives plain
data (a `WorkerConfig` and a job payload) and returns plain data (an `Outcome` dict), so nothing from
discord.py crosses the process boundary. Each process keeps one event loop, one store connection per
database file and one melody engine per engine name for its whole life.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import multiprocessing.util
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.discord_app.requests import Request, Style
from bot.discord_app.styling import held_to_style, parse_config, styled_spec
from bot.studio import Result, Studio, StudioConfig, StudioError, Who, load_melody_source, new_seed
from composer.melody import MelodySource
from storage import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    """How worker processes compose and render (the bot's settings, minus anything secret)."""

    db_path: Path
    out_dir: Path
    engine: str
    want_audio: bool = True
    want_images: bool = True
    audio_format: str = "ogg"
    check_originality: bool = True
    use_encoder: bool = True


@dataclass
class _ProcessState:
    loop: asyncio.AbstractEventLoop
    stores: dict[Path, Store]
    engines: dict[str, MelodySource]
    studios: dict[tuple[WorkerConfig, bool, int], Studio]


_STATE: _ProcessState | None = None


def _state() -> _ProcessState:
    global _STATE
    if _STATE is None:
        _STATE = _ProcessState(asyncio.new_event_loop(), {}, {}, {})
        # Runs before the interpreter joins threads: an open store's connection thread would keep the
        # process alive and hang the pool's shutdown.
        multiprocessing.util.Finalize(None, _close_stores, args=(_STATE,), exitpriority=10)
    return _STATE


def _close_stores(state: _ProcessState) -> None:
    for store in state.stores.values():
        state.loop.run_until_complete(store.close())
    state.stores.clear()


WORKER_NICENESS = 10
"""Composition runs at a lower CPU priority than the bot's event loop, so acknowledging a new request (which
Discord wants within 3 s) never waits behind a piece being written on the same cores."""


def warm_up(engine: str) -> int:
    """Load the melody engine in this process ahead of the first job (the pool calls it per worker), after
    lowering the process's priority below the bot's."""
    os.nice(WORKER_NICENESS)
    state = _state()
    if engine not in state.engines:
        state.engines[engine] = load_melody_source(engine)
    return 0


def _studio(config: WorkerConfig, audio: bool, max_bars: int) -> Studio:
    """The process's Studio for this config; models and the store connection are shared, never reloaded."""
    state = _state()
    key = (config, audio, max_bars)
    if key not in state.studios:
        if config.db_path not in state.stores:
            state.stores[config.db_path] = state.loop.run_until_complete(Store.open(config.db_path))
        warm_up(config.engine)
        studio_config = StudioConfig(
            out_dir=config.out_dir,
            db_path=config.db_path,
            audio_format=config.audio_format,
            want_audio=config.want_audio and audio,
            want_images=config.want_images,
            engine=config.engine,
            check_originality=config.check_originality,
            parse=parse_config(Style(max_bars=max_bars), use_encoder=config.use_encoder),
        )
        state.studios[key] = Studio(studio_config, state.stores[config.db_path], state.engines[config.engine])
    return state.studios[key]


async def _run(studio: Studio, request: Request) -> Result:
    who = Who(author=request.author, guild=request.guild, channel=request.channel)
    if request.action == "compose":
        start = time.perf_counter()
        spec = styled_spec(request.prompt, request.style, request.bars, studio.config.parse)
        spec = dataclasses.replace(spec, seed=new_seed() if request.seed is None else request.seed)
        return await studio.compose_spec(
            spec, request.prompt, {"parse": (time.perf_counter() - start) * 1000}, who
        )
    held = functools.partial(held_to_style, style=request.style)  # the server's caps, as for /compose
    if request.action == "remix":
        if request.parent_id is None:
            raise ValueError("a remix needs the id of the piece to change")
        if await studio.store.get_generation(request.parent_id, scope=request.scope) is None:
            raise StudioError(f"there is no generation with id {request.parent_id!r}")  # another server's
        return await studio.remix(request.parent_id, request.instruction, request.seed, who, limit=held)
    midi = request.midi
    if midi is None:
        raise ValueError("no MIDI file came with the request")
    imported = await studio.import_midi(midi, request.midi_name, who)
    if not request.instruction.strip():
        return imported
    return await studio.remix(imported.id, request.instruction, request.seed, who, limit=held)


def run_request(config: WorkerConfig, payload: dict[str, Any]) -> dict[str, Any]:
    """Do one job in this worker process; returns {"ok": True, "result": ...} or {"ok": False, "error", "retry"}.

    A `ValueError` (bad prompt, unreadable instruction, unknown id, hostile MIDI) is the user's to fix and
    is not retried; anything else is a fault of ours and may be retried by the queue.
    """
    request = Request.from_payload(payload)
    studio = _studio(config, request.style.audio, request.style.max_bars)
    try:
        result = _state().loop.run_until_complete(_run(studio, request))
    except ValueError as exc:
        return {"ok": False, "error": str(exc), "retry": False}
    except Exception as exc:  # noqa: BLE001 - reported to the queue, which retries and then apologises
        log.exception("job %s failed", request.key)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}", "retry": True}
    return {"ok": True, "result": result.to_json() | {"summary": result.summary}}
