"""The tune corpus as the melody sources read it: `Melody` and `load_melodies`.

The melodies are built offline by `composer.learn.corpus` (music21's slow parsing stays there) and committed
as one gzipped JSON-lines file per corpus collection in `composer/data/melodies/`, read in the order its
`index.json` lists (the build order), so collections under different terms (Essen's non-commercial
permission, Josquin's GPL) never share a file. Normalised to C major / A minor; reading them back takes a
few seconds and needs nothing but the standard library, so the Markov source can load them on the request
path. The lead lines from Debian's packages (`composer/data/leads/`, built by `composer.learn.debian`) have
the same schema plus a genre `family`, per-bar `chords`, a `licence` and the `piece` their phrases share.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GRID = 12
"""Onsets and durations are rounded to 1/GRID of a quarter note (covers triplets and sixteenths)."""
DATA_DIR = Path(__file__).parents[1] / "data"
DEFAULT_PATH = DATA_DIR / "melodies"
"""The corpus melodies: a folder of per-collection files and their `index.json`."""
INDEX_NAME = "index.json"
LEADS_DIR = DATA_DIR / "leads"
"""The Debian lead lines: one file per source and licence, each with its `.meta.json`."""
SPLITS: tuple[str, ...] = ("train", "valid", "test")


def normalised_tonic(mode: str) -> int:
    """Pitch class the melodies' build put this mode's tonic on: C for major-like modes, A for minor-like."""
    from prompts.music import MAJOR_THIRD_MODES

    return 0 if mode in MAJOR_THIRD_MODES else 9


class CorpusError(ValueError):
    """The melodies file is missing or malformed, or a split name is unknown."""


@dataclass
class Melody:
    """One normalised corpus melody. Notes are (MIDI pitch, onset, duration) in quarter notes,
    with bar lines at multiples of `bar_quarters` (a pickup sits at the end of bar 0)."""

    id: str
    source: str
    title: str
    meter: str
    mode: str
    tonic_pc: int
    tempo_bpm: int
    dance: str | None
    bars: int
    pickup_ql: float
    notes: list[tuple[int, float, float]]
    bass: list[tuple[int, float, float]] | None = field(default=None, repr=False)
    family: str | None = None
    chords: list[str | None] | None = field(default=None, repr=False)
    licence: str | None = None
    piece: str | None = None

    @property
    def bar_quarters(self) -> float:
        num, den = self.meter.split("/")
        return int(num) * 4.0 / int(den)

    @property
    def split(self) -> str:
        """The split of the whole piece (every phrase of a song lands on the same side)."""
        return split_of(self.piece or self.id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Melody:
        bass = data.get("bass")
        return cls(
            id=data["id"], source=data["source"], title=data.get("title", ""), meter=data["meter"],
            mode=data["mode"], tonic_pc=int(data["tonic_pc"]), tempo_bpm=int(data["tempo_bpm"]),
            dance=data.get("dance"), bars=int(data["bars"]), pickup_ql=float(data.get("pickup_ql", 0.0)),
            notes=_note_tuples(data["notes"]), bass=_note_tuples(bass) if bass else None,
            family=data.get("family"), chords=data.get("chords"), licence=data.get("licence"),
            piece=data.get("piece"),
        )


def _note_tuples(rows: list[list[float]]) -> list[tuple[int, float, float]]:
    """Rows back to exact 1/12 grid values (the file stores 4 decimals)."""
    return [(int(p), round(o * GRID) / GRID, round(d * GRID) / GRID) for p, o, d in rows]


def split_of(piece_id: str) -> str:
    """"train", "valid" or "test" for a piece, 90/5/5 by a hash of its id.

    Why a hash: the split of a piece never changes as the corpus grows or its order changes, so a model
    is never evaluated on a piece it was trained on by an earlier build.
    """
    bucket = int.from_bytes(hashlib.sha256(piece_id.encode("utf-8")).digest()[:4], "big") % 100
    if bucket < 90:
        return "train"
    return "valid" if bucket < 95 else "test"


def melody_files(path: Path | str = DEFAULT_PATH) -> list[Path]:
    """The files a melodies path stands for: itself when it is a file, else the files its folder's
    `index.json` lists, in that order (or, with no index, every *.jsonl.gz in name order: the leads)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise CorpusError(f"melodies {path} not found; build them with `python -m composer.learn.corpus build`")
    index = path / INDEX_NAME
    if index.exists():
        try:
            listed = json.loads(index.read_text(encoding="utf-8"))["files"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(f"{index}: not a melodies index ({exc})") from exc
        return [path / entry["file"] for entry in listed]
    return sorted(path.glob("*.jsonl.gz"))


def load_melodies(path: Path | str | list[Path] = DEFAULT_PATH, split: str | None = None) -> list[Melody]:
    """All melodies of a file, a folder of files, or a list of either (or of one split), in build order."""
    if split is not None and split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}; expected one of {SPLITS}")
    paths = path if isinstance(path, list) else [path]
    melodies: list[Melody] = []
    for file in (f for p in paths for f in melody_files(p)):
        melodies.extend(_read_file(file, split))
    return melodies


def _read_file(path: Path, split: str | None) -> list[Melody]:
    if not path.exists():
        raise CorpusError(f"melodies file {path} not found; build it with `python -m composer.learn.corpus build`")
    melodies: list[Melody] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if split is None or split_of(data.get("piece") or data["id"]) == split:
                melodies.append(Melody.from_dict(data))
    return melodies
