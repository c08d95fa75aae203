"""A chord edit's remix: the parent's tune over new chords, its rhythm and contour kept, its pitches fitted.

"change the chords to Am F C G", "use a ii-V-I", "jazzier chords": every melody note keeps its onset and
duration; its pitch moves to the nearest one that fits the new chord where the beat is strong (a chord tone
of the triad the chord is heard by; at two chords a bar every beat is strong, and a note held over a chord
change fits both chords where it can) and the key elsewhere (no note a semitone against an altered chord tone),
choosing among them, over the whole line at once, the pitches that keep the direction of each step, inside
the range the lead plays the line in (a pitch past it would be folded an octave alone by the arranger, turning
the steps on both sides of it: a cello tune at the top of its range over new chords). The harmony plan is
the new progression (`composer.harmony.given`), and bass, comping and drums are arranged anew over it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.arrange.arranger import arrange, lead_instrument, melody_bounds
from composer.harmony.given import clashing_pcs, slot_spans, triad_chord
from composer.harmony.plan import plan_harmony
from composer.lines import EPS, transpose_symbols
from composer.melody.source import chord_at
from composer.meter import meter_of
from composer.piece import Chord, Note, Piece
from composer.styles import style_for
from composer.theory import chord_pcs, scale_pcs
from prompts.edit.types import EditPlan, recolour
from prompts.spec import Spec

REACH = 6
"""Semitones a melody note may move to fit a chord (at most a tritone either way)."""
CONTOUR_COST = 8.0
"""The cost of a step that changes direction (up, down, same), against one semitone moved."""
PASSING_COST = 0.6
"""The cost of a note off the chord where the beat is weak (in the key, so allowed, but less clear)."""


def parent_progression(parent: Piece, child: Spec, plan: EditPlan) -> tuple[str, ...]:
    """The parent's own plan chords as the child's progression (for a parent whose style chose them).

    One symbol per slot of the parent; a slower harmonic rhythm takes the chord sounding at each new slot's
    start instead (every other bar's chord), so the progression still ends where the parent's did. Moved with
    the notes when the remix transposes, and recoloured as `plan.chords_from_parent` says."""
    def at(time: float) -> Chord:
        return chord_at(parent.chords, time) or parent.chords[0]

    spans = slot_spans(parent.spec)
    if child.chords_per_bar < parent.spec.chords_per_bar:
        spans = slot_spans(replace(parent.spec, chords_per_bar=child.chords_per_bar))
    symbols = tuple(at(start).symbol for start, _ in spans)
    if plan.transpose_semitones:
        symbols = transpose_symbols(symbols, plan.transpose_semitones, child)
    return recolour(symbols, child.tonic, child.mode, plan.chords_from_parent)


def reharmonise(spec: Spec, melody: list[Note], rng: np.random.Generator, engine: str) -> Piece:
    """The piece of `spec` (whose `chords` are the new progression) around `melody`, fitted to them."""
    style = style_for(spec.genre)
    chords = plan_harmony(spec, style, rng)
    fitted = fit_melody(melody, chords, spec, melody_bounds(melody, lead_instrument(spec).program, spec.register))
    tracks = arrange(spec, style, chords, fitted, rng)
    return Piece(spec, tracks, chords, swing=style.swing, engine=engine)


def _strong(note: Note, chords: list[Chord], spec: Spec) -> bool:
    """On a beat group's start, held two beats or more, or where a chord begins: heard against the chord. At
    two chords a bar every felt beat counts, and so does a note held a beat: a chord then lasts two beats, and
    a note off it on the second beat, or held through it, fills half of what the chord is heard by."""
    meter = meter_of(spec)
    offset = note.start % spec.bar_quarters
    short = spec.chords_per_bar >= 2
    starts = [t for t, _ in meter.beats()] if short else meter.group_starts()
    on_beat = any(abs(offset - start) < EPS for start in starts)
    on_change = any(abs(c.start - note.start) < EPS for c in chords)
    held = meter.beats()[0][1] if short else meter.unit * 2
    return on_beat or on_change or note.duration >= held - EPS


def _heard_tones(chord: Chord) -> set[int]:
    """The notes of the triad a chord is heard by."""
    heard = triad_chord(chord)
    return set(chord_pcs(heard.root_pc, heard.quality))


def _tones_under(note: Note, chords: list[Chord]) -> set[int]:
    """The chord tones a note can hold: those of its chord, and where it is held over a chord change (a beat
    or more into the next chord), those of both chords where they share any, else those of the chord it
    sounds longest over."""
    chord = chord_at(chords, note.start) or chords[0]
    tones = _heard_tones(chord)
    later = [c for c in chords if note.start + EPS < c.start < note.end - EPS]
    for nxt in later:
        if note.end - nxt.start < 1.0 - EPS:
            continue
        both = tones & _heard_tones(nxt)
        if both:
            tones = both
        elif min(note.end, nxt.end) - nxt.start > nxt.start - note.start:
            tones = _heard_tones(nxt)
    return tones


def _allowed(note: Note, chords: list[Chord], spec: Spec, scale: set[int]) -> dict[int, float]:
    """Pitch classes the note may take, each with its cost: chord tones free, other notes of the key a little."""
    chord = chord_at(chords, note.start) or chords[0]
    tones = _tones_under(note, chords)
    if _strong(note, chords, spec):
        return dict.fromkeys(tones, 0.0)
    passing = dict.fromkeys((scale - clashing_pcs(chord, scale)) | set(chord_pcs(chord.root_pc, chord.quality)),
                            PASSING_COST)
    return passing | dict.fromkeys(tones, 0.0)


def _sign(step: int) -> int:
    return (step > 0) - (step < 0)


def fit_melody(melody: list[Note], chords: list[Chord], spec: Spec,
               bounds: tuple[int, int] | None = None) -> list[Note]:
    """The melody with each pitch moved (the least, over the line) to fit `chords`; onsets, durations and
    velocities kept, and the direction of every step where the chords allow it (a Viterbi pass). Pitches stay
    inside `bounds` (lowest, highest) where a fitting one lies there: the range the lead will play them in."""
    low, high = bounds if bounds is not None else (0, 127)
    if not melody or not chords:
        return [Note(n.pitch, n.start, n.duration, n.velocity) for n in melody]
    scale = set(scale_pcs(spec.tonic, spec.mode))
    options, extra = [], []
    for note in melody:
        allowed = _allowed(note, chords, spec, scale)
        fits = [p for p in range(note.pitch - REACH, note.pitch + REACH + 1) if p % 12 in allowed]
        near = [p for p in fits if low <= p <= high] or fits or [note.pitch]
        options.append(near)
        extra.append([allowed.get(p % 12, 0.0) + abs(p - note.pitch) for p in near])
    costs = list(extra[0])
    back: list[list[int]] = []
    for i in range(1, len(melody)):
        want = _sign(melody[i].pitch - melody[i - 1].pitch)
        row_costs, row_back = [], []
        for j, p in enumerate(options[i]):
            best = min(range(len(options[i - 1])), key=lambda k: costs[k] + CONTOUR_COST * (
                _sign(p - options[i - 1][k]) != want))
            row_costs.append(costs[best] + CONTOUR_COST * (_sign(p - options[i - 1][best]) != want) + extra[i][j])
            row_back.append(best)
        costs, back = row_costs, [*back, row_back]
    choice = min(range(len(costs)), key=lambda k: costs[k])
    pitches = [options[-1][choice]]
    for i in range(len(melody) - 1, 0, -1):
        choice = back[i - 1][choice]
        pitches.append(options[i - 1][choice])
    pitches.reverse()
    return [Note(p, n.start, n.duration, n.velocity) for p, n in zip(pitches, melody, strict=True)]
