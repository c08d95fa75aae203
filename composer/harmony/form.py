"""The form of a piece as the composer plays it: where each section starts and how it closes.

A Spec's `form` (the user's sections) is played when its bars add up to the piece's (a remix that changed the
length without touching the form gets the style's shape). Sections of one name are played alike, so each
distinct section closes one way: the section that ends the piece on the tonic (or on V when the user asked for
a half cadence or a loop), every other one on a half cadence, the V that leads into what follows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from composer.harmony.plan import spell_root
from composer.lines import transpose_chord
from composer.piece import Chord, Note, Track
from composer.theory import MODE_INTERVALS, tonic_pc
from prompts.music import CHORD_SUFFIX
from prompts.spec import Section, Spec


@dataclass(frozen=True)
class SectionSpan:
    """One section placed in the piece: the section, its first bar, and its close ("tonic" or "half")."""

    section: Section
    start_bar: int
    close: str

    @property
    def end_bar(self) -> int:
        return self.start_bar + self.section.bars


def section_spans(spec: Spec) -> list[SectionSpan]:
    """The sections the piece is played as, in order; empty when it has the style's shape (no form, or one
    whose bars no longer add up to the piece's, and an ordinary ending)."""
    form = spec.form if sum(s.bars for s in spec.form) == spec.bars else ()
    if not form and spec.ending == "tonic":
        return []
    form = form or (Section("A", spec.bars),)
    last = form[-1].name
    spans: list[SectionSpan] = []
    bar = 0
    for section in form:
        close = "tonic" if section.name == last and spec.ending == "tonic" else "half"
        spans.append(SectionSpan(section, bar, close))
        bar += section.bars
    return spans


def section_spec(spec: Spec, section: Section) -> Spec:
    """The Spec one section is composed from: its bars, its own chords (else the piece's, from their start)."""
    return replace(spec, bars=section.bars, chords=section.chords or spec.chords, form=(), ending="tonic")


def dominant(spec: Spec, start: float, duration: float, seventh: bool) -> Chord:
    """The key's V (major, as a half cadence needs its leading tone, in minor keys too)."""
    shift = 7 - MODE_INTERVALS[spec.mode][4]
    quality = "7" if seventh else "maj"
    root = (tonic_pc(spec.tonic) + 7) % 12
    symbol = spell_root(spec.tonic, spec.mode, 4, shift) + CHORD_SUFFIX.get(quality, quality)
    return Chord(start, duration, root, quality, symbol)


def close_on_half(chords: list[Chord], spec: Spec, seventh: bool) -> list[Chord]:
    """The plan with its last bar on V: chords that start in the last bar give way to it, one that runs into
    it is cut at the bar line."""
    last_bar = (spec.bars - 1) * spec.bar_quarters
    kept = [c for c in chords if c.start < last_bar - 1e-9]
    kept = [replace(c, duration=min(c.duration, last_bar - c.start)) for c in kept]
    return [*kept, dominant(spec, last_bar, spec.bar_quarters, seventh)]


def shift_chords(chords: list[Chord], offset: float) -> list[Chord]:
    return [replace(c, start=c.start + offset) for c in chords]


def shift_notes(notes: list[Note], offset: float) -> list[Note]:
    return [Note(n.pitch, n.start + offset, n.duration, n.velocity) for n in notes]


def change_key(spec: Spec, tracks: list[Track], chords: list[Chord]) -> tuple[list[Track], list[Chord]]:
    """The piece with each section's key change played (`Section.shift`): every pitched note that starts in a
    moved section, and its chords, transposed. The whole arrangement moves together (a modulation by
    transposition, the pop lift into a last chorus), so melody, counter line, bass and comping stay in one key
    with each other; the drums do not move. Unchanged when no section moves."""
    moved = [(s.start_bar * spec.bar_quarters, s.end_bar * spec.bar_quarters, s.section.shift)
             for s in section_spans(spec) if s.section.shift]
    if not moved:
        return tracks, chords

    def shift_at(t: float) -> int:
        return next((k for a, b, k in moved if a - 1e-9 <= t < b - 1e-9), 0)

    for track in tracks:
        if not track.is_drum:
            track.notes = [replace(n, pitch=min(127, max(0, n.pitch + shift_at(n.start)))) for n in track.notes]
    return tracks, [transpose_chord(c, k, spec) if (k := shift_at(c.start)) else c for c in chords]


def section_starts(spec: Spec) -> list[tuple[int, str]]:
    """(first bar, rehearsal mark) of each section, for the score; empty for the style's shape."""
    spans = section_spans(spec)
    return [(s.start_bar, s.section.label) for s in spans] if spec.form and spans else []


__all__ = ["SectionSpan", "change_key", "close_on_half", "section_spans", "section_spec", "section_starts",
           "shift_chords", "shift_notes"]
