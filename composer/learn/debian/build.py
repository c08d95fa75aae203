"""`motif data leads`: every Debian source's lead lines, one derived file per source and licence.

For each source (`sources.SOURCES`): fetch and unpack its package (`packages`), read each file in a fixed
order with its format's reader, label each piece with its family (`families`), extract its phrases
(`phrases`), drop a piece whose lead line repeats one already kept (Freedoom's two WADs share songs), and
write `composer/data/leads/<file>.jsonl.gz` plus `<file>.meta.json` (the package, version and sha256, the
licence and its notice, counts per family, what was skipped and why). Written without timestamps, so the
same packages give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.learn.corpus import write_jsonl_gz
from composer.learn.debian.families import family_of
from composer.learn.debian.packages import BUILD_DIR, PACKAGES, unpack
from composer.learn.debian.phrases import Labels, song_records
from composer.learn.debian.song import Song
from composer.learn.debian.sources import SOURCES, DebianSource
from composer.melody.corpus import LEADS_DIR


@dataclass
class Output:
    """What goes into one derived file: its records and what was skipped, by piece."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def read_file(source: DebianSource, path: Path, titles: dict[str, str]) -> list[Song]:
    """The songs of one file (a WAD holds many) with the format's reader."""
    data = path.read_bytes()
    if source.kind == "midi":
        from composer.learn.debian.midi import read_midi_bytes

        return [read_midi_bytes(data, path.stem, titles.get(path.name, path.stem))]
    if source.kind == "wad":
        from composer.learn.debian.midi import read_midi_bytes
        from composer.learn.debian.wad import music_lumps

        return [read_midi_bytes(lump.data, lump.name, lump.name) for lump in music_lumps(data)]
    if source.kind == "lmms":
        from composer.learn.debian.lmms import read_project

        return [read_project(data, path.name.split(".")[0], path.name.split(".")[0])]
    if source.kind == "it":
        from composer.learn.debian.tracker import read_it

        return [read_it(data, path.stem)]
    if source.kind == "module":
        from composer.learn.debian.mod import read_mod
        from composer.learn.debian.s3m import read_s3m
        from composer.learn.debian.xm import read_xm

        readers = {".s3m": read_s3m, ".xm": read_xm, ".mod": read_mod}
        return [readers[path.suffix.lower()](data, path.stem)]
    from composer.learn.debian.mscx import read_score

    return [read_score(data, path.stem)]


def source_files(source: DebianSource, root: Path) -> list[Path]:
    """The source's files under its base folder, sorted by relative path (each once)."""
    found = {p for pattern in source.patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: str(p.relative_to(root)))


def obm_titles(root: Path) -> dict[str, str]:
    """OpenMSX's song names, from the `[names]` section of its .obm file (file name -> title)."""
    titles: dict[str, str] = {}
    for obm in sorted(root.glob("*.obm")):
        section = ""
        for line in obm.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("["):
                section = line.strip()
            elif section == "[names]" and "=" in line:
                name, title = line.split("=", 1)
                titles[name.strip()] = title.strip()
    return titles


def extract_source(source: DebianSource, root: Path, progress: bool = True) -> dict[str, Output]:
    """Every piece of one source as records, per licence, in file order; duplicates kept once."""
    outputs: dict[str, Output] = defaultdict(Output)
    seen: set[str] = set()
    titles = obm_titles(root)
    for path in _progress(source_files(source, root), source.name, progress):
        relative = str(path.relative_to(root))
        licence = source.licence_of(relative)
        try:
            songs = read_file(source, path, titles)
        except ValueError as exc:
            outputs[licence].skipped[relative] = str(exc)[:120]
            continue
        for song in songs:
            _add_song(Labels(source.name, family_of(source.name, song.piece) or "", licence), song,
                      outputs[licence], seen)
    return outputs


def _add_song(labels: Labels, song: Song, output: Output, seen: set[str]) -> None:
    """The song's phrases into `output`, unless it has no family label, no lead, or was kept already."""
    if not labels.family:
        output.skipped[song.piece] = "no family label"
        return
    try:
        records = song_records(song, labels)
    except ValueError as exc:
        output.skipped[song.piece] = str(exc)[:120]
        return
    digest = hashlib.sha1(json.dumps([r["notes"] for r in records]).encode()).hexdigest()
    if digest in seen:
        output.skipped[song.piece] = "same lead line as a piece already kept"
        return
    seen.add(digest)
    output.records.extend(records)


def family_counts(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per family: pieces, phrases (records), lead-line notes, bars, bars with a chord, pieces with chords."""
    counts: dict[str, dict[str, int]] = {}
    pieces: dict[str, set[str]] = defaultdict(set)
    chorded: dict[str, set[str]] = defaultdict(set)
    for record in records:
        row = counts.setdefault(record["family"], {"pieces": 0, "phrases": 0, "notes": 0, "bars": 0,
                                                   "bars_with_chords": 0, "pieces_with_chords": 0})
        pieces[record["family"]].add(record["piece"])
        row["phrases"] += 1
        row["notes"] += len(record["notes"])
        row["bars"] += record["bars"]
        with_chord = sum(1 for chord in record["chords"] or [] if chord)
        row["bars_with_chords"] += with_chord
        if with_chord:
            chorded[record["family"]].add(record["piece"])
    for family, row in counts.items():
        row["pieces"], row["pieces_with_chords"] = len(pieces[family]), len(chorded[family])
    return dict(sorted(counts.items()))


def summarise(out_dir: Path = LEADS_DIR) -> dict[str, dict[str, int]]:
    """Per family over every derived file in `out_dir`: the `family_counts` of all their records."""
    records = [json.loads(line) for path in sorted(out_dir.glob("*.jsonl.gz")) for line in gzip.open(path)]
    return family_counts(records)


def write_output(source: DebianSource, licence: str, output: Output, out_dir: Path) -> dict[str, Any]:
    """The derived file and its meta file for one source and licence; returns the meta."""
    package = PACKAGES[source.package]
    terms = source.terms_of(licence)
    path = out_dir / source.output_name(licence)
    write_jsonl_gz(path, output.records)
    meta = {
        "file": path.name, "source": source.name, "package": package.name, "version": package.version,
        "sha256": package.sha256, "licence": licence, "notice": terms.notice,
        "pieces": len({r["piece"] for r in output.records}), "phrases": len(output.records),
        "notes": sum(len(r["notes"]) for r in output.records), "families": family_counts(output.records),
        "skipped": dict(sorted(output.skipped.items())),
        "rebuild": f"motif data leads --source {source.name}",
    }
    meta_path = out_dir / (path.name.removesuffix(".jsonl.gz") + ".meta.json")
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def build_leads(out_dir: Path = LEADS_DIR, only: tuple[str, ...] | None = None, build_dir: Path = BUILD_DIR,
                progress: bool = True) -> list[dict[str, Any]]:
    """Fetch, unpack and extract every source (or the named ones); the metas of the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metas = []
    for source in SOURCES:
        if only and source.name not in only:
            continue
        root = unpack(PACKAGES[source.package], build_dir) / source.base
        outputs = extract_source(source, root, progress)
        for terms in source.terms:
            if terms.licence in outputs:
                metas.append(write_output(source, terms.licence, outputs[terms.licence], out_dir))
    return metas


def _progress(items: list[Path], label: str, enabled: bool) -> Iterator[Path]:
    """The items, with a progress bar on stderr while they are read (none when disabled)."""
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(f"[bold]{label:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True, force_terminal=sys.stderr.isatty())) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)
