"""What every `motif` command shares: the stderr console, the JSON line writer, error reporting, options,
and turning command-line options into a StudioConfig (the environment is read here, at the edge)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)

OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the files (named by generation id).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed for reproducible output.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout, one object per line.")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLite store (default: $MOTIF_DB or the user data dir).")]
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
        err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(code)


def internal_error(exc: Exception) -> str:
    """A short message for an unexpected failure; the traceback goes to stderr only with MOTIF_DEBUG=1."""
    if os.environ.get("MOTIF_DEBUG") == "1":
        err.print_exception()
    return f"Motif hit an internal error ({type(exc).__name__}: {exc}); set MOTIF_DEBUG=1 for details"


def local_user(user: str | None) -> str:
    """Store author for local front ends: `local:NAME`."""
    name = user or os.environ.get("USER") or "you"
    return name if ":" in name else f"local:{name}"


def studio_config(out: Path, db: str | None, as_json: bool, audio_format: str = "ogg", no_audio: bool = False,
                  no_images: bool = False, engine: str | None = None):
    """A StudioConfig from command-line options; bad options become a clean exit."""
    from bot.studio import ENGINES, StudioConfig, default_engine
    from storage import StoreError, resolve_db_path

    if audio_format not in ("ogg", "mp3"):
        raise fail(f"unknown audio format {audio_format!r}; use ogg or mp3", as_json)
    if engine is not None and engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}", as_json)
    try:
        db_path = resolve_db_path(db, os.environ)
    except StoreError as exc:
        raise fail(str(exc), as_json) from None
    return StudioConfig(out_dir=out, db_path=db_path, audio_format=audio_format, want_audio=not no_audio,
                        want_images=not no_images, engine=engine or default_engine())
