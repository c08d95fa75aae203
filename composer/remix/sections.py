"""Remixes that write new music into a kept piece: continuing it by N bars, and a new take of some bars.

New melody comes from the melody source like any composition; among a few takes the one that joins the
kept music most smoothly is chosen (a step from the parent's last note beats a leap), which works for any
source without reaching into its internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from composer.arrange.accompaniment import Context
from composer.arrange.arranger import arrange
from composer.arrange.counter import counter_melody
from composer.arrange.phrasing import anticipate
from composer.generate import stated_in_style
from composer.harmony.given import slot_spans
from composer.harmony.plan import plan_harmony
from composer.lines import EPS, clip_chords, copy_track, line_indices, melody_line
from composer.meter import meter_of
from composer.piece import Chord, Note, Piece, Track
from composer.ranges import instrument_range
from composer.styles import Style
from composer.theory import fit_range
from prompts.spec import Spec

if TYPE_CHECKING:
    from composer.melody.source import MelodySource

JOIN_COST = (1.0, 0.0, 0.0, 0.5, 0.5, 1.5, 3.0)
"""Cost of joining two notes by interval class (unison .. tritone): steps join best, a tritone worst."""


@dataclass(frozen=True)
class SectionConfig:
    """How many melody takes to draw when new bars must join kept music (more: smoother joins, slower).

    `takes` is for fast sources (the Markov tables draw a take in about a millisecond); `slow_takes` for
    any other (the learned model already reranks several candidates per call and takes seconds).
    """

    takes: int = 4
    slow_takes: int = 1

    def takes_for(self, source: MelodySource) -> int:
        """The number of takes worth drawing from this source."""
        return self.takes if getattr(source, "name", "") == "markov" else self.slow_takes


def draw_melody(source: MelodySource, spec: Spec, chords: list[Chord], style: Style,
                rng: np.random.Generator, context: list[Note] | None = None) -> list[Note]:
    """A melody from the source, with the style's chromatic allowance and the preceding notes (the parent
    as context, onsets relative to the new section); an empty context is none."""
    return source.generate(spec, chords, rng, allow_chromatic=style.allow_chromatic, context=context or None)


def preceding(line: list[Note], start: float) -> list[Note]:
    """The notes before `start`, with onsets relative to it (negative): the context for what follows."""
    return [Note(n.pitch, n.start - start, n.duration, n.velocity) for n in line if n.start < start - EPS]


def join_cost(before: int | None, after: int | None) -> float:
    """How awkwardly two pitches follow each other, octave aside (the arranger re-places octaves)."""
    if before is None or after is None:
        return 0.0
    interval = (after - before) % 12
    return JOIN_COST[min(interval, 12 - interval)]


def best_take(source: MelodySource, spec: Spec, chords: list[Chord], style: Style, rng: np.random.Generator,
              cost: Callable[[list[Note]], float], takes: int, context: list[Note] | None = None,
              shape: Callable[[list[Note]], list[Note]] | None = None) -> list[Note]:
    """The cheapest of `takes` melodies (the first on ties), all drawn from one generator in turn; `shape`
    rebuilds each take before it is judged (a riff restated over its first bars changes how it joins)."""
    drawn = [draw_melody(source, spec, chords, style, rng, context) for _ in range(max(1, takes))]
    if shape is not None:
        drawn = [shape(take) for take in drawn]
    return min(drawn, key=cost)


def _nearest_octave(pitches: list[int], target: int, program: int) -> int:
    """The octave move (-12/0/+12) that keeps a line in range and brings its first note nearest `target`."""
    low, high = instrument_range(program)
    return min((0, -12, 12), key=lambda s: (sum(1 for p in pitches if not low <= p + s <= high),
                                            abs(pitches[0] + s - target)))


def align_octave(track: Track, previous: int | None) -> None:
    """Move a new melody line by an octave when that makes the join with the kept music smaller."""
    indices = sorted(line_indices(track), key=lambda i: track.notes[i].start)
    if previous is None or not indices:
        return
    shift = _nearest_octave([track.notes[i].pitch for i in indices], previous, track.program)
    for i in indices:
        track.notes[i].pitch += shift


def _shifted(notes: list[Note], offset: float) -> list[Note]:
    return [Note(n.pitch, n.start + offset, n.duration, n.velocity) for n in notes]


def concatenate(base: list[Track], section: list[Track], offset: float) -> list[Track]:
    """Each section part appended to the kept part it continues (same kind and program, else order)."""
    merged = [copy_track(t) for t in base]
    used: set[int] = set()
    for position, track in enumerate(section):
        candidates = [i for i, t in enumerate(merged) if i not in used and t.is_drum == track.is_drum]
        same = [i for i in candidates if merged[i].program == track.program and merged[i].name == track.name]
        pick = same[0] if same else next((i for i in candidates if i == position), None)
        if pick is None:
            merged.append(Track(track.name, track.program, track.role, _shifted(track.notes, offset),
                                track.is_drum))
            used.add(len(merged) - 1)
            continue
        used.add(pick)
        merged[pick].notes += _shifted(track.notes, offset)
    return merged


def continue_piece(base: Piece, spec: Spec, source: MelodySource, style: Style, rng: np.random.Generator,
                   config: SectionConfig) -> Piece:
    """`base` followed by `spec.bars - base.spec.bars` new bars: their own harmony plan (ending on the
    tonic), a melody that joins the last note, built as the style builds a fresh line (a riff, blues lines:
    `stated_in_style`), and the same instruments arranged in the same style."""
    count = spec.bars - base.spec.bars
    section_spec = replace(spec, bars=count, chords=_progression_after(spec, base.spec.bars))
    chords = plan_harmony(section_spec, style, rng)
    line = melody_line(base.melody())
    last = line[-1].pitch if line else None
    melody = best_take(source, section_spec, chords, style, rng,
                       lambda notes: join_cost(last, notes[0].pitch if notes else None), config.takes_for(source),
                       context=preceding(line, base.total_quarters),
                       shape=lambda notes: stated_in_style(section_spec, chords, notes, style))
    melody = anticipate(melody, section_spec, style.push, rng)
    tracks = arrange(section_spec, style, chords, melody, rng)
    lead = next((t for t in tracks if t.role == "melody" and not t.is_drum), None)
    if lead is not None:
        align_octave(lead, last)
    offset = base.total_quarters
    shifted = [Chord(c.start + offset, c.duration, c.root_pc, c.quality, c.symbol, c.bass_pc) for c in chords]
    return Piece(spec, concatenate(base.tracks, tracks, offset), base.chords + shifted, base.swing, base.engine)


def _progression_after(spec: Spec, bars: int) -> tuple[str, ...]:
    """The user's progression as it goes on after `bars` bars: the loop continues where the piece left it
    (C G Am over 4 bars ends on C; the next bar is G), not from its first chord."""
    if not spec.chords:
        return spec.chords
    played = len(slot_spans(replace(spec, bars=bars))) % len(spec.chords)
    return spec.chords[played:] + spec.chords[:played]


def _window_cost(old: list[Note], before: int | None, after: int | None) -> Callable[[list[Note]], float]:
    old_key = [(n.pitch % 12, round(n.start, 3)) for n in old]

    def cost(notes: list[Note]) -> float:
        if not notes:
            return 100.0
        same = [(n.pitch % 12, round(n.start, 3)) for n in notes] == old_key
        return join_cost(before, notes[0].pitch) + join_cost(notes[-1].pitch, after) + (50.0 if same else 0.0)
    return cost


def _place_line(notes: list[Note], program: int, before: int | None, after: int | None) -> None:
    """Put a new stretch of melody in the octave that meets its neighbours, inside the instrument's range."""
    low, high = instrument_range(program)
    anchors = [p for p in (before, after) if p is not None] or [(low + high) // 2]
    target = sum(anchors) / len(anchors)
    mean = sum(n.pitch for n in notes) / len(notes)
    shift = min(range(-48, 49, 12), key=lambda s: (sum(1 for n in notes if not low <= n.pitch + s <= high),
                                                   abs(mean + s - target)))
    for note in notes:
        note.pitch = fit_range(note.pitch + shift, low, high)


def _velocity(track: Track) -> int:
    velocities = sorted(n.velocity for n in track.notes) or [80]
    return velocities[len(velocities) // 2]


def _replace_window(track: Track, new: list[Note], start: float, end: float) -> None:
    """Swap the melody line inside [start, end) for `new`; other notes (a left hand) stay."""
    line = line_indices(track)
    kept = []
    for i, note in enumerate(track.notes):
        if i in line and start - EPS <= note.start < end - EPS:
            continue
        if i in line and note.start < start - EPS < note.end - EPS:
            note.duration = start - note.start
        kept.append(note)
    track.notes = sorted(kept + new, key=lambda n: (n.start, n.pitch))


def vary_bars(piece: Piece, first: int, last: int, source: MelodySource, style: Style,
              rng: np.random.Generator, config: SectionConfig) -> Piece:
    """A new melody for bars `first`..`last` (1-based, inclusive) over the same chords; the
    accompaniment stays, a counter part follows the new line, and everything outside is untouched."""
    spec, bar_q = piece.spec, piece.spec.bar_quarters
    start, end = (first - 1) * bar_q, last * bar_q
    tracks = [copy_track(t) for t in piece.tracks]
    lead = next((t for t in tracks if t.role == "melody" and not t.is_drum), None)
    if lead is None:
        return Piece(spec, tracks, list(piece.chords), piece.swing, piece.engine)
    line = melody_line(lead)
    before = next((n.pitch for n in reversed(line) if n.start < start - EPS), None)
    after = next((n.pitch for n in line if n.start >= end - EPS), None)
    old = [n for n in line if start - EPS <= n.start < end - EPS]
    window_spec = replace(spec, bars=last - first + 1)
    chords = clip_chords(piece.chords, start, end, -start)
    melody = best_take(source, window_spec, chords, style, rng, _window_cost(old, before, after),
                       config.takes_for(source), context=preceding(line, start))
    new = _shifted(melody, start)
    _place_line(new, lead.program, before, after)
    level = _velocity(lead)
    for note in new:
        note.velocity = int(np.clip(level + (note.velocity - 84) // 2, 1, 127))
    _replace_window(lead, new, start, end)
    for track in tracks:
        if track.role == "counter" and not track.is_drum:
            _recount(track, new, Context(spec, meter_of(spec), list(piece.chords), rng), start, end)
    return Piece(spec, tracks, list(piece.chords), piece.swing, piece.engine)


def _recount(track: Track, line: list[Note], ctx: Context, start: float, end: float) -> None:
    """A counter part's notes in the window rewritten against the new melody line."""
    level = _velocity(track)
    fresh = [Note(n.pitch, n.start, min(n.duration, end - n.start), level)
             for n in counter_melody(line, ctx, track.program) if start - EPS <= n.start < end - EPS]
    kept = [n for n in track.notes if not start - EPS <= n.start < end - EPS]
    for note in kept:
        if note.start < start - EPS < note.end - EPS:
            note.duration = start - note.start
    track.notes = sorted(kept + fresh, key=lambda n: (n.start, n.pitch))
