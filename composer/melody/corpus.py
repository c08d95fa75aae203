"""The tune corpus as the melody sources read it: `Melody` and `load_melodies`.

The file is built offline by `composer.learn.corpus` (music21's slow parsing stays there) and committed as
`composer/data/melodies.jsonl.gz`, normalised to C major / A minor; reading it back takes a few seconds and
needs nothing but the standard library, so the Markov source can load it on the request path.
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
DEFAULT_PATH = DATA_DIR / "melodies.jsonl.gz"
SPLITS: tuple[str, ...] = ("train", "valid", "test")


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

    @property
    def bar_quarters(self) -> float:
        num, den = self.meter.split("/")
        return int(num) * 4.0 / int(den)

    @property
    def split(self) -> str:
        return split_of(self.id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Melody:
        bass = data.get("bass")
        return cls(
            id=data["id"], source=data["source"], title=data.get("title", ""), meter=data["meter"],
            mode=data["mode"], tonic_pc=int(data["tonic_pc"]), tempo_bpm=int(data["tempo_bpm"]),
            dance=data.get("dance"), bars=int(data["bars"]), pickup_ql=float(data.get("pickup_ql", 0.0)),
            notes=_note_tuples(data["notes"]), bass=_note_tuples(bass) if bass else None,
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


def load_melodies(path: Path | str = DEFAULT_PATH, split: str | None = None) -> list[Melody]:
    """All melodies of the file (or of one split), in build order."""
    if split is not None and split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}; expected one of {SPLITS}")
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"melodies file {path} not found; build it with `python -m composer.learn.corpus build`")
    melodies: list[Melody] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if split is None or split_of(data["id"]) == split:
                melodies.append(Melody.from_dict(data))
    return melodies
