"""Which music21 corpus pieces become training melodies, and the per-piece job that extracts one.

Each job is small and self-contained (an ABC tune's text, or a file path) so the build can run them in
worker processes, in a fixed order, and count a failure without stopping.
"""

from __future__ import annotations

import math
import signal
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer.learn.abc_notation import normalise_dance, parse_key, parse_tempo_bpm, split_abc
from composer.learn.extract import (
    ExtractError,
    KeyInfo,
    analysed_key,
    extract_line,
    normalise,
    refine_key,
    scale_fit,
    transpose_shift,
)

ABC_SOURCES: tuple[str, ...] = (
    "essenFolksong", "oneills1850", "ryansMammoth", "airdsAirs", "miscFolk", "nottingham-dataset",
)
"""Folk collections in ABC: one melody per tune."""

SCORE_SOURCES: tuple[str, ...] = (
    "bach", "palestrina", "monteverdi", "josquin", "trecento", "ciconia", "luca", "lusitano",
    "beethoven", "mozart", "haydn", "schubert", "schumann_robert", "schumann_clara", "handel",
    "corelli", "cpebach", "chopin", "weber", "verdi", "beach", "joplin", "johnson_j_r", "liliuokalani",
)
"""Scores whose first (top) part carries the tune: chorale soprano, cantus, first violin, right hand."""

COLLECTION_TERMS: dict[str, str] = {
    "essenFolksong": "non-commercial: Ewa Dahlig-Turek's permission for distribution and use in music21",
    "josquin": "GNU GPL (encodings by Laura E. Conrad)",
    "palestrina": "Copyright 2000 John Miller; his Humdrum database licence",
    "bach": "public-domain compositions; some encodings Copyright 1994 CCARH, under its licensing agreement",
    "monteverdi": "some encodings (c) Ut Orpheus Edizioni 2003",
    "ciconia": "CC-BY-SA 3.0 (Michael Scott Cuthbert)", "luca": "CC-BY-SA 3.0 (Michael Scott Cuthbert)",
    "corelli": "CC-BY", "beach": "engraving CC-BY-SA", "weber": "released to the public domain in 1998",
}
"""The terms marked in music21 10.5.1's files per collection (DATA.md has the whole table); a collection not
named carries no licence in its files (public-domain tunes and compositions)."""
DEFAULT_TERMS = "no licence in the files; public-domain tunes and compositions (see DATA.md)"

SCORE_SUFFIXES: tuple[str, ...] = (".mxl", ".krn", ".xml", ".musicxml", ".mid", ".midi", ".abc")

SOURCE_TEMPO_BPM: dict[str, int] = {
    "essenFolksong": 100, "oneills1850": 112, "ryansMammoth": 112, "airdsAirs": 96, "miscFolk": 110,
    "nottingham-dataset": 112, "bach": 76, "palestrina": 72, "monteverdi": 80, "midi": 110,
}
DANCE_TEMPO_BPM: dict[str, int] = {
    "reel": 200, "jig": 180, "slip_jig": 170, "hornpipe": 160, "polka": 200, "waltz": 150,
    "march": 112, "slide": 200, "strathspey": 120, "air": 72,
}
DEFAULT_TEMPO_BPM = 100
JOB_TIMEOUT_S = 60
KEY_FIT_OK = 0.9
"""Share of notes (by duration) inside the declared key's scale above which the declaration is trusted."""


@dataclass(frozen=True)
class Job:
    """One piece to extract: an ABC tune's text (`abc_text`) or a score file (`path`)."""

    piece_id: str
    source: str
    path: str
    abc_text: str | None = None
    abc_fields: tuple[tuple[str, str], ...] = ()


def corpus_root() -> Path:
    """The directory of music21's bundled corpus."""
    from music21 import corpus

    return Path(corpus.__file__).parent


def list_jobs(limit_per_source: int | None = None, midi_dir: Path | None = None,
              sources: tuple[str, ...] | None = None) -> list[Job]:
    """All extraction jobs in a fixed order: ABC collections, then scores, then the user's MIDI folder.

    `sources` keeps only the named collections ("midi" names the MIDI folder).
    """
    root = corpus_root()
    wanted = set(sources) if sources is not None else None
    jobs: list[Job] = []
    for source in ABC_SOURCES:
        if wanted is not None and source not in wanted:
            continue
        found = [job for path in sorted((root / source).glob("*.abc")) for job in abc_file_jobs(path, source)]
        jobs.extend(found[:limit_per_source] if limit_per_source else found)
    for source in SCORE_SOURCES:
        if wanted is not None and source not in wanted:
            continue
        files = sorted(p for p in (root / source).rglob("*") if p.suffix.lower() in SCORE_SUFFIXES)
        files = [p for p in files if "choraleAnalyses" not in p.parts]
        found = [Job(str(p.relative_to(root)), source, str(p)) for p in files]
        jobs.extend(found[:limit_per_source] if limit_per_source else found)
    if midi_dir is not None and (wanted is None or "midi" in wanted):
        files = sorted(p for p in Path(midi_dir).rglob("*") if p.suffix.lower() in (".mid", ".midi"))
        found = [Job(f"midi/{p.relative_to(midi_dir)}", "midi", str(p)) for p in files]
        jobs.extend(found[:limit_per_source] if limit_per_source else found)
    return jobs


