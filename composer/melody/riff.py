"""Riffs: the rock, funk and dance-loop way of making a melody, a short cell stated and stated again over the
changing chords, answered by the rest of the phrase.

Why: the written melodies of those styles repeated a bar's interval pattern in 18-22% of bars, where the real
rock, pop and electronic leads Motif learned from repeat 38-40% of bars and .59-.71 of their interval trigrams
(`composer.learn.classify`'s `bars_repeating` and `repeated_trigrams`, `motif eval`'s genre section): a rock
line is built on a riff, a house lead on a one-bar hook, and the learned model, trained mostly on folk tunes,
streams on instead. The form (`composer.harmony.default_forms`) already repeats whole sections; the riff is
repetition inside a section, where those styles repeat.

The shape, per phrase (`composer.melody.source.phrase_lengths`, the phrasing the line breathes by): the
phrase up to its closing bar is the cell (`cell_bars` of the line's own bars from its first phrase,
`choose_cell`) played as many times as fit, and its closing bar is the line's own, the answer and the phrase's
close exactly as the melody source wrote them over those chords. Each restatement is the cell as the line
played it where that fits the chord under it, else moved a scale step or two with the harmony (`RIFF_STEPS`),
its strong beats fitted to the chord (`composer.melody.variation.fit_to_chords`): how a guitarist moves a riff
to the next chord; and an octave nearer where the line it replaces sat an octave away.

The blues's AAB lines (`state_blues_lines`) are restated the same way: a chorus's first line's call sung again
to open its second line, over the IV chord.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.harmony.clarity import chord_weights, weights_say_key
from composer.melody.markov import meter_grid
from composer.melody.source import phrase_lengths
from composer.melody.variation import EPS, fit_to_chords, off_chord, scale_step
from composer.piece import Chord, Note
from prompts.spec import Spec

RIFF_STEPS: tuple[int, ...] = (0, -1, 1, -2, 2)
"""Scale steps a restated cell may move, in order of preference (a tie on chord fit takes the earlier)."""
ANSWER_BARS = 1
"""The bars that close each phrase as the melody source wrote them: the riff's answer and the phrase's cadence
(riff, riff, riff, answer: the rock and blues way of phrasing a riff over four bars)."""
MAX_DRIFT_SEMITONES = 5
"""How far (mean pitch) a restatement may sit from the bars it replaces before an octave nearer is preferred: a
cell opening high, stated three times a phrase, lifted a pop ballad's tune from the register it is sung in."""
MIN_CELL_NOTES = 3
"""A riff is a figure: a bar of one or two notes (a sparse line's held D) restated through a phrase is
a drone, not a riff (it tipped a G minor house piece to D minor in the obedience suite), and is left alone."""
MAX_JOIN_SEMITONES = 7
"""A restatement whose last note would leap further than this into the answer after it is taken only when no
other step fits the chords as well (the answer was written after the line's own bars, not the cell)."""


def riff_phrases(spec: Spec, cell_bars: int) -> list[tuple[int, int]]:
    """(first bar, bars) of each stretch the riff fills: every phrase but its closing bar (the answer,
    `ANSWER_BARS`); empty when the first stretch holds no second cell."""
    spans, bar = [], 0
    for length in phrase_lengths(spec.bars):
        riff = length - ANSWER_BARS
        if riff > 0:
            spans.append((bar, riff))
        bar += length
    return spans if spans and spans[0][1] >= 2 * cell_bars else []


def choose_cell(spec: Spec, line: list[Note], cell_bars: int, stretch_bars: int) -> int:
    """The bar (from 0) the cell is taken from: of the whole cells in the first riff stretch, the one with the
    most notes starting off the beat (the figure with the push in it: a rock or funk riff is syncopated, and the
    opening bar, which starts on the tonic triad squarely on the beat, seldom is), the earliest on a tie."""
    beat = meter_grid(spec.time_signature).beat_ql
    bar_q = spec.bar_quarters

    def offbeats(first: int) -> int:
        lo, hi = first * bar_q, (first + cell_bars) * bar_q
        return sum(1 for n in line
                   if lo - EPS <= n.start < hi - EPS and abs(n.start / beat - round(n.start / beat)) > EPS)

    return max(range(0, stretch_bars - cell_bars + 1, cell_bars), key=lambda b: (offbeats(b), -b))


def state_riff(spec: Spec, chords: list[Chord], line: list[Note], cell_bars: int) -> list[Note]:
    """`line` (a melody of `spec.bars` bars from 0) rebuilt on one cell of `cell_bars` bars (`choose_cell`) as the
    module docstring says; a line whose cell has under MIN_CELL_NOTES notes or does not fit twice, or whose riff
    would be heard in another key than the line was (`says_key`), is returned as it is."""
    bar_q = spec.bar_quarters
    cell_q = cell_bars * bar_q
    spans = riff_phrases(spec, cell_bars)
    if not spans:
        return line
    at = choose_cell(spec, line, cell_bars, spans[0][1]) * bar_q
    cell = _cell(line, at, cell_q)
    if len(cell) < MIN_CELL_NOTES:
        return line
    covered = [(offset * bar_q, min((offset + cell_bars) * bar_q, (first + bars) * bar_q))
               for first, bars in spans for offset in range(first, first + bars, cell_bars)]
    return _restate(spec, chords, line, cell, [(a, b) for a, b in covered if abs(a - at) >= EPS])


