"""A': a repeated section that returns varied, the way a musician varies it, instead of a copy.

Why: with the style's form, a section heard again replays its melody note for note (composer.generate's
compose_sections), so an AABA tune's last A ends exactly as the first did, and a first A planned onto a half
cadence cannot close the piece. The return keeps what makes it the same section (all but its last bar or two)
and its ending is drawn again from the melody source by infilling: the notes before are the context the model
continues from (`MelodySource.generate`'s `context`), and the new bars follow the return's own chords, so the
new cadence (V in the first A, I in A') is whatever those chords end on. A source that cannot condition on
context (the Markov chain) still writes new closing bars over the new chords.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.harmony.form import SectionSpan
from composer.melody.source import MelodySource
from composer.piece import Chord, Note
from prompts.spec import Spec

EPS = 1e-6
TRIES = 3
"""Draws of the new ending at most, looking for one that is not the old ending again."""


def time_closes(spans: list[SectionSpan]) -> list[str]:
    """How each time through a section closes ("tonic" or "half"), span by span (see the module docstring):
    a section of two bars or more played again straight after opens on a half cadence; the time after such an
    opening closes on the tonic unless it ends the piece, where the piece's own ending (`SectionSpan.close`:
    a loop or a half cadence the user asked for) holds; every other time closes as the form says."""
    closes: list[str] = []
    for i, span in enumerate(spans):
        name, close = span.section.name, span.close
        repeated = span.section.bars >= 2
        after = spans[i + 1].section.name if i + 1 < len(spans) else None
        before = spans[i - 1].section.name if i else None
        if repeated and after == name:
            close = "half"
        elif repeated and before == name and after is not None:
            close = "tonic"
        closes.append(close)
    return closes


def vary_ending(source: MelodySource, spec: Spec, chords: list[Chord], line: list[Note], rng: np.random.Generator,
                bars: int = 1, allow_chromatic: bool = False, section: str | None = None) -> list[Note]:
    """`line` (a section's melody, `spec.bars` bars from 0) with its last `bars` bars written again over `chords`
    (the returning section's plan, the whole section), continuing from the notes kept before them.

    The kept notes are the section's own, a note held into the new bars cut at their first bar line; the new
    bars close the way the source closes a melody over those chords (the tonic held to the bar line, or V's
    root over a half cadence). When every draw repeats the old ending, the last draw is kept (a one-bar
    section, or one whose chords allow one close only). `section` names the varied return for the learned
    model's form tokens (A', chorus').
    """
    bars = max(1, min(bars, spec.bars - 1)) if spec.bars > 1 else 1
    cut = (spec.bars - bars) * spec.bar_quarters
    kept = [replace(n, duration=min(n.duration, cut - n.start)) for n in line if n.start < cut - EPS]
    kept = [n for n in kept if n.duration > EPS]
    context = [replace(n, start=n.start - cut) for n in kept]
    tail_spec = replace(spec, bars=bars, form=(), ending="tonic")
    tail_chords = [replace(c, start=max(c.start, cut) - cut, duration=c.end - max(c.start, cut))
                   for c in chords if c.end > cut + EPS]
    old = _shape([n for n in line if n.start >= cut - EPS], cut)
    new: list[Note] = []
    for _ in range(TRIES):
        new = source.generate(tail_spec, tail_chords, rng, allow_chromatic=allow_chromatic, context=context,
                              section=section)
        if _shape(new, 0.0) != old:
            break
    return kept + [replace(n, start=n.start + cut) for n in new]


def _shape(notes: list[Note], origin: float) -> tuple[tuple[int, float, float], ...]:
    """Pitches, onsets (from `origin`) and durations, rounded: what makes two endings the same ending."""
    return tuple((n.pitch, round(n.start - origin, 3), round(n.duration, 3)) for n in sorted(notes, key=lambda n: n.start))
