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
import resource
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.discord_app.requests import Request
from bot.discord_app.styling import held_to_style, parse_config, styled_spec
from bot.discord_app.upload import UPLOAD_KEY, choose_upload
from bot.failures import explain
from bot.settings import DEFAULT_WORKER_MEMORY_MB
from bot.studio import Result, Studio, StudioConfig, StudioError, Who, load_melody_source
from composer.melody import MelodySource
from prompts import Spec
from storage import Store, store_unreachable

log = logging.getLogger(__name__)

UNREACHABLE = "Motif could not reach its database while making this piece. Please try again in a minute."
"""What a person is told when every attempt met the store unreachable (a PostgreSQL outage)."""


@dataclass(frozen=True)
class WorkerConfig:
    """How worker processes compose and render: the bot's `StudioConfig` (its settings minus anything secret),
    which each job narrows to its server's audio switch and bar cap."""

    studio: StudioConfig
    fault_kill_on_prompt: str | None = None
    """For tests only (MOTIF_FAULT_KILL_ON_PROMPT): a worker given a prompt or instruction containing this
    text kills its own process with SIGKILL, as the OOM killer would, to exercise crash recovery for real."""


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

DEFAULT_MEMORY_LIMIT_BYTES = DEFAULT_WORKER_MEMORY_MB * 1024 * 1024
"""What one worker process may allocate (RLIMIT_DATA). Measured with the learned model and the prompt
encoder loaded, composing, engraving and rendering a 64-bar orchestral piece: data 0.86 GB, resident
peak 1.04 GB (virtual size 2.0 GB). RLIMIT_DATA rather than RLIMIT_AS: the address space also counts
shared-library mappings and malloc's per-thread arena reservations, which grow with the machine's core
count, so an AS cap that fits on 2 cores could refuse a normal job on 32."""

def warm_up(engine: str, memory_limit_bytes: int | None = None) -> int:
    """Prepare this worker process once, when the pool starts it: cap its memory (so one runaway job fails
    with MemoryError instead of the machine killing processes at random), lower its priority below the
    bot's, and load the melody engine ahead of the first job."""
    if memory_limit_bytes:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        soft = memory_limit_bytes if hard == resource.RLIM_INFINITY else min(memory_limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    os.nice(WORKER_NICENESS)
    _engine(engine)
    return 0


def _engine(name: str) -> MelodySource:
    """The process's melody engine by name, loaded on first use and kept."""
    state = _state()
    if name not in state.engines:
        state.engines[name] = load_melody_source(name)
    return state.engines[name]


def _studio(config: WorkerConfig, audio: bool, max_bars: int) -> Studio:
    """The process's Studio for this config; models and the store connection are shared, never reloaded."""
    state = _state()
    key = (config, audio, max_bars)
    if key not in state.studios:
        base = config.studio
        if base.db_path not in state.stores:
            state.stores[base.db_path] = state.loop.run_until_complete(Store.open(base.db_path))
        studio_config = dataclasses.replace(
            base, want_audio=base.want_audio and audio, parse=parse_config(base.parse, max_bars)
        )
        state.studios[key] = Studio(studio_config, state.stores[base.db_path], _engine(base.engine))
    return state.studios[key]


async def _run(studio: Studio, request: Request) -> Result:
    who = Who(author=request.author, guild=request.guild, channel=request.channel)
    if request.action == "compose":  # read under the server's style, then the one compose path
        def read(text: str) -> Spec:
            return styled_spec(text, request.style, request.bars, studio.config.parse)

        return await studio.compose(request.prompt, request.seed, who, read=read)
    held = functools.partial(held_to_style, style=request.style)  # the server's caps, as for /compose
    if request.action == "remix":
        if request.parent_id is None:
            raise StudioError("a remix needs the id of the piece to change")
        if await studio.store.get_generation(request.parent_id, scope=request.scope) is None:
            raise StudioError(f"there is no generation with id {request.parent_id!r}")  # another server's
        return await studio.remix(request.parent_id, request.instruction, request.seed, who, limit=held)
    midi = request.midi
    if midi is None:
        raise StudioError("no MIDI file came with the request")
    imported = await studio.import_midi(midi, request.midi_name, who)
    if not request.instruction.strip():
        return imported
    return await studio.remix(imported.id, request.instruction, request.seed, who, limit=held)


def run_request(config: WorkerConfig, payload: dict[str, Any]) -> dict[str, Any]:
    """Do one job in this worker process; returns {"ok": True, "result": ...} or {"ok": False, "error",
    "retry", "message"?} ("message", when present, is what the user is told instead of the error).

    `bot.failures.explain` decides what the user is told and whether the queue may retry: a `UserError`
    (bad prompt, unreadable instruction, unknown id, hostile MIDI, nothing original enough) is theirs to
    fix and is not retried; running out of this process's memory would happen again and is not retried
    either; anything else is a fault of ours, logged, and may be retried by the queue. The files to post are chosen here,
    within the request's upload limit (re-encoding audio is heavy: it stays off the bot's event loop).
    """
    request = Request.from_payload(payload)
    _maybe_die(config, request)
    try:
        studio = _studio(config, request.style.settings.audio, request.style.settings.max_bars)
        result = _state().loop.run_until_complete(_run(studio, request))
    except Exception as exc:  # noqa: BLE001 - reported to the queue, which retries and then apologises
        return _failure(exc, request.key)
    return {
        "ok": True,
        "result": result.to_json() | {"summary": result.summary, UPLOAD_KEY: _upload(result, request)},
    }


def _failure(exc: Exception, key: str) -> dict[str, Any]:
    """The outcome of a job that raised: the user's own error as it is, anything else with the message
    `bot.failures.explain` gives (logged; retried when it says a retry may help)."""
    if store_unreachable(exc):  # PostgreSQL down for a moment: nobody's mistake, and a retry may well work
        log.warning("job %s could not reach the store: %s", key, exc)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500], "retry": True, "message": UNREACHABLE}
    failure = explain(exc, local=False)
    if failure.users_to_fix:
        return {"ok": False, "error": failure.message, "retry": False}
    if failure.retry:
        log.exception("job %s failed", key)
    else:
        log.warning("job %s could not finish: %s", key, exc)
    return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500], "retry": failure.retry,
            "message": failure.message}


def _upload(result: Result, request: Request) -> dict[str, Any] | None:
    """The files to post; None (the bot then posts the stored MIDI) if choosing them failed: the piece is
    stored already, and composing it again would not help."""
    try:
        return choose_upload(result.files, result.id, request.reply.attachment_limit_bytes)
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("choosing the files to post for %s failed", result.id)
        return None


def _maybe_die(config: WorkerConfig, request: Request) -> None:
    """The test-only fault (`WorkerConfig.fault_kill_on_prompt`): die as abruptly as an OOM kill."""
    marker = config.fault_kill_on_prompt
    if marker and (marker in request.prompt or marker in request.instruction):
        log.warning("fault injection: job %s kills its worker process", request.key)
        os.kill(os.getpid(), signal.SIGKILL)
