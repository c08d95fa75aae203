"""Phrasing: how a style places a freshly written melody against the beat.

Why: the music the model learned from (folk songs, fiddle tunes, chorales, Palestrina) lands squarely on the
beat, so a jazz, bossa or pop melody came out folk-shaped. Those styles push melody notes ahead of the
beat: the note of beat 1 arrives on the "and" of the beat before and is held across it (anticipation).
Only onsets move, and only earlier, by an eighth; pitches stay as written, so the key, the range, the bar
count and the melody's chord tones are exactly what the checks saw before. A phrase's cadence is never pushed:
the notes of a phrase's closing bar keep their onsets, and the next phrase comes in on its downbeat, not
pushed into the cadence (which would cut it short, or fill the breath the melody source left after it).

A phrase's end breathes, and no more than real tunes do (`breathe`): each section is written as a melody of its
own, which both engines close by holding the last note to the bar line, so a piece in 4-bar sections held a
whole-bar note every fourth bar; the phrase-end marking (`composer.learn.evaluate.form_figures`) came out 2.35
(Markov) against 1.03-1.29 in real tunes. An inner phrase's closing note is held no longer than the longest note of
its phrase (a beat at least), and no note of its bar over half a bar unless the phrase held one as long; the
rest of the bar is the breath before the next phrase.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from composer.harmony.form import section_spans
from composer.melody.markov import meter_grid
from composer.melody.source import phrase_lengths
from composer.piece import Note
from prompts.spec import Spec

CADENCE_SHARE = 0.5
"""The longest an inner phrase's closing note sounds, as a share of the bar (rounded up to whole beats, a beat
at least): a half note in 4/4, a dotted quarter in 6/8, a half note in 3/4. Measured on the review suite
(26 prompts x 3 seeds, Markov): 0.75 left the marking at 1.88, 0.5 brought it to 1.33."""
PUSH_Q = 0.5
"""How far ahead of the beat an anticipated note arrives: an eighth."""
_EPS = 1e-6


def pushed_beats(spec: Spec) -> tuple[float, ...]:
    """Onsets within a bar (quarters) whose notes a style may anticipate: the downbeat, and the mid-bar beat
    in duple meters. None in compound or odd meters, whose lilt already does what a push would."""
    num, den = (int(x) for x in spec.time_signature.split("/"))
    if den not in (2, 4):
        return ()
    if num in (2, 4):
        return (0.0, spec.bar_quarters / 2)
    return (0.0,) if num == 3 else ()


def cadence_bars(spec: Spec) -> list[int]:
    """The bars (from 0) that close a phrase: the last bar of each of the melody's phrases
    (`composer.melody.source.phrase_lengths`, the phrasing both engines breathe by), section by section when
    the piece is played in sections, so each section's own close is one too."""
    spans = [(s.start_bar, s.section.bars) for s in section_spans(spec)] or [(0, spec.bars)]
    bars: list[int] = []
    for start, length in spans:
        for phrase in phrase_lengths(length):
            start += phrase
            bars.append(start - 1)
    return bars


def anticipate(notes: list[Note], spec: Spec, share: float, rng: np.random.Generator) -> list[Note]:
    """Move about `share` of the notes on pushed beats an eighth earlier, held to their old end.

    A note is pushed only when the note before it keeps at least an eighth (that note is shortened to make
    room), so nothing overlaps and no note vanishes. The opening note stays put: the piece starts on time.
    A cadence keeps its onsets, lengths and breath: no note in a phrase's closing bar (`cadence_bars`) is
    pushed, nor one that a push would move into it (the next phrase's first note). No random draw is made when `share` is 0, so
    unpushed styles compose exactly as before; a note kept for its cadence takes no draw either.
    """
    beats = pushed_beats(spec)
    if share <= 0 or not beats or len(notes) < 2:
        return notes
    bar = spec.bar_quarters
    closing = set(cadence_bars(spec))
    out = sorted(notes, key=lambda n: n.start)
    for i in range(1, len(out)):
        note, before = out[i], out[i - 1]
        position = note.start % bar
        if not any(abs(position - b) < _EPS or abs(position - b - bar) < _EPS for b in beats):
            continue
        start = note.start - PUSH_Q
        if any(int(t / bar + _EPS) in closing for t in (note.start, start, before.start)):
            continue  # a cadence note held over the bar line is not shortened for a push after it either
        if before.start > start - PUSH_Q + _EPS or rng.random() >= share:
            continue
        out[i - 1] = replace(before, duration=min(before.duration, start - before.start))
        out[i] = replace(note, start=start, duration=note.duration + PUSH_Q)
    return out


def breathe(notes: list[Note], spec: Spec) -> list[Note]:
    """`notes` with each inner phrase's closing bar (`cadence_bars`, the piece's last bar left out: it holds the
    final note) breathing as real tunes do: no note starting there sounds over CADENCE_SHARE of a bar or the
    longest note its phrase already sounded (`phrase_hold`), whichever is longer, and its last note (the
    cadence) sounds no longer than that longest note, a beat at least. The cadence still lands where it did;
    the rest of its bar is a breath, as a singer's or a fiddler's would be.

    Why relative to the phrase: a real phrase end is marked by landing and breathing, not by a note longer than
    any before it. The decoder holds each landing to the bar line, so a reel in eighths held a half note at
    every fourth bar: phrase-end marking (`composer.learn.evaluate.form_figures`) 3.4 on 'a lively celtic
    reel', 1.63 over the review suite, where the reels, airs and Essen tunes measure 1.05-1.11. And a line of
    whole notes (ambient, a film cue) closes on a note as long as its phrase's: cut to half a bar, its phrase
    ends were shorter than its other bars (marking 0.66, the real ambient and cinematic leads 0.94-1.02)."""
    grid = meter_grid(spec.time_signature)
    bar, beat = grid.bar_ql, grid.beat_ql
    share = max(beat, math.ceil(CADENCE_SHARE * bar / beat - _EPS) * beat)
    ends = cadence_bars(spec)
    inner = set(ends) - {spec.bars - 1}
    out = list(notes)
    for first, end in zip([0, *(e + 1 for e in ends)], ends, strict=False):
        closing = [i for i, n in enumerate(out) if int(n.start / bar + _EPS) == end]
        if end not in inner or not closing:
            continue
        held = phrase_hold(out, first * bar, end * bar, bar)
        longest = max(share, held)
        for i in closing:
            if out[i].duration > longest + _EPS:
                out[i] = replace(out[i], duration=longest)
        last = max(closing, key=lambda i: out[i].start)
        cap = max(beat, held)
        if out[last].duration > cap + _EPS:
            out[last] = replace(out[last], duration=cap)
    return out


def phrase_hold(notes: list[Note], start_q: float, end_q: float, bar_q: float) -> float:
    """The longest a note starting in [start_q, end_q) sounds within its own bar: what the phrase before its
    closing bar already held (0 when it sounded nothing)."""
    return max((min(n.duration, (int(n.start / bar_q + _EPS) + 1) * bar_q - n.start)
                for n in notes if start_q - _EPS <= n.start < end_q - _EPS), default=0.0)
