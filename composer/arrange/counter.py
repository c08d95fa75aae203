"""The counter-melody: a second line of its own under the melody, not the melody in parallel thirds.

Why: the listening review of 2026-12-01 heard every counter line as parallel thirds or sixths, a shadow of the
tune rather than a second voice. A counter-melody in the sense a musician writes it (two-part counterpoint, a
horn line under a vocal) moves where the tune holds or rests and holds where the tune runs, moves against it
(contrary and oblique motion), is consonant with it and the chord on the strong beats, steps more than it leaps,
and never moves with it in parallel fifths or octaves nor crosses above it.

How: a rhythm first (`_slots`: the counter starts on every strong beat, on a weak beat where the chord
changes under a calm tune, and in the beats where the tune is silent or holds a note; it holds where the tune
is busy), then the pitches by a small beam search over those onsets (`_note_cost`, `_motion_cost`: hard rules as impossibilities,
preferences as costs), so a good choice now does not paint the line into a corner later.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from composer.arrange.accompaniment import Context
from composer.piece import Note
from composer.ranges import instrument_range, role_window
from composer.theory import chord_pcs, scale_pcs

BEAM_WIDTH = 8
CONSONANT = frozenset({0, 3, 4, 7, 8, 9})
"""Intervals (semitones mod 12) consonant in two parts: octaves, thirds, the fifth, sixths (the fourth is not)."""
PERFECT = frozenset({0, 7})
_IMPOSSIBLE = math.inf
_EPS = 1e-6


@dataclass(frozen=True)
class Slot:
    """One note of the counter line: where it starts and ends, and whether it starts on a strong beat."""

    start: float
    end: float
    strong: bool


class _Tune:
    """The melody as the counter hears it: which note sounds at a time, which start inside a span."""

    def __init__(self, melody: list[Note]) -> None:
        self.notes = sorted(melody, key=lambda n: n.start)
        self.starts = [n.start for n in self.notes]

    def sounding(self, t: float) -> Note | None:
        """The melody note sounding at t (None in a rest)."""
        i = bisect.bisect_right(self.starts, t + _EPS) - 1
        return self.notes[i] if i >= 0 and self.notes[i].end > t + _EPS else None

    def heard(self, t: float) -> int | None:
        """The pitch the ear follows at t: the note sounding, else the last one before (across a rest)."""
        i = bisect.bisect_right(self.starts, t + _EPS) - 1
        return self.notes[i].pitch if i >= 0 else (self.notes[0].pitch if self.notes else None)

    def onsets(self, start: float, end: float) -> list[Note]:
        """Melody notes starting in [start, end)."""
        lo = bisect.bisect_left(self.starts, start - _EPS)
        hi = bisect.bisect_left(self.starts, end - _EPS)
        return self.notes[lo:hi]

    def over(self, start: float, end: float) -> list[Note]:
        """Melody notes sounding at some time in [start, end), and the next note after a rest (the counter
        stays under where the tune comes back in)."""
        held = self.sounding(start)
        notes = ([held] if held is not None else []) + [n for n in self.onsets(start, end) if n is not held]
        if not notes:
            i = bisect.bisect_left(self.starts, end - _EPS)
            notes = self.notes[i:i + 1]
        return notes


def _slots(tune: _Tune, ctx: Context, rng: np.random.Generator) -> list[Slot]:
    """The counter's rhythm over every bar but the last (which holds one closing note)."""
    meter, bq = ctx.meter, ctx.meter.bar_quarters
    strong = set(meter.group_starts())
    starts: list[tuple[float, bool]] = []
    for bar in range(ctx.spec.bars - 1):
        last_start = starts[-1][0] if starts else -bq
        for offset, length in meter.beats():
            t = bar * bq + offset
            onsets = tune.onsets(t, t + length)
            quiet = not onsets
            calm = len(onsets) <= 1
            changes = abs(ctx.chord_at(t).start - t) < _EPS
            on_strong = any(abs(offset - g) < _EPS for g in strong)
            if on_strong or quiet or (changes and calm) or t - last_start >= bq - _EPS:
                starts.append((t, on_strong))
                last_start = t
            half = t + length / 2
            resting = tune.sounding(half) is None
            if length >= 1 - _EPS and quiet and rng.random() < (0.6 if resting else 0.3):
                starts.append((half, False))
                last_start = half
    last_bar = (ctx.spec.bars - 1) * bq
    starts.append((last_bar, True))
    ends = [t for t, _ in starts[1:]] + [ctx.spec.bars * bq]
    return [Slot(t, end, s) for (t, s), end in zip(starts, ends, strict=True)]


