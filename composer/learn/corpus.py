"""The training melodies: build them from the music21 corpus into compact files (offline).

`python -m composer.learn.corpus build` parses every usable corpus piece (see `sources`) in worker
processes and writes one JSON line per melody, normalised to C major / A minor, into one file per
collection in `composer/data/melodies/` (with an `index.json` giving their order and terms: collections
under different terms, such as Essen's non-commercial permission and Josquin's GPL, never share a file),
plus `melodies.meta.json` with counts. The files are committed, so nothing else needs music21's slow
parsing at run time; `composer.melody.corpus.load_melodies` reads them back in a few seconds. An `--out`
ending in .jsonl.gz writes one file instead (a user's own build).
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

from composer.melody.corpus import DEFAULT_PATH, INDEX_NAME


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
    marker = out / INDEX_NAME if out.is_dir() else out
    return marker.exists() and marker.stat().st_mtime > _code_mtime()


def write_jsonl_gz(path: Path, records: list[dict[str, Any]]) -> None:
    """Records as gzipped JSON lines, atomically, with no timestamp or name in the gzip header, so the same
    records always give the same bytes."""
    text = "".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in records)
    write_gz_bytes(path, text.encode("utf-8"))


def write_gz_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    os.replace(tmp, path)


def split_by_collection(lines_file: Path, out_dir: Path) -> list[dict[str, Any]]:
    """Rewrite one melodies file as one file per collection (`source`) in `out_dir`, the same lines in the
    same order, and an index listing the files in that order with each collection's terms.

    Why: the build's jobs run collection by collection, so each collection's lines are contiguous and
    reading the files in index order gives back the single file's list exactly."""
    from composer.learn.sources import COLLECTION_TERMS, DEFAULT_TERMS

    groups: dict[str, list[bytes]] = {}
    order: list[str] = []
    digest = hashlib.sha256()
    with gzip.open(lines_file, "rb") as handle:
        for line in handle:
            source = json.loads(line)["source"]
            if source in groups and order[-1] != source:
                raise ValueError(f"{lines_file}: collection {source} is not contiguous")
            if source not in groups:
                groups[source] = []
                order.append(source)
            groups[source].append(line)
            digest.update(line)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.jsonl.gz"):
        if stale.name.removesuffix(".jsonl.gz") not in groups:
            stale.unlink()
    entries = []
    for source in order:
        write_gz_bytes(out_dir / f"{source}.jsonl.gz", b"".join(groups[source]))
        entries.append({"file": f"{source}.jsonl.gz", "collection": source, "melodies": len(groups[source]),
                        "terms": COLLECTION_TERMS.get(source, DEFAULT_TERMS)})
    index = {"files": entries, "lines_sha256": digest.hexdigest(),
             "note": "read the files in this order; their lines, concatenated, are the build's melodies"}
    (out_dir / INDEX_NAME).write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return entries


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
    one_file = out.name.endswith(".gz")
    tmp = out.with_name(out.name + (".part" if one_file else ".lines.part"))
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
    if one_file:
        os.replace(tmp, out)
    else:
        split_by_collection(tmp, out)
        tmp.unlink()
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
    files = [out] if out.is_file() else sorted(out.glob("*.jsonl.gz"))
    meta.update({"music21_version": music21.__version__, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                 "file": out.name, "file_bytes": sum(f.stat().st_size for f in files)})
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
