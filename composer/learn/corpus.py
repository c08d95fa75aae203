"""The training melodies: build them from the music21 corpus into one compact file (offline).

`python -m composer.learn.corpus build` parses every usable corpus piece (see `sources`) in worker
processes and writes one JSON line per melody to `composer/data/melodies.jsonl.gz`, normalised to
C major / A minor, plus `melodies.meta.json` with counts. The file is committed, so nothing else needs
music21's slow parsing at run time; `composer.melody.corpus.load_melodies` reads it back in a few
seconds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from composer.melody.corpus import DEFAULT_PATH


@dataclass
class BuildSummary:
    """What a build did, per source: pieces kept, skipped (with reasons), duplicates, notes."""

    ok: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        sources = sorted(set(self.ok) | set(self.skipped))
        return {
            "sources": {
                s: {"ok": self.ok[s], "skipped": self.skipped[s], "duplicates": self.duplicates[s],
                    "notes": self.notes[s], "skip_reasons": dict(self.reasons[s].most_common(8))}
                for s in sources
            },
            "total": {"ok": sum(self.ok.values()), "skipped": sum(self.skipped.values()),
                      "duplicates": sum(self.duplicates.values()), "notes": sum(self.notes.values())},
            "build_seconds": round(self.seconds, 1),
        }


CODE_FILES: tuple[str, ...] = ("corpus.py", "abc_notation.py", "extract.py", "sources.py")
"""The extraction code (in this folder): a build older than any of them is stale."""


def _code_mtime() -> float:
    here = Path(__file__).parent
    return max((here / name).stat().st_mtime for name in CODE_FILES)


def is_fresh(out: Path) -> bool:
    """True when `out` exists and is newer than the extraction code (so a rebuild would change nothing)."""
    return out.exists() and out.stat().st_mtime > _code_mtime()


def build(out: Path = DEFAULT_PATH, limit: int | None = None, workers: int = 2,
          midi_dir: Path | None = None, force: bool = False, progress: bool = True,
          sources: tuple[str, ...] | None = None) -> BuildSummary | None:
    """Extract every job into `out` (gzipped JSON lines) and write `<name>.meta.json` beside it.

    Returns None when the cached file is fresh and `force` is off. Failures are counted, never fatal;
    identical melodies (O'Neill's has overlapping files) are kept once, the first in job order.
    """
    from composer.learn.sources import list_jobs, run_job

    out = Path(out)
    if not force and is_fresh(out):
        return None
    started = time.monotonic()
    jobs = list_jobs(limit, midi_dir, sources)
    summary = BuildSummary()
    seen: set[str] = set()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as handle, _Progress(len(jobs), progress) as bar:
        for job, (status, payload) in zip(jobs, _run_all(jobs, run_job, workers), strict=True):
            bar.advance(job.source)
            if status != "ok":
                summary.skipped[job.source] += 1
                summary.reasons[job.source][str(payload).split(":")[0][:60]] += 1
                continue
            assert isinstance(payload, dict)
            digest = hashlib.sha1(json.dumps(payload["notes"]).encode()).hexdigest()
            if digest in seen:
                summary.duplicates[job.source] += 1
                continue
            seen.add(digest)
            summary.ok[job.source] += 1
            summary.notes[job.source] += len(payload["notes"])
            handle.write(json.dumps(payload, separators=(",", ":"), ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    summary.seconds = time.monotonic() - started
    _write_meta(out, summary)
    return summary


def _run_all(jobs: list, run_job: Any, workers: int) -> Any:
    """Results in job order; a pool of `workers` processes, or inline when workers <= 1."""
    if workers <= 1:
        yield from map(run_job, jobs)
        return
    with get_context("fork").Pool(workers, maxtasksperchild=500) as pool:
        yield from pool.imap(run_job, jobs, chunksize=4)


def _write_meta(out: Path, summary: BuildSummary) -> None:
    import music21

    meta = summary.to_dict()
    meta.update({"music21_version": music21.__version__, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                 "file": out.name, "file_bytes": out.stat().st_size})
    meta_path = out.with_name(out.name.split(".")[0] + ".meta.json")
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


class _Progress:
    """A rich progress bar on a terminal, a line every 500 pieces in a log, nothing when disabled."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self._bar, self._task = total, enabled, None, None
        self.done, self.started = 0, time.monotonic()

    def __enter__(self) -> _Progress:
        if self.enabled and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn())
            self._bar.__enter__()
            self._task = self._bar.add_task("corpus", total=self.total)
        return self

    def advance(self, source: str) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=source)
        elif self.enabled and (self.done % 500 == 0 or self.done == self.total):
            elapsed = time.monotonic() - self.started
            print(f"{self.done}/{self.total} pieces ({source}) {elapsed:.0f}s", flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def build_corpus(out: Path = DEFAULT_PATH, limit: int | None = None, workers: int = 2, midi_dir: Path | None = None,
                 force: bool = False, progress: bool = True, sources: tuple[str, ...] | None = None) -> BuildSummary | None:
    """`build`, then what a person running it reads: the per-source table, or why nothing was rebuilt.

    What `motif data build` and `python -m composer.learn.corpus build` both run."""
    summary = build(out, limit, workers, midi_dir, force, progress, sources)
    if summary is None:
        print(f"{out} is newer than the extraction code; use --force to rebuild")
    else:
        print_summary(summary)
    return summary


def print_summary(summary: BuildSummary) -> None:
    """A build's pieces kept, skipped, duplicated and notes per source, as a table on stdout."""
    from rich.console import Console
    from rich.table import Table

    data = summary.to_dict()
    table = Table(title=f"corpus build ({data['build_seconds']} s)")
    for column in ("source", "ok", "skipped", "duplicates", "notes"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, row in data["sources"].items():
        table.add_row(source, *(str(row[k]) for k in ("ok", "skipped", "duplicates", "notes")))
    total = data["total"]
    table.add_row("TOTAL", *(str(total[k]) for k in ("ok", "skipped", "duplicates", "notes")))
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m composer.learn.corpus build [--out P] [--limit N] [--workers 2] [--midi-dir D]`."""
    parser = argparse.ArgumentParser(prog="python -m composer.learn.corpus")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("build", help="extract the corpus melodies")
    cmd.add_argument("--out", type=Path, default=DEFAULT_PATH)
    cmd.add_argument("--limit", type=int, default=None, help="at most N pieces per source")
    cmd.add_argument("--workers", type=int, default=2)
    cmd.add_argument("--midi-dir", type=Path, default=None)
    cmd.add_argument("--force", action="store_true")
    cmd.add_argument("--no-progress", action="store_true")
    cmd.add_argument("--source", action="append", default=None, help="only this collection (repeatable)")
    args = parser.parse_args(argv)
    sources = tuple(args.source) if args.source else None
    build_corpus(args.out, args.limit, args.workers, args.midi_dir, args.force, not args.no_progress, sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