def generic_interval(semitones: int) -> int:
    """The interval class a listener hears (unison/octave 0, second 1, third 2, fourth 3, fifth 4, sixth 5,
    seventh 6, the tritone 7), major and minor alike: parallel thirds are parallel whether each is major or minor."""
    return (0, 1, 1, 2, 2, 3, 7, 4, 5, 5, 6, 6)[semitones % 12]


@dataclass(frozen=True)
class _Heard:
    """What the counter is measured against at one slot, computed once per slot."""

    melody_now: int | None
    melody_before: int | None
    """The tune's pitch just before the slot starts: the counter's move is heard against the tune's move then."""
    ceiling: int
    onset_pitches: tuple[int, ...]
    strong_pitches: tuple[int, ...]
    chord: frozenset[int]
    allowed: frozenset[int]


def _hear(slot: Slot, tune: _Tune, ctx: Context, scale: frozenset[int]) -> _Heard:
    chord = ctx.chord_at(slot.start)
    tones = frozenset(chord_pcs(chord.root_pc, chord.quality))
    over = tune.over(slot.start, slot.end)
    sounding = tune.sounding(slot.start)
    strong_beats = set(ctx.meter.group_starts())
    bq = ctx.meter.bar_quarters
    later = [n.pitch for n in tune.onsets(slot.start + _EPS, slot.end)
             if any(abs((n.start % bq) - b) < _EPS for b in strong_beats)]
    return _Heard(tune.heard(slot.start), tune.heard(slot.start - 0.01), min((n.pitch for n in over), default=127),
                  (sounding.pitch,) if sounding is not None else (), tuple(later), tones, scale | tones)


def _note_cost(pitch: int, slot: Slot, heard: _Heard, centre: float) -> float:
    """What one pitch costs at a slot on its own: under the tune, consonant and a chord tone on strong beats."""
    if pitch >= heard.ceiling or pitch % 12 not in heard.allowed:
        return _IMPOSSIBLE
    cost = 0.04 * abs(pitch - centre)
    for m in heard.onset_pitches:
        consonant = (m - pitch) % 12 in CONSONANT
        if slot.strong and not consonant:
            return _IMPOSSIBLE
        cost += 0 if consonant else 2.5
    if slot.strong and pitch % 12 not in heard.chord:
        return _IMPOSSIBLE
    cost += 0 if pitch % 12 in heard.chord else 0.8
    cost += sum(1.5 for m in heard.strong_pitches if (m - pitch) % 12 not in CONSONANT)
    if heard.melody_now is not None:
        gap = heard.melody_now - pitch
        cost += 2.0 if gap < 3 else 0.25 * max(0, gap - 16)
    return cost


def _motion_cost(prev: int, pitch: int, leap_before: int, now: _Heard) -> float:
    """What moving prev -> pitch costs against the tune's move: parallel perfect intervals are impossible,
    parallel imperfect ones and similar motion cost, contrary and oblique motion are what a second voice does;
    steps are cheap, leaps dear, a leap is followed by a step back."""
    move = pitch - prev
    leap = abs(move)
    if leap > 12:
        return _IMPOSSIBLE
    cost = (2.0, 0.0, 0.0, 1.4, 1.6, 2.2, 3.0, 2.6, 3.5, 3.5, 4.5, 4.5, 4.0)[leap]
    if abs(leap_before) >= 5 and not (0 < leap <= 2 and (move > 0) != (leap_before > 0)):
        cost += 1.5
    if now.melody_before is None or now.melody_now is None:
        return cost
    tune_move = now.melody_now - now.melody_before
    before, after = now.melody_before - prev, now.melody_now - pitch
    if tune_move == 0:
        return cost + (1.0 if move == 0 else -0.3)  # oblique: the counter moves while the tune holds
    if move == 0:
        return cost - 0.3  # oblique: the counter holds while the tune moves
    if (move > 0) == (tune_move > 0):
        if after % 12 in PERFECT and (before % 12 == after % 12):
            return _IMPOSSIBLE  # parallel fifths or octaves
        cost += 2.0
        if generic_interval(before) == generic_interval(after):
            cost += 3.0  # parallel thirds or sixths: the shadow this module replaces
        if after % 12 in PERFECT:
            cost += 2.0  # direct fifths or octaves
        return cost
    return cost - 1.0  # contrary motion


