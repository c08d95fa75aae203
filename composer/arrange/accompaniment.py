"""Bass lines and comping patterns, written against the meter's beats and the harmony plan.

Each pattern is a small function that lays out one bar as (offset, length, tone) events, where a tone
is a role in the chord ("R" root, "5" fifth, "A" approach to the next chord, "C" the whole voicing,
"3"/"7"/"8"...). `realise_bass` and `realise_comping` then turn tones into pitches with smooth motion
inside the instrument's register, so every pattern works in every key, meter and range.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from composer.meter import Meter
from composer.piece import Chord, Note
from composer.theory import CHORD_INTERVALS, chord_pcs, nearest_pitch, scale_pcs
from prompts.spec import Spec

Event = tuple[float, float, str]
"""(offset in the bar, length in quarters, tone)."""


class PatternError(ValueError):
    """Raised for a bass or comping pattern id no function implements."""


@dataclass
class Context:
    """What a pattern needs: the spec, its meter, the harmony plan and the seeded generator."""

    spec: Spec
    meter: Meter
    chords: list[Chord]
    rng: np.random.Generator
    starts: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = [c.start for c in self.chords]

    def chord_at(self, t: float) -> Chord:
        """The chord sounding at time t (the last one at or before it)."""
        return self.chords[max(0, bisect.bisect_right(self.starts, t + 1e-9) - 1)]

    def next_chord(self, t: float) -> Chord:
        """The chord after the one sounding at t (itself at the end of the piece)."""
        index = max(0, bisect.bisect_right(self.starts, t + 1e-9) - 1)
        return self.chords[min(index + 1, len(self.chords) - 1)]

    def changes_within(self, t: float, length: float) -> bool:
        """True when a new chord starts in (t, t + length]."""
        return any(t + 1e-9 < s <= t + length + 1e-9 for s in self.starts) or \
            abs(t + length - self.spec.bars * self.meter.bar_quarters) < 1e-9


def _walking(ctx: Context, bar: int) -> list[Event]:
    m, start = ctx.meter, bar * ctx.meter.bar_quarters
    events = []
    for offset, length in m.beats():
        t = start + offset
        if ctx.chord_at(t).start >= t - 1e-9:
            tone = "R"
        elif ctx.changes_within(t, length):
            tone = "A"
        else:
            tone = str(ctx.rng.choice(["3", "5", "S", "8"]))
        events.append((offset, length * 0.95, tone))
    return events


def _root_fifth(ctx: Context, bar: int) -> list[Event]:
    m = ctx.meter
    events = []
    for i, (offset, size) in enumerate(zip(m.group_starts(), m.groups, strict=True)):
        chord_start = ctx.chord_at(bar * m.bar_quarters + offset).start
        fresh = abs(chord_start - (bar * m.bar_quarters + offset)) < 1e-9
        events.append((offset, size * m.unit * 0.9, "R" if fresh or i % 2 == 0 else "5"))
    return events


def _eighths(tones: tuple[str, ...]) -> Callable[[Context, int], list[Event]]:
    def pattern(ctx: Context, bar: int) -> list[Event]:
        step = 0.5
        count = round(ctx.meter.bar_quarters / step)
        return [(i * step, step * 0.85, tones[i % len(tones)]) for i in range(count)]
    return pattern


def _root_offbeat(ctx: Context, bar: int) -> list[Event]:
    return [(t + 0.5, 0.4, "R") for t in ctx.meter.unit_starts() if t + 0.5 < ctx.meter.bar_quarters]


def _boom_chic(ctx: Context, bar: int) -> list[Event]:
    m = ctx.meter
    return [(offset, m.unit * 0.9, "R" if i % 2 == 0 else "5") for i, offset in enumerate(m.group_starts())]


def per_group(figure: tuple[Event, ...]) -> Callable[[Context, int], list[Event]]:
    """A two-beat figure repeated per group (cut to the group's length)."""
    def pattern(ctx: Context, bar: int) -> list[Event]:
        m, events = ctx.meter, []
        for offset, size in zip(m.group_starts(), m.groups, strict=True):
            span = size * m.unit
            events += [(offset + t, min(length, span - t), tone) for t, length, tone in figure if t < span]
        return events
    return pattern


def _sustain(ctx: Context, bar: int) -> list[Event]:
    m, start = ctx.meter, bar * ctx.meter.bar_quarters
    events, t = [], start
    while t < start + m.bar_quarters - 1e-9:
        end = min(ctx.chord_at(t).end, start + m.bar_quarters)
        events.append((t - start, (end - t) * 0.97, "R"))
        t = end
    return events


def _pedal(ctx: Context, bar: int) -> list[Event]:
    return [(0.0, ctx.meter.bar_quarters * 0.98, "T")]


def _808(ctx: Context, bar: int) -> list[Event]:
    if ctx.meter.groups != (2, 2) or ctx.meter.compound:
        return _sustain(ctx, bar)
    return [(0.0, 0.7, "R"), (0.75, 1.7, "R"), (2.5, 1.45, "8" if bar % 2 else "R")]


BASS_PATTERNS: dict[str, Callable[[Context, int], list[Event]]] = {
    "walking": _walking,
    "root_fifth": _root_fifth,
    "root_eighths": _eighths(("R",)),
    "root_octave": _eighths(("R", "8")),
    "root_offbeat": _root_offbeat,
    "boom_chic": _boom_chic,
    "bossa": per_group(((0.0, 1.4, "R"), (1.5, 0.45, "5"))),
    "tumbao": per_group(((0.0, 0.45, "R"), (1.5, 0.45, "5"))),
    "tango": per_group(((0.0, 0.7, "R"), (1.0, 0.45, "5"))),
    "reggae": per_group(((0.0, 0.9, "R"), (1.5, 0.45, "3"))),
    "funk": per_group(((0.0, 0.45, "R"), (0.75, 0.2, "8"), (1.5, 0.2, "7"))),
    "root_sustain": _sustain,
    "chorale": _sustain,
    "808_sustain": _808,
    "pedal": _pedal,
}


def _tone_pc(tone: str, chord: Chord, nxt: Chord, spec: Spec, rng: np.random.Generator) -> int:
    intervals = CHORD_INTERVALS[chord.quality]
    if spec.chords and chord.bass_pc is not None:
        return _slash_tone_pc(tone, chord, nxt, spec, rng)
    if spec.chords:
        tone = _given_tone(tone)
    root = chord.root_pc if chord.bass_pc is None else chord.bass_pc
    if chord.bass_pc is not None and tone in ("3", "7", "S"):
        tone = "5"
    if tone == "5" and chord.quality == "aug7":
        return (root + 8) % 12
    if tone == "T":
        return scale_pcs(spec.tonic, spec.mode)[0]
    if tone == "3":
        return (root + intervals[1]) % 12 if len(intervals) > 2 else (root + 7) % 12
    if tone == "5":
        return (root + (7 if 7 in intervals else intervals[-1])) % 12
    if tone == "7":
        return (root + intervals[3]) % 12 if len(intervals) > 3 else root
    if tone == "A":
        approach = (nxt.root_pc + int(rng.choice([-1, 1, 7]))) % 12
        outside = approach not in chord_pcs(chord.root_pc, chord.quality) and approach not in scale_pcs(spec.tonic, spec.mode)
        return (nxt.root_pc + 7) % 12 if spec.chords and outside else approach
    if tone == "S":
        scale = scale_pcs(spec.tonic, spec.mode)
        return scale[(scale.index(root) + 1) % 7] if root in scale else (root + 2) % 12
    return root


def _given_tone(tone: str) -> str:
    """A bass tone over a user's chords: the pedal follows their roots, a walking line steps through the chord
    (not a scale step held for beats: E7 walked F#-F#-F#-E is heard as Esus2); `_tone_pc` leads an approach
    from outside both the chord and the key in from the next chord's fifth instead."""
    if tone == "T":
        return "R"
    if tone == "S":
        return "3"
    return tone


def _slash_tone_pc(tone: str, chord: Chord, nxt: Chord, spec: Spec, rng: np.random.Generator) -> int:
    """A user's slash chord (C/E, D/F#, G/C): the root of the bass line is the named bass, and its other
    tones come from the chord above it (a style's pedal chord instead keeps its tones over the pedal)."""
    assert chord.bass_pc is not None
    if tone in ("R", "T"):
        return chord.bass_pc
    if tone in ("5", "8"):
        return (chord.root_pc + 7) % 12 if 7 in CHORD_INTERVALS[chord.quality] else chord.root_pc
    plain = Chord(chord.start, chord.duration, chord.root_pc, chord.quality, chord.symbol)
    return _tone_pc(tone, plain, nxt, spec, rng)


def realise_bass(ctx: Context, pattern: str, low: int, high: int, bars: range) -> list[Note]:
    """Bass notes for the given bars of the pattern, kept in [low, high] and moving smoothly."""
    maker = BASS_PATTERNS.get(pattern)
    if maker is None:
        raise PatternError(f"unknown bass pattern {pattern!r}")
    notes: list[Note] = []
    prev, root_pitch = low + 7, low + 7
    for bar in bars:
        for offset, length, tone in maker(ctx, bar):
            t = bar * ctx.meter.bar_quarters + offset
            chord, nxt = ctx.chord_at(t), ctx.next_chord(t)
            if tone == "8":
                pitch = root_pitch + 12 if root_pitch + 12 <= high else root_pitch
            else:
                pc = _tone_pc(tone, chord, nxt, ctx.spec, ctx.rng)
                target = prev if tone != "R" else min(prev, low + 10)
                pitch = max(low, min(high, _in_range(nearest_pitch(pc, target), low, high)))
                if tone in ("R", "T"):
                    root_pitch = pitch
            notes.append(Note(pitch, t, length, 0))
            prev = pitch
    return notes


def _in_range(pitch: int, low: int, high: int) -> int:
    while pitch < low:
        pitch += 12
    while pitch > high and pitch - 12 >= low:
        pitch -= 12
    return pitch
