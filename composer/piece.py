"""The `Piece`: the symbolic result of a composition, enough to re-render, continue or re-arrange it.

Times are in quarter notes from the start of the piece (floats), pitches are MIDI numbers. The harmony
plan travels with the notes so that a remix can keep the melody and re-arrange around the same chords.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prompts.spec import Spec


@dataclass
class Note:
    """One note: MIDI pitch, onset and length in quarter notes, MIDI velocity."""

    pitch: int
    start: float
    duration: float
    velocity: int = 80

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class Track:
    """One instrument part. Drum tracks play on the GM percussion channel with program 0."""

    name: str
    program: int
    role: str
    notes: list[Note] = field(default_factory=list)
    is_drum: bool = False


@dataclass(frozen=True)
class Chord:
    """One chord of the harmony plan.

    `root_pc` is a pitch class (0 = C), `quality` one of `theory.CHORD_INTERVALS`' keys, `bass_pc` the
    sounding bass (for inversions and slash chords), `symbol` the readable name ("Dm7", "G7/B").
    """

    start: float
    duration: float
    root_pc: int
    quality: str
    symbol: str
    bass_pc: int | None = None

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class Piece:
    """A composed piece: the Spec it answers, its parts and its harmony plan."""

    spec: Spec
    tracks: list[Track]
    chords: list[Chord]
    swing: bool = False
    engine: str = "markov"

    @property
    def bar_quarters(self) -> float:
        return self.spec.bar_quarters

    @property
    def total_quarters(self) -> float:
        """Length of the piece in quarter notes: exactly `bars` bars."""
        return self.spec.bars * self.spec.bar_quarters

    def melody(self) -> Track | None:
        """The lead part, if any (the first track whose role is melody)."""
        return next((t for t in self.tracks if t.role == "melody" and not t.is_drum), None)
