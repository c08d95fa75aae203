"""Riffs: the rock, funk and dance-loop way of making a melody, a short cell stated and stated again over the
changing chords, answered by the rest of the phrase.

Why: the written melodies of those styles repeated a bar's interval pattern in 18-22% of bars, where the real
rock, pop and electronic leads Motif learned from repeat 38-40% of bars and .59-.71 of their interval trigrams
(`composer.learn.classify`'s `bars_repeating` and `repeated_trigrams`, `motif eval`'s genre section): a rock
line is built on a riff, a house lead on a one-bar hook, and the learned model, trained mostly on folk tunes,
streams on instead. The form (`composer.harmony.default_forms`) already repeats whole sections; the riff is
repetition inside a section, where those styles repeat.

The shape, per phrase (`composer.melody.source.phrase_lengths`, the phrasing the line breathes by): the
phrase up to its closing bar is the cell (the line's opening `cell_bars` bars) played as many times as fit,
and its closing bar is the line's own, the answer and the phrase's close exactly as the melody source wrote
them over those chords. Each restatement is the cell as first played where that fits the chord under it, else moved
a scale step or two with the harmony (`RIFF_STEPS`), its strong beats fitted to the chord
(`composer.melody.variation.fit_to_chords`): how a guitarist moves a riff to the next chord.
"""

from __future__ import annotations

from dataclasses import replace

from composer.harmony.clarity import chord_weights, weights_say_key
from composer.melody.source import phrase_lengths
from composer.melody.variation import EPS, fit_to_chords, off_chord, scale_step
from composer.piece import Chord, Note
from prompts.spec import Spec

RIFF_STEPS: tuple[int, ...] = (0, -1, 1, -2, 2)
"""Scale steps a restated cell may move, in order of preference (a tie on chord fit takes the earlier)."""
ANSWER_BARS = 1
"""The bars that close each phrase as the melody source wrote them: the riff's answer and the phrase's cadence
(riff, riff, riff, answer: the rock and blues way of phrasing a riff over four bars)."""
MIN_CELL_NOTES = 3
"""A riff is a figure: an opening bar of one or two notes (a sparse line's held D) restated through a phrase is
a drone, not a riff (it tipped a G minor house piece to D minor in the obedience suite), and is left alone."""
MAX_JOIN_SEMITONES = 7
"""A restatement whose last note would leap further than this into the answer after it is taken only when no
other step fits the chords as well (the answer was written after the line's own bars, not the cell)."""


def riff_phrases(spec: Spec, cell_bars: int) -> list[tuple[int, int]]:
    """(first bar, bars) of each stretch a cell is restated over: every phrase but its closing bar (the answer,
    `ANSWER_BARS`), the opening cell itself left out; empty when the cell does not fit twice."""
    spans, bar = [], 0
    for length in phrase_lengths(spec.bars):
        riff = length - ANSWER_BARS
        first = bar + (cell_bars if bar == 0 else 0)
        if bar + riff > first:
            spans.append((first, bar + riff - first))
        bar += length
    return spans


def state_riff(spec: Spec, chords: list[Chord], line: list[Note], cell_bars: int) -> list[Note]:
    """`line` (a melody of `spec.bars` bars from 0) rebuilt on its opening `cell_bars` bars as the module
    docstring says; a line whose cell has under MIN_CELL_NOTES notes or does not fit twice, or whose riff
    would be heard in another key than the line was (`says_key`), is returned as it is."""
    bar_q = spec.bar_quarters
    cell_q = cell_bars * bar_q
    cell = [replace(n, duration=min(n.duration, cell_q - n.start)) for n in line if n.start < cell_q - EPS]
    spans = riff_phrases(spec, cell_bars)
    if len(cell) < MIN_CELL_NOTES or not spans:
        return line
    ordered = sorted(line, key=lambda n: n.start)
    restated: list[Note] = []
    covered: list[tuple[float, float]] = []
    for first, bars in spans:
        for offset in range(first, first + bars, cell_bars):
            start = offset * bar_q
            end = min(start + cell_q, (first + bars) * bar_q)
            after = next((n for n in ordered if n.start >= end - EPS), None)
            restated += _restatement(spec, chords, cell, start, end, after)
            covered.append((start, end))
    kept = [n for n in line if not any(a - EPS <= n.start < b - EPS for a, b in covered)]
    kept = [replace(n, duration=min(n.duration, _next_cover(n.start, covered) - n.start)) for n in kept]
    riff = sorted([n for n in kept if n.duration > EPS] + restated, key=lambda n: n.start)
    return riff if says_key(spec, chords, riff) or not says_key(spec, chords, line) else line


def says_key(spec: Spec, chords: list[Chord], line: list[Note]) -> bool:
    """Does the line over its chords say the Spec's key to a key finder (`composer.harmony.clarity`: the chord
    plan's weights plus the line's notes by duration)? A riff that would make a line heard in another key is not
    used, and the line streams on instead."""
    weights = chord_weights(chords)
    for note in line:
        weights[note.pitch % 12] += note.duration
    return weights_say_key(weights, spec)


def _restatement(spec: Spec, chords: list[Chord], cell: list[Note], start: float, end: float,
                 after: Note | None) -> list[Note]:
    """The cell played again from `start` (cut at `end`), moved by the `RIFF_STEPS` step that leaves the fewest
    strong-beat notes off the chords, a leap of more than MAX_JOIN_SEMITONES into `after` counting against it."""
    def moved(step: int) -> list[Note]:
        notes = [replace(n, pitch=scale_step(spec, n.pitch, step), start=n.start + start,
                         duration=min(n.duration, end - n.start - start)) for n in cell if n.start + start < end - EPS]
        return fit_to_chords(spec, chords, notes)

    def cost(step: int) -> tuple[int, bool]:
        notes = moved(step)
        leap = after is not None and bool(notes) and abs(after.pitch - notes[-1].pitch) > MAX_JOIN_SEMITONES
        return off_chord(notes, spec, chords), leap

    return moved(min(RIFF_STEPS, key=cost))


def _next_cover(onset: float, covered: list[tuple[float, float]]) -> float:
    """Where the first restated stretch after `onset` starts (a kept note is cut there), else never."""
    return min((a for a, _ in covered if a > onset + EPS), default=float("inf"))
