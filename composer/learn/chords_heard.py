"""Which chords a written MIDI file plays, slot by slot, and whether they are the chords the user asked for.

The check listens to the file, not to the plan that wrote it: every pitched, non-drum note (read by
`composer.learn.analyze.read_midi`, music21's reader) adds its sounding time in a harmonic-rhythm slot to its
pitch class, notes near the bottom of the slot's texture count a little more (the bass says the root), and
the best-fitting triad (major, minor, diminished, augmented, sus2, sus4) is what the slot is heard as. A
requested chord is reduced to its triad (Cmaj7 -> C, F#m7b5 -> F#dim, C7sus4 -> Csus4, C/E -> C) and it is
heard when the slot's triad has the same notes (so C+ = E+ and Csus2 = Gsus4, which sound alike), or for a
diminished seventh any diminished triad inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from composer.harmony.given import heard_triad, slot_spans, slot_symbols
from composer.learn.analyze import HeardNote, read_midi
from composer.theory import PITCH_CLASSES, pc_name
from prompts.music import CHORD_INTERVALS, split_chord_symbol
from prompts.spec import Spec

TRIADS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus4": (0, 5, 7), "sus2": (0, 2, 7),
}
"""The triads a slot can be heard as."""
PRIOR: dict[str, float] = {"maj": 1.0, "min": 1.0, "dim": 0.92, "aug": 0.9, "sus4": 0.9, "sus2": 0.88}
"""A slight preference for the common triads when two fit the notes equally (a sus chord has to show its
suspension to be heard as one)."""
BASS_WEIGHT = 1.5
BASS_SPAN = 7
"""Notes within this many semitones of a slot's lowest note count BASS_WEIGHT times."""
ROOT_WEIGHT = 0.2
"""Extra weight of the candidate root's own pitch class (breaks Am7 = C6 ties towards the sounding root)."""


@dataclass(frozen=True)
class Slot:
    """One harmonic-rhythm slot: what was asked, what is heard, and whether they agree."""

    start_q: float
    asked: str
    heard: str
    matched: bool


@dataclass
class ChordHearing:
    """The slots of a piece, and the bar count the file really has."""

    slots: list[Slot] = field(default_factory=list)
    bars_heard: int = 0

    @property
    def matched(self) -> int:
        return sum(slot.matched for slot in self.slots)

    @property
    def ratio(self) -> float:
        return self.matched / len(self.slots) if self.slots else 1.0


def slot_weights(notes: list[HeardNote], start: float, end: float) -> np.ndarray:
    """Pitch-class weights of the notes sounding in [start, end): overlap in quarters, bass notes heavier."""
    inside = [(n, min(n.end_q, end) - max(n.start_q, start)) for n in notes]
    inside = [(n, overlap) for n, overlap in inside if overlap > 1e-6]
    weights = np.zeros(12)
    if not inside:
        return weights
    lowest = min(n.pitch for n, _ in inside)
    for note, overlap in inside:
        weights[note.pitch % 12] += overlap * (BASS_WEIGHT if note.pitch <= lowest + BASS_SPAN else 1.0)
    return weights


def best_triad(weights: np.ndarray) -> tuple[int, str]:
    """(root pitch class, triad quality) of the triad that best fits pitch-class weights: the weight on its
    three notes, less half the weight outside them, times the quality's prior, plus a little for its root."""
    total = float(weights.sum())
    best: tuple[float, int, str] | None = None
    for quality, steps in TRIADS.items():
        for root in range(12):
            inside = float(sum(weights[(root + s) % 12] for s in steps))
            score = (inside - 0.5 * (total - inside)) * PRIOR[quality] + ROOT_WEIGHT * float(weights[root])
            if best is None or score > best[0] + 1e-9:
                best = (score, root, quality)
    assert best is not None
    return best[1], best[2]


def triad_pcs(root: int, quality: str) -> frozenset[int]:
    return frozenset((root + s) % 12 for s in TRIADS[quality])


def heard_as(symbol: str, root: int, quality: str) -> bool:
    """Is a slot heard as (root, quality) playing the requested chord `symbol`? (see the module's rule)"""
    asked_root, asked_quality, _ = split_chord_symbol(symbol)
    want_root = PITCH_CLASSES[asked_root]
    triad = heard_triad(asked_quality)
    if triad == "5":
        return root == want_root and quality in ("maj", "min", "sus2", "sus4")
    if triad == "dim7":
        full = {(want_root + s) % 12 for s in CHORD_INTERVALS["dim7"]}
        return quality == "dim" and triad_pcs(root, quality) <= full
    return triad_pcs(root, quality) == triad_pcs(want_root, triad)


def triad_name(root: int, quality: str) -> str:
    return pc_name(root) + {"maj": "", "min": "m", "dim": "dim", "aug": "+", "sus4": "sus4", "sus2": "sus2"}[quality]


def hear_progression(midi: bytes, spec: Spec) -> ChordHearing:
    """Listen to a written MIDI file slot by slot (the Spec's harmonic rhythm) against `spec.chords`."""
    facts = read_midi(midi)
    notes = facts.pitched
    hearing = ChordHearing(bars_heard=facts.bar_count())
    for (start, length), symbol in zip(slot_spans(spec), slot_symbols(spec), strict=True):
        weights = slot_weights(notes, start, start + length)
        root, quality = best_triad(weights) if weights.any() else (-1, "maj")
        matched = root >= 0 and heard_as(symbol, root, quality)
        hearing.slots.append(Slot(start, symbol, triad_name(root, quality) if root >= 0 else "-", matched))
    return hearing
