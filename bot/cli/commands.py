"""`motif parse`, `motif compose`, `motif bench` and `motif bot`, and the `app` every other command joins
(`motif worker` lives in `worker.py`).

With `--json`, stdout carries only JSON objects, one per line; everything for people goes to stderr, so
scripts can pipe the output. Bad input exits with code 2 and an `{"error": ...}` object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import (
    AudioOpt,
    DbOpt,
    EngineOpt,
    JsonOpt,
    NoAudioOpt,
    NoImagesOpt,
    OutOpt,
    SeedOpt,
    UserOpt,
    emit_json,
    err,
    exit_code,
    fail,
    local_user,
    run_reported,
    run_store,
    studio_config,
)
from bot.cli.summary import print_spec
from prompts import ParseConfig, ParseError, parse

app = typer.Typer(
    name="motif",
    help="Motif composes music with you: a prompt in, MIDI, MusicXML, audio, a score and a piano roll out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    audio_format: AudioOpt = "ogg",
    no_audio: NoAudioOpt = False,
    no_images: NoImagesOpt = False,
    engine: EngineOpt = None,
    user: UserOpt = None,
) -> None:
    """Compose from a prompt (or from every line of --batch FILE) and write the files."""
    if (prompt is None) == (batch is None):
        raise fail("give either a PROMPT or --batch FILE (one of them)", json_out)
    texts = [prompt] if prompt is not None else _read_batch(batch, json_out)
    config = studio_config(out, db, json_out, audio_format, no_audio, no_images, engine)
    outcomes = run_store(_compose_all(config, texts, seed, json_out, local_user(user), batch is not None), json_out)
    if exit_code(outcomes):
        raise typer.Exit(exit_code(outcomes))


def _read_batch(path: Path | None, as_json: bool) -> list[str]:
    assert path is not None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read batch file {path}: {exc}", as_json) from None
    texts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not texts:
        raise fail(f"batch file {path} has no prompts", as_json)
    return texts


async def _compose_all(config, texts: list[str], seed: int | None, as_json: bool, author: str,
                       is_batch: bool) -> list[str]:
    """Compose every prompt with one studio (models loaded once); returns each line's outcome.

    Whatever goes wrong on one line (a bad prompt, a failed render, a bug) is reported on that line and the
    batch goes on. In a batch each id is announced as soon as its generation is stored, before its files are
    rendered, so a user knows what is in the store even when a later stage fails."""
    from bot.studio import Who, open_studio

    outcomes: list[str] = []
    progress = Progress(
        TextColumn("[bold]composing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err, disable=as_json or not is_batch,
    )
    async with open_studio(config) as studio:
        if is_batch and not as_json:
            studio.on_stored = lambda generation: err.print(f"stored [bold]{generation.id}[/]", highlight=False)
        with progress:
            task = progress.add_task("", total=len(texts))
            for index, text in enumerate(texts):
                progress.update(task, description=escape(text[:40]))
                line_seed = None if seed is None else seed + index
                job = studio.compose(text, seed=line_seed, who=Who(author=author))
                outcomes.append(await run_reported(job, text, as_json))
                progress.advance(task)
    return outcomes


@app.command("bench")
def bench_command(
    json_out: JsonOpt = False,
    runs: Annotated[int, typer.Option("--runs", help="Warm compositions to time.")] = 20,
    cold: Annotated[bool, typer.Option("--cold/--no-cold", help="Time a cold `motif compose`.")] = True,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Prompts in the timed batch (0: skip).")] = 50,
    engine: EngineOpt = None,
    remix: Annotated[bool, typer.Option("--remix", help="Also time a remix of each edit kind.")] = False,
) -> None:
    """Measure latency (warm p50/p95 for 8 bars, cold start, a batch) and peak memory."""
    from bot.cli.bench import BenchConfig, run_bench

    figures = run_bench(BenchConfig(runs=max(1, runs), cold=cold, batch_size=max(0, batch_size), engine=engine,
                                    remix=remix))
    if json_out:
        emit_json(figures)
        return
    for name, value in figures.items():
        err.print(f"{name:>14}: {escape(str(value))}")


def bot_command(
    env_file: Annotated[Path, typer.Option("--env-file", help="A .env file with DISCORD_TOKEN.")] = Path(".env"),
    external_queue: Annotated[bool, typer.Option(
        "--external-queue/--local-queue", envvar="MOTIF_EXTERNAL_QUEUE",
        help="Leave every job to `motif worker` processes (PostgreSQL store): this process runs the gateway only.",
    )] = False,
    shards: Annotated[str | None, typer.Option(
        "--shards", help="Gateway shards: a number, or auto (what Discord recommends); default MOTIF_SHARDS, "
        "else one unsharded connection.",
    )] = None,
    shard_ids: Annotated[str | None, typer.Option(
        "--shard-ids", help="The shards this process connects, e.g. 0,1 or 0-3 (other processes run the rest; "
        "PostgreSQL store); default MOTIF_SHARD_IDS, else all.",
    )] = None,
) -> None:
    """Run Motif's Discord bot (DISCORD_TOKEN from the environment or `.env`; see docs/discord.md)."""
    from bot.discord_app import bot_command as run  # discord.py loads only for this command

    run(env_file, external_queue, shards, shard_ids)


def register_commands() -> None:
    """Commands kept in their own modules: iterating on pieces, data and training."""
    from bot.cli.iterate import register as register_iterate
    from bot.cli.learn import data_app, eval_command, eval_families_command, train_command
    from bot.cli.worker import worker_command

    register_iterate(app)
    app.command("bot")(bot_command)
    app.command("worker")(worker_command)
    app.add_typer(data_app, name="data")
    app.command("train")(train_command)
    app.command("eval")(eval_command)
    app.command("eval-families")(eval_families_command)


register_commands()


def main() -> None:
    """Entry point for `python -m bot.cli` (bot/cli/__main__.py)."""
    app()
