"""`motif data`, `motif train` and `motif eval`: building the corpus data, training and judging the model.

They live at the edge because training joins two packages: the composer's model and data, and the prompt
side's text encoder (captions are embedded with the same MiniLM that reads users' prompts).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err = Console(stderr=True)
data_app = typer.Typer(help="Build the shipped data (melodies, grooves, Markov tables, originality index); see DATA.md.",
                       no_args_is_help=True)


@data_app.command("build")
def data_build(
    what: Annotated[str, typer.Argument(help="melodies (the corpus) or grooves (MMA's groove library).")] = "melodies",
    out: Annotated[Path | None, typer.Option("--out", help="Melodies (or grooves) file to write.")] = None,
    midi_dir: Annotated[Path | None, typer.Option("--midi-dir", help="Also read every MIDI file here.")] = None,
    workers: Annotated[int, typer.Option("--workers")] = 2,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N pieces per source.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the file is fresh.")] = False,
) -> None:
    """Parse the corpus (and --midi-dir) into the compact melodies file the models train on; with `grooves`,
    render MMA's groove library (Debian's mma package, fetched into build/grooves) into chord-relative patterns."""
    if what == "grooves":
        _build_grooves(out, workers, limit)
        return
    if what != "melodies":
        raise typer.BadParameter(f"unknown data {what!r}; expected melodies or grooves")
    from composer.learn.corpus import build_corpus
    from composer.melody.corpus import DEFAULT_PATH

    build_corpus(out or DEFAULT_PATH, limit or None, workers, midi_dir, force)


def _build_grooves(out: Path | None, workers: int, limit: int | None) -> None:
    from composer.learn.grooves import GROOVE_TEXTS_PATH, GROOVES_PATH, build_grooves
    from prompts.encoder import get_encoder

    texts_out = (out.parent / GROOVE_TEXTS_PATH.name) if out else GROOVE_TEXTS_PATH
    with _progress("rendering grooves") as progress:
        task = progress.add_task("", total=None)
        build = build_grooves(out or GROOVES_PATH, workers=workers, limit=limit,
                              on_total=lambda total: progress.update(task, total=total),
                              progress=lambda n, name: progress.update(task, advance=n, description=name),
                              embed=get_encoder().embed, texts_out=texts_out)
    package = build.package
    err.print(f"mma {package.version} (sha256 {package.sha256}): {build.kept} grooves, {len(build.failed)} failed, "
              f"{build.bytes:,} bytes -> {build.out}; {build.texts} groove texts embedded -> {texts_out}",
              highlight=False, markup=False)
    for line in build.failed[:10]:
        err.print(f"  failed: {line}", highlight=False, markup=False)


@data_app.command("leads")
def data_leads(
    source: Annotated[list[str] | None, typer.Option("--source", help="Only this source (openmsx, freedoom, lmms, "
                                                      "blupi, musescore, pingus); repeatable.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write (default composer/data/leads).")] = None,
    build_dir: Annotated[Path | None, typer.Option("--build-dir", help="Where packages are downloaded and "
                                                   "unpacked (default build/debian).")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Only print the files' totals per family, as JSON.")] = False,
) -> None:
    """Lead lines (and the chords under them) from Debian's music packages, fetched with apt-get download
    (sha256 checked) and unpacked with dpkg-deb: one file per source and licence; see DATA.md."""
    import json

    from composer.learn.debian.build import build_leads, summarise
    from composer.learn.debian.packages import BUILD_DIR
    from composer.melody.corpus import LEADS_DIR

    if summary:
        print(json.dumps(summarise(out or LEADS_DIR)))
        return
    for meta in build_leads(out or LEADS_DIR, tuple(source) if source else None, build_dir or BUILD_DIR):
        families = ", ".join(f"{name} {row['pieces']}" for name, row in meta["families"].items())
        err.print(f"{meta['file']} ({meta['licence']}): {meta['pieces']} pieces, {meta['phrases']} phrases, "
                  f"{meta['notes']:,} notes, {len(meta['skipped'])} skipped; {families}", highlight=False, markup=False)


@data_app.command("originality")
def data_originality(
    melodies: Annotated[Path | None, typer.Option("--melodies", help="Melodies file to index.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Index file to write (.npz).")] = None,
) -> None:
    """Rebuild the originality index (composer/data/originality.npz) from the melodies file."""
    from composer.melody.corpus import DEFAULT_PATH, load_melodies
    from composer.originality import INDEX_PATH, OriginalityIndex

    rows = load_melodies(melodies or DEFAULT_PATH)
    target = out or INDEX_PATH
    OriginalityIndex.from_melodies((melody.id, melody.notes) for melody in rows).save(target)
    err.print(f"indexed {len(rows)} melodies into {target}", highlight=False, markup=False)


@data_app.command("markov")
def data_markov(
    melodies: Annotated[Path | None, typer.Option("--melodies", help="Melodies file to train on.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Tables file to write (.json.gz).")] = None,
) -> None:
    """Retrain the Markov baseline's tables (composer/data/markov.json.gz) on the melodies' train split."""
    import json

    from composer.melody.markov import DEFAULT_MODEL_PATH, build_markov

    print(json.dumps(build_markov(melodies, out or DEFAULT_MODEL_PATH)))


def train_command(
    seed: Annotated[int, typer.Option("--seed")] = 1234,
    max_steps: Annotated[int, typer.Option("--max-steps")] = 4000,
    limit: Annotated[int | None, typer.Option("--limit", help="Train on the first N melodies only.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Checkpoint folder.")] = None,
    n_layer: Annotated[int, typer.Option("--layers")] = 4,
    n_embd: Annotated[int, typer.Option("--width")] = 192,
    eval_every: Annotated[int, typer.Option("--eval-every")] = 200,
    lr: Annotated[float, typer.Option("--lr", help="Peak learning rate.")] = 1.5e-3,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the weights in the checkpoint folder.")] = False,
    init_from: Annotated[Path | None, typer.Option("--init-from", help="Warm start from this checkpoint folder.")] = None,
    leads: Annotated[bool, typer.Option("--leads/--no-leads", help="Train on the Debian lead lines too.")] = True,
    balance: Annotated[float, typer.Option("--balance", help="Repeat thin genre families' examples by "
                                           "(largest / family) ** this (0: the data as it is).")] = 0.0,
) -> None:
    """Train the melody model on the corpus melodies and lead lines (CPU), keeping the best checkpoint."""
    import json

    from composer.learn.dataset import build_examples, family_counts, training_melodies
    from composer.learn.train import CHECKPOINT_DIR, TrainConfig, train
    from composer.melody.model import ModelConfig
    from composer.melody.tokens import MotifTokenizer
    from prompts.encoder import get_encoder

    tokenizer = MotifTokenizer()
    config = TrainConfig(ModelConfig(vocab_size=len(tokenizer), n_layer=n_layer, n_embd=n_embd), seed=seed,
                         max_steps=max_steps, eval_every=eval_every, lr=lr, resume=resume,
                         init_from=str(init_from) if init_from else None, balance=balance)
    encoder = get_encoder()
    splits = {name: training_melodies(name, leads)[:limit] for name in ("train", "valid")}
    examples = {}
    for name, melodies in splits.items():
        with _progress(f"tokenising {name}") as progress:
            task = progress.add_task("", total=len(melodies))
            examples[name] = build_examples(melodies, tokenizer, encoder.embed, seed, config.model.max_tokens,
                                            progress=lambda n, t=task: progress.advance(t, n))
    err.print(f"{len(examples['train'])} training and {len(examples['valid'])} validation sequences")
    err.print("per genre family: " + json.dumps({name: family_counts(rows) for name, rows in examples.items()}),
              highlight=False, markup=False)
    started = time.perf_counter()
    report = train(config, tokenizer, examples["train"], examples["valid"], out or CHECKPOINT_DIR,
                   log=lambda line: err.print(line, highlight=False))
    err.print(f"done in {(time.perf_counter() - started) / 60:.1f} min: best valid loss "
              f"{report.best_valid_loss:.4f} at step {report.best_step}, {report.valid_bits_per_note:.3f} bits/note")


def eval_command(
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    pieces: Annotated[int, typer.Option("--pieces", help="Held-out windows scored.")] = 200,
    stats_pieces: Annotated[int, typer.Option("--stats-pieces", help="Windows generated for statistics.")] = 400,
    control_seeds: Annotated[int, typer.Option("--control-seeds", help="Seeds per control-suite prompt.")] = 1,
    only: Annotated[str | None, typer.Option(
        "--only", help="Comma-separated sections to run: bits, stats, control, chords, form_idiom, genre, "
                       "text_probe, grooves (default: all).")] = None,
) -> None:
    """Evaluate the learned model against the Markov baseline (bits/note, statistics, control, latency, form
    and idiom, genre heard by a classifier, the text-only probe, the groove checks)."""
    import json
    import sys
    import tempfile
    from contextlib import asynccontextmanager

    from bot.cli.evaluation import EvalConfig, EvalError, engine_studio_factory, run_eval, sections_of
    from bot.settings import soundfont_setting
    from bot.studio import StudioConfig, load_melody_source, open_studio

    try:
        sections = sections_of(only)
    except EvalError as exc:
        raise typer.BadParameter(str(exc), param_hint="--only") from None

    source = load_melody_source("model")
    workdir = Path(tempfile.mkdtemp(prefix="motif-eval-"))

    @asynccontextmanager
    async def studio_factory():
        config = StudioConfig(out_dir=workdir / "out", db_path=workdir / "eval.db", engine="model",
                              soundfont=soundfont_setting())
        async with open_studio(config, source) as studio:
            yield studio

    review = {engine: engine_studio_factory(engine, workdir / "review", source if engine == "model" else None)
              for engine in ("model", "markov")}
    report = run_eval(EvalConfig(pieces=pieces, stats_pieces=stats_pieces, control_seeds=control_seeds),
                      studio_factory, source, source.embed, review, sections)
    if json_out:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        err.print_json(json.dumps(report))


def _progress(label: str) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err)


def eval_families_command(
    checkpoint: Annotated[list[str], typer.Option(
        "--checkpoint", help="NAME=DIR, a checkpoint folder to score (repeatable: old=..., new=...).")],
    windows: Annotated[int, typer.Option("--windows", help="Corpus test windows to sample.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the corpus sample.")] = 0,
) -> None:
    """Held-out bits per note per genre family, for each checkpoint and the Markov baseline (JSON on stdout):
    the corpus's test split with every lead line of the test split, and the leads' validation split."""
    import json

    import torch

    from composer.learn.evaluate import family_report
    from prompts.encoder import get_encoder

    pairs = [item.split("=", 1) for item in checkpoint]
    if any(len(pair) != 2 or not pair[1] for pair in pairs):
        raise typer.BadParameter("give each checkpoint as NAME=DIR", param_hint="--checkpoint")
    torch.set_num_threads(1)
    print(json.dumps(family_report(dict(pairs), get_encoder().embed, windows, seed), indent=1))