def _trill_cost(pitches: tuple[int, ...], pitch: int) -> float:
    """A line going back and forth between two notes (a-b-a-b) goes nowhere: it costs."""
    return 2.0 if len(pitches) >= 3 and pitch == pitches[-2] and pitches[-1] == pitches[-3] else 0.0


@dataclass(frozen=True)
class _State:
    cost: float
    pitches: tuple[int, ...]
    leap: int


def _search(slots: list[Slot], heard: list[_Heard], window: tuple[int, int], rng: np.random.Generator) -> list[int]:
    """The cheapest line over the slots (beam search); a slot with no legal pitch relaxes to the nearest pitch
    under the tune, so a line always comes out."""
    low, high = window
    centre = (low + high) / 2
    beam = [_State(0.0, (), 0)]
    for k, slot in enumerate(slots):
        noise = rng.normal(0.0, 0.25, high - low + 1)
        options: list[_State] = []
        for pitch in range(low, high + 1):
            alone = _note_cost(pitch, slot, heard[k], centre)
            if alone == _IMPOSSIBLE:
                continue
            alone += float(noise[pitch - low])
            for state in beam:
                if not state.pitches:
                    options.append(_State(alone, (pitch,), 0))
                    continue
                step = _motion_cost(state.pitches[-1], pitch, state.leap, heard[k]) + _trill_cost(state.pitches, pitch)
                if step != _IMPOSSIBLE:
                    options.append(_State(state.cost + alone + step, (*state.pitches, pitch), pitch - state.pitches[-1]))
        if not options:
            fallback = max(low, min(high, heard[k].ceiling - 3))
            options = [_State(s.cost + 5.0, (*s.pitches, fallback), fallback - (s.pitches[-1] if s.pitches else fallback))
                       for s in beam]
        options.sort(key=lambda s: s.cost)
        kept: dict[int, _State] = {}
        for state in options:
            kept.setdefault(state.pitches[-1], state)
            if len(kept) >= BEAM_WIDTH:
                break
        beam = list(kept.values())
    return list(min(beam, key=lambda s: s.cost).pitches)


def counter_melody(melody: list[Note], ctx: Context, program: int) -> list[Note]:
    """A counter-melody for `program` under `melody` (the tune as its instrument plays it): its own rhythm and
    contour, consonant with the tune and the chords where it matters, in the instrument's counter window (reaching
    lower in its range where the tune sits under that window)."""
    if not melody or ctx.spec.bars < 1:
        return []
    tune = _Tune(melody)
    rng = ctx.rng.spawn(1)[0]  # its own draws: the parts written after it are the same with or without it
    scale = frozenset(scale_pcs(ctx.spec.tonic, ctx.spec.mode))
    slots = _slots(tune, ctx, rng)
    heard = [_hear(slot, tune, ctx, scale) for slot in slots]
    pitches = _search(slots, heard, _window(program, melody), rng)
    return [Note(pitch, slot.start, (slot.end - slot.start) * (0.95 if k + 1 < len(slots) else 1.0), -4)
            for k, (slot, pitch) in enumerate(zip(slots, pitches, strict=True))]


def _window(program: int, melody: list[Note]) -> tuple[int, int]:
    """The counter's register: its role window, moved down within the instrument's range when the tune's middle
    sits less than a fifth above the window's bottom (a flute counter under a clarinet's low tune)."""
    low, high = role_window(program, "counter")
    floor = instrument_range(program)[0]
    middle = sorted(n.pitch for n in melody)[len(melody) // 2]
    if middle - 7 < low:
        low = max(floor, middle - 19)
        high = max(low + 12, min(high, middle))
    return low, high