def abc_file_jobs(path: Path, source: str) -> Iterator[Job]:
    """One job per tune of an ABC file; ids are the corpus-relative path plus the tune's X: number."""
    root = corpus_root()
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    rel = str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else Path(path).name
    for tune in split_abc(text):
        fields = tuple(sorted(tune.fields.items()))
        yield Job(f"{rel}#{tune.number}", source, str(path), tune.text, fields)


def run_job(job: Job) -> tuple[str, dict[str, Any] | str]:
    """Extract one piece: ("ok", record) or ("skip", reason). Never raises, never hangs past the timeout."""
    previous = signal.signal(signal.SIGALRM, _on_timeout)
    signal.alarm(JOB_TIMEOUT_S)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", extract_record(job)
    except ExtractError as exc:
        return "skip", str(exc)
    except Exception as exc:  # noqa: BLE001 - a corpus file can fail in any music21 code path
        return "skip", f"{type(exc).__name__}: {str(exc)[:80]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _on_timeout(signum: int, frame: object) -> None:
    raise TimeoutError(f"took longer than {JOB_TIMEOUT_S}s")


def extract_record(job: Job) -> dict[str, Any]:
    """The melody record of one job (see `composer.melody.corpus.Melody` for the fields)."""
    from music21 import converter

    fields = dict(job.abc_fields)
    if job.abc_text is not None:
        if fields.get("M", "").lower() in ("", "none"):
            raise ExtractError("no meter")
        score = converter.parse(job.abc_text, format="abc")
    else:
        score = converter.parse(job.path)
    parts = list(getattr(score, "parts", [])) or [score]
    line = extract_line(parts[0])
    key = _key_of(score, fields, line.notes)
    notes = normalise(line, key)
    end_ql = max(onset + dur for _, onset, dur in notes)
    dance = normalise_dance(fields.get("R"))
    record: dict[str, Any] = {
        "id": job.piece_id,
        "source": job.source,
        "title": fields.get("T") or _score_title(score, job.path),
        "meter": line.meter,
        "mode": key.mode,
        "tonic_pc": key.tonic_pc,
        "tempo_bpm": _tempo_bpm(fields, job.source, dance),
        "dance": dance,
        "bars": int(math.ceil(end_ql / line.bar_ql - 1e-6)),
        "pickup_ql": line.pickup_ql,
        "notes": [[p, o, d] for p, o, d in notes],
    }
    if job.source == "bach" and len(parts) >= 4:
        record["bass"] = _bass(parts[-1], key)
    return record


def _key_of(score: Any, fields: dict[str, str], notes: list[tuple[int, float, float]]) -> KeyInfo:
    """The declared ABC key (mode read from the final), unless analysis fits the notes clearly better.

    Why the check: Essen's K: is often a bare signature that does not match the tune's pitches.
    """
    declared = parse_key(fields["K"]) if fields.get("K") else None
    if declared is None:
        return analysed_key(score)
    key = refine_key(KeyInfo(*declared), notes[-1][0] % 12)
    fit = scale_fit(notes, key)
    if fit >= KEY_FIT_OK:
        return key
    other = analysed_key(score)
    return other if scale_fit(notes, other) > fit + 0.05 else key


def _tempo_bpm(fields: dict[str, str], source: str, dance: str | None) -> int:
    stated = parse_tempo_bpm(fields["Q"]) if fields.get("Q") else None
    if stated is not None:
        return stated
    if dance in DANCE_TEMPO_BPM:
        return DANCE_TEMPO_BPM[dance]
    return SOURCE_TEMPO_BPM.get(source, DEFAULT_TEMPO_BPM)


def _score_title(score: Any, path: str) -> str:
    title = getattr(getattr(score, "metadata", None), "title", None)
    return str(title) if title else Path(path).stem


def _bass(part: Any, key: KeyInfo) -> list[list[float]] | None:
    try:
        line = extract_line(part)
    except ExtractError:
        return None
    shift = transpose_shift(key)
    return [[p + shift, o, d] for p, o, d in line.notes]
