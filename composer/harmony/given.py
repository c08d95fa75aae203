"""The user's own progression as the harmony plan: their chords, in their order, at their harmonic rhythm.

When a Spec carries `chords` (symbols such as "Dm7", "C/E", "Bb7#5", read by the prompt reader), the plan
is exactly those chords looped over the piece: no style vocabulary re-colours them (a "C" stays a C triad),
no tonic is forced at the start or end and no cadence is written over them. A progression longer than the
piece is played in order and cut; `dropped_note` says so when that loses chords the listener never hears.
"""

from __future__ import annotations

import math
from dataclasses import replace

from composer.meter import split_point
from composer.piece import Chord
from composer.theory import PITCH_CLASSES, chord_pcs
from prompts.music import TRIAD_OF, split_chord_symbol
from prompts.spec import Spec


def heard_triad(quality: str) -> str:
    """The triad a chord of this quality is heard as (`prompts.music.TRIAD_OF`), except that a diminished
    seventh stays whole: it is symmetric, so each of its notes can be heard as its root."""
    return "dim7" if quality == "dim7" else TRIAD_OF.get(quality, quality)


def triad_chord(chord: Chord) -> Chord:
    """The chord reduced to the triad a listener names it by (Am9 -> Am, C7#9 -> C, D11 -> Dsus4).

    A melody over the user's chords leans on these notes where the beat is strong: a held ninth or sharp
    ninth on a downbeat re-names the chord (E7#9 with a long G on top is heard as E minor)."""
    return replace(chord, quality=heard_triad(chord.quality))


def clashing_pcs(chord: Chord, scale: set[int] | frozenset[int]) -> frozenset[int]:
    """Scale notes a melody must not sound over a user's chord: a semitone from one of its triad tones that the
    scale lacks (F natural against D7's F# in C major; the F# itself is then the note to play)."""
    tones = set(chord_pcs(chord.root_pc, heard_triad(chord.quality)))
    altered = tones - set(scale)
    return frozenset(p for p in scale if p not in tones and any((p - a) % 12 in (1, 11) for a in altered))


def slot_spans(spec: Spec) -> list[tuple[float, float]]:
    """(start, length) in quarter notes of each harmonic-rhythm slot of the piece, in order.

    One per bar; two per bar split where a two-chord bar changes (`split_point`); or one per two bars
    (an odd last bar gets a slot of its own). The chord-hearing checks listen over the same slots.
    """
    bar_q = spec.bar_quarters
    if spec.chords_per_bar == 2.0:
        num, den = spec.meter
        cut = split_point(bar_q, num, den)
        return [span for bar in range(spec.bars)
                for span in ((bar * bar_q, cut), (bar * bar_q + cut, bar_q - cut))]
    if spec.chords_per_bar == 0.5:
        return [(2 * k * bar_q, min(2, spec.bars - 2 * k) * bar_q) for k in range(math.ceil(spec.bars / 2))]
    return [(bar * bar_q, bar_q) for bar in range(spec.bars)]


def given_chord(symbol: str, start: float, duration: float) -> Chord:
    """A plan chord from a normalised symbol: its root, quality and bass exactly as written."""
    root, quality, bass = split_chord_symbol(symbol)
    bass_pc = None if bass is None else PITCH_CLASSES[bass]
    return Chord(start, duration, PITCH_CLASSES[root], quality, symbol, bass_pc)


def slot_symbols(spec: Spec) -> list[str]:
    """The symbol each slot plays: the progression looped, or cut when it is longer than the piece."""
    count = len(slot_spans(spec))
    return [spec.chords[k % len(spec.chords)] for k in range(count)]


def plan_given(spec: Spec) -> list[Chord]:
    """The harmony plan of a Spec whose user gave the chords (neighbours with one symbol held as one)."""
    if not spec.chords:
        raise ValueError("plan_given needs a Spec with chords")
    merged: list[Chord] = []
    for (start, length), symbol in zip(slot_spans(spec), slot_symbols(spec), strict=True):
        last = merged[-1] if merged else None
        if last is not None and last.symbol == symbol:
            merged[-1] = given_chord(symbol, last.start, last.duration + length)
        else:
            merged.append(given_chord(symbol, start, length))
    return merged


def dropped_note(spec: Spec) -> str | None:
    """A remark when the piece is too short for the whole progression and chords that are not a repeat of
    what was played are left out (8 chords over 4 bars: the last 4 are never heard), else None."""
    count = len(slot_spans(spec))
    chords = spec.chords
    if len(chords) <= count or all(chords[k] == chords[k % count] for k in range(count, len(chords))):
        return None
    return (f"the progression has {len(chords)} chords and {spec.bars} bars hold {count} of them: played "
            f"{' '.join(chords[:count])} (ask for more bars to hear them all)")