BLUES_CHORUS_BARS = 12
CALL_BARS = 2
"""The blues's AAB lines: a 12-bar chorus sings its first line twice, the second time over the IV chord, and
answers it with a third (`state_blues_lines`). What comes back is the call, the line's first two bars; the
two after it are the fill, the singer's breath and the band's answer, and are the melody source's own."""


def state_blues_lines(spec: Spec, chords: list[Chord], line: list[Note]) -> list[Note]:
    """`line` (a melody of `spec.bars` bars from 0, over a 12-bar blues plan) with each chorus's second line
    opening on the call of its first (`CALL_BARS`), moved to fit the IV chord under it as a riff is
    (`_restatement`). Why: the written blues repeated 3% of bars where the real blues leads repeat 30%
    (`motif eval`'s form figures), as the model, trained on folk tunes, never restates its first line; in the
    real music the second line is the first sung again. A line whose call has under MIN_CELL_NOTES notes, or
    which would be heard in another key, is left as it is; a piece not a whole number of choruses is too."""
    bar_q = spec.bar_quarters
    if spec.bars % BLUES_CHORUS_BARS:
        return line
    line_q = BLUES_CHORUS_BARS // 3 * bar_q
    for chorus in range(spec.bars // BLUES_CHORUS_BARS):
        start = chorus * BLUES_CHORUS_BARS * bar_q
        call = _cell(line, start, CALL_BARS * bar_q)
        if len(call) >= MIN_CELL_NOTES:
            line = _restate(spec, chords, line, call, [(start + line_q, start + line_q + CALL_BARS * bar_q)])
    return line


def _cell(line: list[Note], at: float, length: float) -> list[Note]:
    """The notes of `line` starting in [at, at + length), moved to start from 0 and cut at its end."""
    return [replace(n, start=n.start - at, duration=min(n.duration, at + length - n.start))
            for n in line if at - EPS <= n.start < at + length - EPS]


def _restate(spec: Spec, chords: list[Chord], line: list[Note], cell: list[Note],
             spans: list[tuple[float, float]]) -> list[Note]:
    """`line` with `cell` played again over each (start, end) of `spans` (`_restatement`), the line's own notes
    there dropped and any held into a span cut where it starts; the line as it was where the result would be
    heard in another key than the line was (`says_key`)."""
    ordered = sorted(line, key=lambda n: n.start)
    restated: list[Note] = []
    for start, end in spans:
        after = next((n for n in ordered if n.start >= end - EPS), None)
        replaced = [n for n in ordered if start - EPS <= n.start < end - EPS]
        restated += _restatement(spec, chords, cell, start, end, after, replaced)
    kept = [n for n in line if not any(a - EPS <= n.start < b - EPS for a, b in spans)]
    kept = [replace(n, duration=min(n.duration, _next_cover(n.start, spans) - n.start)) for n in kept]
    rebuilt = sorted([n for n in kept if n.duration > EPS] + restated, key=lambda n: n.start)
    return rebuilt if says_key(spec, chords, rebuilt) or not says_key(spec, chords, line) else line


def says_key(spec: Spec, chords: list[Chord], line: list[Note]) -> bool:
    """Does the line over its chords say the Spec's key to a key finder (`composer.harmony.clarity`: the chord
    plan's weights plus the line's notes by duration)? A riff that would make a line heard in another key is not
    used, and the line streams on instead."""
    weights = chord_weights(chords)
    for note in line:
        weights[note.pitch % 12] += note.duration
    return weights_say_key(weights, spec)


def _restatement(spec: Spec, chords: list[Chord], cell: list[Note], start: float, end: float,
                 after: Note | None, replaced: list[Note]) -> list[Note]:
    """The cell played again from `start` (cut at `end`), moved by the `RIFF_STEPS` step that leaves the fewest
    strong-beat notes off the chords (a leap of more than MAX_JOIN_SEMITONES into `after` counting against it),
    and an octave away where that keeps it within MAX_DRIFT_SEMITONES of the `replaced` notes (the line's own
    register there) and its own octave does not."""
    target = float(np.mean([n.pitch for n in replaced or cell]))

    def moved(move: tuple[int, int]) -> list[Note]:
        step, octave = move
        notes = [replace(n, pitch=scale_step(spec, n.pitch, step) + octave, start=n.start + start,
                         duration=min(n.duration, end - n.start - start)) for n in cell if n.start + start < end - EPS]
        return fit_to_chords(spec, chords, notes)

    def cost(step: int) -> tuple[int, bool]:
        notes = moved((step, 0))
        leap = after is not None and bool(notes) and abs(after.pitch - notes[-1].pitch) > MAX_JOIN_SEMITONES
        return off_chord(notes, spec, chords), leap

    def drift(octave: int) -> tuple[bool, int]:
        notes = moved((step, octave))
        far = bool(notes) and abs(float(np.mean([n.pitch for n in notes])) - target) > MAX_DRIFT_SEMITONES
        return far, abs(octave)

    step = min(RIFF_STEPS, key=cost)
    return moved((step, min((0, -12, 12), key=drift)))


def _next_cover(onset: float, covered: list[tuple[float, float]]) -> float:
    """Where the first restated stretch after `onset` starts (a kept note is cut there), else never."""
    return min((a for a, _ in covered if a > onset + EPS), default=float("inf"))
