"""`motif`: the command line (design.md section 2 is its contract).

With `--json`, stdout carries only JSON objects, one per line; everything for people goes to stderr, so
scripts can pipe the output. Bad input exits with code 2 and an `{"error": ...}` object.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.summary import print_result, print_spec
from prompts import ParseConfig, ParseError, parse
from storage import resolve_db_path

app = typer.Typer(
    name="motif",
    help="Motif composes music with you: a prompt in, MIDI, MusicXML, audio, a score and a piano roll out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the files (named by generation id).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed for reproducible output.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout, one object per line.")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLite store (default: $MOTIF_DB or the user data dir).")]


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


@app.command("parse")
def parse_command(prompt: Annotated[str, typer.Argument(help="What you want, in words.")], json_out: JsonOpt = False) -> None:
    """Show how Motif reads a prompt (the Spec), without composing."""
    try:
        spec = parse(prompt, ParseConfig())
    except ParseError as exc:
        raise fail(str(exc), json_out) from None
    if json_out:
        emit_json({"spec": spec.to_dict()})
    else:
        print_spec(err, spec)


@app.command("compose")
def compose_command(
    prompt: Annotated[str | None, typer.Argument(help="What you want, in words.")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="A file with one prompt per line.")] = None,
    out: OutOpt = Path("motif-out"),
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
    db: DbOpt = None,
    audio_format: Annotated[str, typer.Option("--audio-format", help="ogg (default) or mp3.")] = "ogg",
    no_audio: Annotated[bool, typer.Option("--no-audio", help="Skip audio rendering.")] = False,
    no_images: Annotated[bool, typer.Option("--no-images", help="Skip the score and piano-roll pictures.")] = False,
) -> None:
    """Compose from a prompt (or from every line of --batch FILE) and write the files."""
    if (prompt is None) == (batch is None):
        raise fail("give either a PROMPT or --batch FILE (one of them)", json_out)
    if audio_format not in ("ogg", "mp3"):
        raise fail(f"unknown audio format {audio_format!r}; use ogg or mp3", json_out)
    texts = [prompt] if prompt is not None else _read_batch(batch, json_out)
    from bot.studio import StudioConfig

    config = StudioConfig(
        out_dir=out,
        db_path=resolve_db_path(db, os.environ),
        audio_format=audio_format,
        want_audio=not no_audio,
        want_images=not no_images,
    )
    failures = asyncio.run(_compose_all(config, texts, seed, json_out, show_progress=batch is not None))
    if failures:
        raise typer.Exit(2)


def _read_batch(path: Path | None, as_json: bool) -> list[str]:
    assert path is not None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read batch file {path}: {exc}", as_json) from None
    prompts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not prompts:
        raise fail(f"batch file {path} has no prompts", as_json)
    return prompts


async def _compose_all(config, texts: list[str], seed: int | None, as_json: bool, show_progress: bool) -> int:
    """Compose every prompt with one studio (models loaded once); returns how many failed."""
    from bot.studio import Studio
    from storage import Store, StoreError

    failures = 0
    progress = Progress(
        TextColumn("[bold]composing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err, disable=as_json or not show_progress,
    )
    try:
        store = await Store.open(config.db_path)
    except (StoreError, OSError) as exc:
        _report_error("", f"cannot open the store {config.db_path}: {exc}", as_json, progress)
        return len(texts)
    try:
        studio = Studio(config, store)
        with progress:
            task = progress.add_task("", total=len(texts))
            for index, text in enumerate(texts):
                progress.update(task, description=text[:40])
                line_seed = None if seed is None else seed + index
                try:
                    result = await studio.compose(text, seed=line_seed)
                except ParseError as exc:
                    failures += 1
                    _report_error(text, str(exc), as_json, progress)
                except Exception as exc:  # a bug must cost one line of a batch, not the batch or a traceback
                    failures += 1
                    _report_error(text, internal_error(exc), as_json, progress)
                else:
                    _report_result(result, as_json, progress)
                progress.advance(task)
    finally:
        await store.close()
    return failures


def internal_error(exc: Exception) -> str:
    """A short message for an unexpected failure; the traceback goes to stderr only with MOTIF_DEBUG=1."""
    if os.environ.get("MOTIF_DEBUG") == "1":
        err.print_exception()
    return f"Motif hit an internal error ({type(exc).__name__}: {exc}); set MOTIF_DEBUG=1 for details"


def _report_error(prompt: str, message: str, as_json: bool, progress: Progress) -> None:
    if as_json:
        emit_json({"error": message, "prompt": prompt})
    else:
        progress.console.print(f"[bold red]Could not compose[/] {prompt!r}: {message}")


def _report_result(result, as_json: bool, progress: Progress) -> None:
    if as_json:
        emit_json(result.to_json())
    else:
        print_result(progress.console, result)


@app.command("bench")
def bench_command(
    json_out: JsonOpt = False,
    runs: Annotated[int, typer.Option("--runs", help="Warm compositions to time.")] = 20,
    cold: Annotated[bool, typer.Option("--cold/--no-cold", help="Time a cold `motif compose`.")] = True,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Prompts in the timed batch (0: skip).")] = 50,
) -> None:
    """Measure latency (warm p50/p95 for 8 bars, cold start, a batch) and peak memory."""
    from bot.bench import BenchConfig, run_bench

    figures = run_bench(BenchConfig(runs=max(1, runs), cold=cold, batch_size=max(0, batch_size)))
    if json_out:
        emit_json(figures)
        return
    for name, value in figures.items():
        err.print(f"{name:>14}: {value}")


def register_model_commands() -> None:
    """`motif data build` and `motif train` (kept in their own module: they join composer and prompts)."""
    from bot.model_commands import data_app, train_command

    app.add_typer(data_app, name="data")
    app.command("train")(train_command)


register_model_commands()


def main() -> None:
    """Entry point for `python -m bot.cli`."""
    app()


if __name__ == "__main__":
    main()
