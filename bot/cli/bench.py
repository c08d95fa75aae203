"""Benchmarks: how fast and how big Motif is, measured the way a user meets it (`make bench`, `motif bench`).

Warm figures compose 8-bar pieces over a spread of styles in this process (models already loaded); the cold
figures time fresh `motif compose` subprocesses (`cold_s` with every file, `cold_midi_s` the median of three
without audio or pictures); the batch figure a fresh `motif compose --batch`. Timings
never live in tests, where a slow CI machine would make them flaky.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.settings import soundfont_setting
from bot.studio import Studio, StudioConfig, default_engine, open_studio
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from prompts import ParseConfig, parse
from storage import Store

BENCH_PROMPTS: tuple[str, ...] = (
    "moody jazz in D minor, 8 bars",
    "happy pop song in G with drums, 8 bars",
    "bossa nova in Bb, 8 bars",
    "a celtic reel in D, 8 bars",
    "dark cinematic strings in C minor, 8 bars",
    "lofi hip hop beat, 8 bars",
    "baroque chorale in F, 8 bars",
    "12-bar blues in E",
    "a gentle waltz for piano, 8 bars",
    "energetic rock in A with drums, 8 bars",
)


@dataclass(frozen=True)
class BenchConfig:
    """How many runs, and which of the slower subprocess figures to take."""

    runs: int = 20
    cold: bool = True
    batch_size: int = 50
    engine: str | None = None
    remix: bool = False


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy would give."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def time_midi(prompt: str, seed: int, studio: Studio) -> float:
    """Prompt -> MIDI bytes, in ms: parse, compose, write MIDI (no files, no store)."""
    start = time.perf_counter()
    spec = parse(prompt, ParseConfig())
    spec = dataclasses.replace(spec, seed=seed)
    piece_to_midi_bytes(compose_original(spec, studio.melody_source, studio.originality_index).piece)
    return (time.perf_counter() - start) * 1000


async def warm_figures(config: BenchConfig, workdir: Path) -> dict[str, float]:
    """p50/p95 of MIDI-only and all-artifact compositions in one warm process."""
    store = await Store.open(workdir / "bench.db")
    try:
        studio_config = StudioConfig(out_dir=workdir / "out", db_path=workdir / "bench.db",
                                     engine=config.engine or default_engine(), soundfont=soundfont_setting())
        studio = Studio(studio_config, store)
        await studio.compose(BENCH_PROMPTS[0], seed=0)  # warm-up: load models, fonts, soundfont cache
        midi_ms, all_ms = [], []
        for run in range(config.runs):
            prompt = BENCH_PROMPTS[run % len(BENCH_PROMPTS)]
            midi_ms.append(time_midi(prompt, run, studio))
            start = time.perf_counter()
            await studio.compose(prompt, seed=run)
            all_ms.append((time.perf_counter() - start) * 1000)
    finally:
        await store.close()
    return {
        "midi_p50_ms": round(percentile(midi_ms, 50), 1),
        "midi_p95_ms": round(percentile(midi_ms, 95), 1),
        "all_p50_ms": round(percentile(all_ms, 50), 1),
        "all_p95_ms": round(percentile(all_ms, 95), 1),
        "all_mean_ms": round(statistics.fmean(all_ms), 1),
    }


REMIX_KINDS: dict[str, str] = {
    "tempo": "faster", "key": "transpose to E", "meter": "in 3/4", "length": "make it 12 bars",
    "instrument": "swap the piano for a rhodes", "add_instrument": "add strings", "drums": "add drums",
    "style": "make it bossa nova", "mood": "darker", "density": "busier", "register": "up an octave",
    "variation": "another take", "vary_bars": "vary bars 5-8", "continuation": "continue for 8 bars",
    "harmonise": "harmonise",
}


async def remix_figures(config: BenchConfig, workdir: Path, runs: int = 5) -> dict[str, float]:
    """p50 ms of a remix per edit kind (parse, remix, originality, store, MIDI; no audio or pictures)."""
    studio_config = StudioConfig(out_dir=workdir / "remix", db_path=workdir / "remix.db", want_audio=False,
                                 want_images=False, engine=config.engine or default_engine())
    figures = {}
    async with open_studio(studio_config) as studio:
        root = await studio.compose("a gentle folk song in G for piano, 8 bars", seed=1)
        await studio.remix(root.id, "faster")  # warm-up
        for kind, instruction in REMIX_KINDS.items():
            times = []
            for run in range(runs):
                start = time.perf_counter()
                await studio.remix(root.id, instruction, seed=run)
                times.append((time.perf_counter() - start) * 1000)
            figures[f"remix_{kind}_p50_ms"] = round(percentile(times, 50), 1)
    return figures


def motif_subprocess(args: list[str], workdir: Path) -> float:
    """Run `motif ARGS` in a fresh interpreter; returns wall seconds. Raises if it fails."""
    env = dict(os.environ, MOTIF_DB=str(workdir / "sub.db"))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                          timeout=900)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"motif {' '.join(args[:2])} failed: {proc.stderr[-500:]}")
    return elapsed


def cold_seconds(workdir: Path, engine: str) -> float:
    """A first `motif compose` in a new process, all artifacts, models and encoder loaded from disk."""
    return motif_subprocess(["compose", BENCH_PROMPTS[0], "--json", "--engine", engine, "--out",
                             str(workdir / "cold")], workdir)


COLD_RUNS = 3
"""Fresh processes timed for `cold_midi_s` (its median, so one slow start on a busy machine does not count)."""


def cold_midi_seconds(workdir: Path, engine: str, runs: int = COLD_RUNS) -> float:
    """Median wall seconds of a first `motif compose` in a new process writing 8 bars without audio or pictures.

    What a user waits for when they only want the MIDI: interpreter start, imports, loading the melody model
    and whatever the prompt needs (the benchmark prompt is one the rules read whole, so no text-encoder
    lookup), composing, and writing the files; each run gets its own store, as a first run would."""
    times = [motif_subprocess(["compose", BENCH_PROMPTS[0], "--json", "--no-audio", "--no-images", "--engine", engine,
                               "--out", str(workdir / "cold-midi"), "--db", str(workdir / f"cold-midi-{run}.db")],
                              workdir) for run in range(runs)]
    return statistics.median(times)


def batch_seconds(size: int, workdir: Path, engine: str) -> float:
    """`motif compose --batch` over `size` prompts with every artifact, in a fresh process."""
    batch = workdir / "batch.txt"
    batch.write_text("\n".join(BENCH_PROMPTS[i % len(BENCH_PROMPTS)] for i in range(size)) + "\n")
    return motif_subprocess(["compose", "--batch", str(batch), "--json", "--engine", engine, "--out",
                             str(workdir / "batch")], workdir)


def run_bench(config: BenchConfig) -> dict[str, float | str]:
    """All figures as one flat dict (design.md section 2 keys plus a few extra)."""
    with tempfile.TemporaryDirectory(prefix="motif-bench-") as tmp:
        workdir = Path(tmp)
        engine = config.engine or default_engine()
        figures: dict[str, float | str] = {"engine": engine}
        figures |= asyncio.run(warm_figures(config, workdir))
        figures["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        if config.remix:
            figures |= asyncio.run(remix_figures(config, workdir))
        if config.cold:
            figures["cold_s"] = round(cold_seconds(workdir, engine), 2)
            figures["cold_midi_s"] = round(cold_midi_seconds(workdir, engine), 2)
        if config.batch_size:
            figures[f"batch{config.batch_size}_s"] = round(batch_seconds(config.batch_size, workdir, engine), 2)
    return figures


