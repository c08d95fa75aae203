"""A piece as the format readers hand it over: tracks of notes in quarter notes, before any choice.

Why a shared shape: five formats (MIDI, WAD lumps, LMMS projects, MuseScore scores) feed one lead-line
extractor, so each reader only has to say what is in its file, never how a melody is picked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

NoteRow = tuple[int, float, float]
"""(MIDI pitch, onset, duration), times in quarter notes from the start of the piece."""


@dataclass
class Track:
    """One instrument's notes. `program` is General MIDI (0-127) or -1 when the format has none."""

    name: str
    program: int
    is_drum: bool
    notes: list[NoteRow] = field(default_factory=list)


@dataclass
class Harmony:
    """A written chord symbol (MuseScore's harmony): root pitch class, the quality text, where it starts."""

    onset_q: float
    root_pc: int
    quality: str


@dataclass
class Song:
    """A whole piece: its tracks, first tempo and meter, and any chord symbols written in it.

    `meter_end_q` is where the first meter stops (a later change of meter), or None when it never changes;
    bars are only counted inside it. Bar lines sit at multiples of the bar length; a pickup of `pickup_q`
    quarters is right-aligned in bar 0 (as in the corpus records).
    """

    piece: str
    title: str
    tempo_bpm: float
    meter: str
    tracks: list[Track]
    harmony: list[Harmony] = field(default_factory=list)
    meter_end_q: float | None = None
    pickup_q: float = 0.0

    @property
    def bar_quarters(self) -> float:
        num, den = self.meter.split("/")
        return int(num) * 4.0 / int(den)


def by_onset(rows: Iterable[NoteRow]) -> list[NoteRow]:
    """Notes in time order (then by pitch and length), each once: the order every reader hands over."""
    return sorted(set(rows), key=lambda row: (row[1], row[0], row[2]))
