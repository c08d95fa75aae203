"""What every `motif` command shares: the stderr console, the JSON line writer, error reporting (a studio
call's result or error, and the exit code of a run), options, and turning command-line options into a
StudioConfig (the environment is read here, at the edge)."""

from __future__ import annotations

import asyncio
import json
import os
import select
import stat
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bot.cli.summary import print_result
from prompts.errors import UserError

if TYPE_CHECKING:
    from bot.failures import Failure

err = Console(stderr=True)
T = TypeVar("T")

MAX_IMPORT_BYTES = 1024 * 1024
"""The largest MIDI file `motif import` reads (the importer's own cap)."""
IMPORT_READ_TIMEOUT_S = 10.0
"""How long `motif import` waits on a pipe or device that has not finished sending."""

OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the files (named by generation id).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed for reproducible output.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout, one object per line.")]
DbOpt = Annotated[str | None, typer.Option(
    "--db", help="The store: a SQLite file or a postgresql:// URL (default: $MOTIF_DB, else a file in the user data dir).")]
AudioOpt = Annotated[str, typer.Option("--audio-format", help="ogg (default) or mp3.")]
NoAudioOpt = Annotated[bool, typer.Option("--no-audio", help="Skip audio rendering.")]
NoImagesOpt = Annotated[bool, typer.Option("--no-images", help="Skip the score and piano-roll pictures.")]
EngineOpt = Annotated[str | None, typer.Option("--engine", help="model (default when trained) or markov.")]
UserOpt = Annotated[str | None, typer.Option("--user", help="Who you are in the store (default: local:$USER).")]


def emit_json(obj: dict) -> None:
    """One JSON object on its own line on stdout, flushed so a reader sees it at once."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, as_json: bool, code: int = 2) -> typer.Exit:
    """Report a user error the way the mode asks (JSON or readable) and return the exit to raise."""
    if as_json:
        emit_json({"error": message})
    else:
        err.print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code)


def shown(exc: Exception) -> Failure:
    """How a local front end (this CLI, the console chat) shows `exc`: `bot.failures.explain` decides; a
    fault of ours also prints its traceback to stderr with MOTIF_DEBUG=1."""
    from bot.failures import explain, show_traceback

    failure = explain(exc, local=True)
    if not failure.users_to_fix and failure.generation_id is None and show_traceback():
        err.print_exception()
    return failure


def local_user(user: str | None) -> str:
    """Store author for local front ends: `local:NAME`."""
    name = user or os.environ.get("USER") or "you"
    return name if ":" in name else f"local:{name}"


def studio_config(out: Path, db: str | None, as_json: bool, audio_format: str = "ogg", no_audio: bool = False,
                  no_images: bool = False, engine: str | None = None, check_out: bool = True):
    """A StudioConfig from command-line options; bad options become a clean exit before anything is stored.

    The store and the output folder are checked here, so an unusable `--db` or `--out` is refused before a
    piece is composed (never a generation stored whose files could not be written)."""
    from bot.settings import soundfont_setting
    from bot.studio import ENGINES, StudioConfig, default_engine
    from storage import StoreError, resolve_db_path
    from storage.paths import check_db_path

    if audio_format not in ("ogg", "mp3"):
        raise fail(f"unknown audio format {audio_format!r}; use ogg or mp3", as_json)
    if engine is not None and engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}", as_json)
    try:
        db_path = resolve_db_path(db, os.environ)
        check_db_path(db_path)
    except StoreError as exc:
        raise fail(str(exc), as_json) from None
    if check_out:
        check_out_dir(out, as_json)
    return StudioConfig(out_dir=out, db_path=db_path, audio_format=audio_format, want_audio=not no_audio,
                        want_images=not no_images, engine=engine or default_engine(), soundfont=soundfont_setting())


def check_out_dir(out: Path, as_json: bool) -> None:
    """Make sure `--out` is a folder Motif can write files into (creating it), or exit 2."""
    if out.exists() and not out.is_dir():
        raise fail(f"--out {out} is a file, not a folder", as_json)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out, prefix=".motif-write-check-"):
            pass
    except OSError as exc:
        raise fail(f"--out {out} is not a folder Motif can write to: {exc.strerror or exc}", as_json) from None


def run_store(job: Coroutine[Any, Any, T], as_json: bool) -> T:
    """Run a command's async body; a store that cannot be opened or used is a clean exit, not a traceback."""
    from storage import StoreError

    try:
        return asyncio.run(job)
    except StoreError as exc:
        raise fail(str(exc), as_json) from None


def read_capped(path: Path, cap: int = MAX_IMPORT_BYTES, timeout_s: float = IMPORT_READ_TIMEOUT_S) -> bytes:
    """A file's bytes, reading at most `cap` + 1 of them and waiting at most `timeout_s`.

    A pipe, FIFO or device has no size to check first (`/dev/zero` never ends, a FIFO blocks until a writer
    comes), so it is opened without blocking and read against the cap and a deadline; a FIFO nobody is
    writing to reads as empty. Raises `UserError` with a message for the user."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"cannot read {path}: it is a folder, not a MIDI file")
        if stat.S_ISREG(info.st_mode) and info.st_size > cap:
            raise UserError(_too_big(path, cap))
        data = _read_until(fd, cap + 1, time.monotonic() + timeout_s)
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if data is None:
        raise UserError(f"{path} did not finish sending within {timeout_s:.0f} s; give a MIDI file")
    if len(data) > cap:
        raise UserError(_too_big(path, cap))
    return data


def _read_until(fd: int, limit: int, deadline: float) -> bytes | None:
    """Up to `limit` bytes from `fd` until end of file; None when the deadline passes first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            chunk = os.read(fd, min(65536, limit - size))
        except BlockingIOError:  # a pipe whose writer has not sent the rest yet
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return None
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            return None
    return b"".join(chunks)


def _too_big(path: Path, cap: int) -> str:
    return f"{path} is larger than {cap // 1024} KiB; Motif imports smaller MIDI files"


OK, PARTIAL, FAILED = "ok", "partial", "failed"
"""A line's outcome: made in full; stored, but a file it asked for could not be made; not made."""


def exit_code(outcomes: list[str]) -> int:
    """2 when any request failed, 1 when all were stored but some files could not be made, else 0."""
    return 2 if FAILED in outcomes else 1 if PARTIAL in outcomes else 0


async def run_reported(job, label: str, as_json: bool) -> str:
    """Await a studio call and report its result or its error (user errors plainly, bugs briefly).

    Returns OK, PARTIAL (stored, but some files are missing: the result's `errors` says which) or FAILED."""
    try:
        result = await job
    except Exception as exc:  # a bug must cost one request, not the batch, and never show a traceback
        failure = shown(exc)
        report_error(label, failure.message, as_json, generation_id=failure.generation_id)
        return FAILED
    if as_json:
        emit_json(result.to_json())
    else:
        print_result(err, result)
    return PARTIAL if result.errors else OK


def report_error(label: str, message: str, as_json: bool, generation_id: str | None = None) -> None:
    if as_json:
        emit_json({"error": message, "prompt": label} | ({"id": generation_id} if generation_id else {}))
    else:
        err.print(f"[bold red]Could not make[/] {escape(repr(label))}: {escape(message)}")
