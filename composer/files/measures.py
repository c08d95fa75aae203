"""A track sliced into music21 measures: the beat grid, note spelling, ties and the drum staff.

Times are snapped to one grid per beat of a part, sixteenths or eighth triplets (`BeatGrid`), so music21
never invents absurd or nested tuplets, and each part is sliced at every onset, release and bar line into
notes, chords and rests tied across the slices; that is the fast path (measures are built directly instead
of asking music21's makeNotation to guess them). Drums become unpitched notes on the conventional
drum-staff lines, each hit lasting until the next one so the staff stays readable. `composer.files.musicxml`
assembles the measures into a score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from music21 import chord as m21chord
from music21 import duration, key, note, percussion, pitch, stream
from music21 import tie as m21tie

from composer.piece import Track
from composer.theory import NOTE_NAMES_FLAT, NOTE_NAMES_SHARP

GRID_DIVISORS = (4, 3)
"""Allowed subdivisions of the quarter note: sixteenths and eighth triplets."""

_MIN_Q = 1.0 / 12
_NEUTRAL = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
"""Chromatic spellings for keys without a signature: the common blue notes Eb and Bb, sharps otherwise."""
EPS = 1e-6
_BLACK_KEYS = frozenset({1, 3, 6, 8, 10})

# GM percussion key -> (display step, octave, notehead) on a five-line drum staff.
_DRUM_DISPLAY = {
    35: ("F", 4, "normal"), 36: ("F", 4, "normal"), 37: ("C", 5, "x"), 38: ("C", 5, "normal"),
    40: ("C", 5, "normal"), 41: ("A", 4, "normal"), 43: ("A", 4, "normal"), 45: ("B", 4, "normal"),
    47: ("D", 5, "normal"), 48: ("E", 5, "normal"), 50: ("E", 5, "normal"), 42: ("G", 5, "x"),
    44: ("D", 4, "x"), 46: ("G", 5, "circle-x"), 49: ("A", 5, "x"), 57: ("A", 5, "x"), 51: ("F", 5, "x"),
    59: ("F", 5, "x"), 53: ("F", 5, "diamond"), 39: ("C", 5, "x"), 54: ("E", 5, "x"), 56: ("E", 5, "triangle"),
}
_DRUM_DEFAULT = ("C", 5, "normal")


TRIPLET_TOLERANCE = 0.02
"""How close (in quarters) a time must be to 1/3 or 2/3 of a beat to count as a written triplet."""


def _beat_divisor(offsets: list[float]) -> int:
    """4 (sixteenths) or 3 (eighth triplets) for one beat, from the times inside it (as fractions of the beat)."""
    def error(div: int, x: float) -> float:
        return abs(x * div - round(x * div)) / div

    triplet_meant = any(error(3, x) < TRIPLET_TOLERANCE < error(4, x) for x in offsets)
    if triplet_meant and sum(error(3, x) for x in offsets) < sum(error(4, x) for x in offsets):
        return 3
    return 4


class BeatGrid:
    """The subdivision each beat of a part is written in, and snapping to it.

    Why one grid per beat: snapping every time on its own to the nearer of the sixteenth and triplet grids
    turns a detached 0.4-beat comping chord (0.4 is nearer 1/3 than 1/2) into a triplet beside sixteenths in
    the same beat, which engraves as nested tuplets. A beat is written in triplets only where a note really
    starts or ends on a triplet position and triplets fit the beat's times better; otherwise in sixteenths.
    """

    def __init__(self, times: Iterable[float]) -> None:
        inside: dict[int, list[float]] = {}
        for t in times:
            beat = math.floor(t + EPS)
            if t - beat > EPS:
                inside.setdefault(beat, []).append(t - beat)
        self.divisors = {beat: _beat_divisor(offsets) for beat, offsets in inside.items()}

    def divisor(self, t: float) -> int:
        return self.divisors.get(math.floor(t + EPS), GRID_DIVISORS[0])

    def snap(self, t: float) -> float:
        div = self.divisor(t)
        return round(t * div) / div


@dataclass(frozen=True)
class Span:
    pitch: int
    start: float
    end: float


def track_spans(track: Track, total: float) -> list[Span]:
    grid = BeatGrid([t for n in track.notes for t in (n.start, n.end)])
    out = []
    for n in track.notes:
        start = min(max(0.0, grid.snap(n.start)), total)
        end = min(max(grid.snap(n.end), start + 1 / grid.divisor(start)), total)
        if end - start > EPS:
            out.append(Span(min(127, max(0, int(n.pitch))), start, end))
    return out


def _boundaries(spans: list[Span], bar_q: float, total: float) -> list[float]:
    points = {0.0, total}
    points.update(i * bar_q for i in range(int(round(total / bar_q)) + 1))
    for s in spans:
        points.update((s.start, s.end))
    return sorted(p for p in {round(p, 6) for p in points} if p <= total + EPS)


def m21_tonic(name: str) -> str:
    """A note name as music21 spells it ("Bb" -> "B-")."""
    return name.replace("b", "-") if len(name) > 1 else name


class Speller:
    """Spells MIDI pitches in a key, the way a copyist would.

    Scale notes are spelled as the key has them. The leading tone is always the letter below the tonic (C# in
    D minor, never Db). Any other black-key note outside the key follows where the line goes: sharp when it
    resolves a semitone up (F#-G), flat when it falls a semitone (Gb-F); otherwise by the key's side of the
    circle of fifths.
    """

    def __init__(self, signature: key.Key) -> None:
        in_key = {p.pitchClass: p.name for p in signature.getPitches()}
        outside = NOTE_NAMES_FLAT if signature.sharps < 0 else NOTE_NAMES_SHARP if signature.sharps else _NEUTRAL
        self.names = [in_key.get(pc) or m21_tonic(outside[pc]) for pc in range(12)]
        self.in_key = frozenset(in_key)
        leading = signature.tonic.transpose("-m2")
        if leading.pitchClass not in in_key:
            self.names[leading.pitchClass] = leading.name
        self.leading_pc = leading.pitchClass
        self.key_alters = {p.step: p.alter for p in signature.alteredPitches}

    def pitch(self, midi: int, toward: int | None = None) -> pitch.Pitch:
        """`toward`: the pitch the line moves to next, when known."""
        pc = midi % 12
        name = self.names[pc]
        if pc not in self.in_key and pc != self.leading_pc and pc in _BLACK_KEYS and toward is not None:
            if toward - midi == 1:
                name = NOTE_NAMES_SHARP[pc]
            elif toward - midi == -1:
                name = m21_tonic(NOTE_NAMES_FLAT[pc])
        p = pitch.Pitch(name)
        p.octave = midi // 12 - 1
        p.octave += (midi - p.midi) // 12
        return p


def _next_pitches(spans: list[Span]) -> dict[Span, int]:
    """For each single note, the nearest pitch among the next onset's notes in the same part (where the line
    goes). Notes of a chord get none: they are spelled as the key has them, not by voice leading."""
    by_onset: dict[float, list[int]] = {}
    for s in spans:
        by_onset.setdefault(round(s.start, 6), []).append(s.pitch)
    onsets = sorted(by_onset)
    following = dict(zip(onsets, onsets[1:], strict=False))
    out = {}
    for s in spans:
        here, after = round(s.start, 6), following.get(round(s.start, 6))
        if after is not None and len(by_onset[here]) == 1:
            out[s] = min(by_onset[after], key=lambda p: abs(p - s.pitch))
    return out


def _mark_accidentals(measure: stream.Measure, key_alters: dict[str, float]) -> None:
    """Show an accidental only where the key signature or an earlier note in the bar does not imply it."""
    state: dict[tuple[str, int | None], float] = {}
    for element in measure.notes:
        for n in getattr(element, "notes", None) or [element]:
            if not isinstance(n, note.Note):
                continue
            p = n.pitch
            slot = (p.step, p.octave)
            expected = state.get(slot, key_alters.get(p.step, 0.0))
            continued = n.tie is not None and n.tie.type in ("stop", "continue")
            show = p.alter != expected and not continued
            if p.alter == 0 and not show:
                p.accidental = None
            elif show:
                p.accidental = pitch.Accidental(p.alter) if p.alter else pitch.Accidental("natural")
                p.accidental.displayStatus = True
            else:  # implied by the signature or the bar: music21 writes an accidental whose status is unset
                p.accidental.displayStatus = False
            state[slot] = p.alter


def _tied_note(p: pitch.Pitch, tie: str | None) -> note.Note:
    n = note.Note(p)
    if tie:
        n.tie = m21tie.Tie(tie)
    return n


EXPRESSIBLE_Q: tuple[float, ...] = (4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 2 / 3, 0.5, 1 / 3, 0.25, 1 / 6, 0.125, 1 / 12)
"""Note values music21 can write on their own (plain, dotted, triplet); longer or odd slices are split."""


def expressible_chunks(length_q: float) -> list[float]:
    """Split a slice into note values MusicXML can express, largest first (5/12 -> 1/3 + 1/12)."""
    chunks: list[float] = []
    left = length_q
    while left > EPS:
        value = next((v for v in EXPRESSIBLE_Q if v <= left + EPS), None)
        if value is None:  # a sliver below the smallest value: give it to the previous chunk
            if chunks:
                chunks[-1] += left
            break
        chunks.append(value)
        left -= value
    return chunks or [length_q]


def _segment(sounding: list[Span], seg_start: float, seg_end: float, speller: Speller,
             toward: dict[Span, int]) -> list[note.GeneralNote]:
    """One slice of a part: rests, notes or chords (tied when the slice needs several note values)."""
    chunks = expressible_chunks(seg_end - seg_start)
    if not sounding:
        return [note.Rest(quarterLength=q) for q in chunks]
    elements: list[note.GeneralNote] = []
    for i, q in enumerate(chunks):
        first, last = i == 0, i == len(chunks) - 1
        parts = []
        for s in sorted({s.pitch: s for s in sounding}.values(), key=lambda s: s.pitch):
            before = s.start < seg_start - EPS or not first
            after = s.end > seg_end + EPS or not last
            tie = "continue" if before and after else "stop" if before else "start" if after else None
            parts.append(_tied_note(speller.pitch(s.pitch, toward.get(s)), tie))
        element: note.GeneralNote = parts[0] if len(parts) == 1 else m21chord.Chord(parts)
        element.duration = duration.Duration(q)
        elements.append(element)
    return elements


def pitched_measures(spans: list[Span], bar_q: float, total: float,
                     spellers: Sequence[Speller]) -> list[stream.Measure]:
    """The part's measures, each bar spelled by its key's `Speller` (`spellers[bar]`, the last one past the end):
    after a key change the notes are written as the new key has them, accidentals against its signature."""
    points = _boundaries(spans, bar_q, total)
    bars = max(1, int(round(total / bar_q)))
    spellers = [spellers[min(bar, len(spellers) - 1)] for bar in range(bars)]
    measures = [stream.Measure(number=i + 1) for i in range(bars)]
    toward = _next_pitches(spans)
    for a, b in zip(points, points[1:], strict=False):
        if b - a < _MIN_Q - EPS:
            continue
        index = min(int((a + EPS) // bar_q), bars - 1)
        sounding = [s for s in spans if s.start <= a + EPS and s.end >= b - EPS]
        offset = a - index * bar_q
        for element in _segment(sounding, a, b, spellers[index], toward):
            measures[index].insert(offset, element)
            offset += element.duration.quarterLength
    for m, speller in zip(measures, spellers, strict=True):
        _mark_accidentals(m, speller.key_alters)
    return measures


def _drum_hit(pitches: list[int]) -> note.GeneralNote:
    hits = []
    for p in sorted(set(pitches)):
        step, octave, head = _DRUM_DISPLAY.get(p, _DRUM_DEFAULT)
        u = note.Unpitched(displayName=f"{step}{octave}")
        u.notehead = head
        hits.append(u)
    return hits[0] if len(hits) == 1 else percussion.PercussionChord(hits)


def drum_measures(spans: list[Span], bar_q: float, total: float) -> list[stream.Measure]:
    bars = max(1, int(round(total / bar_q)))
    onsets: dict[float, list[int]] = {}
    for s in spans:
        onsets.setdefault(round(s.start, 6), []).append(s.pitch)
    measures = [stream.Measure(number=i + 1) for i in range(bars)]
    for index, m in enumerate(measures):
        lo, hi = index * bar_q, (index + 1) * bar_q
        times = sorted(t for t in onsets if lo - EPS <= t < hi - EPS)
        edges = [lo, *times, hi] if not times or times[0] > lo + EPS else [*times, hi]
        for a, b in zip(edges, edges[1:], strict=False):
            if b - a < _MIN_Q - EPS:
                continue
            pitches = onsets.get(round(a, 6))
            offset = a - lo
            for i, q in enumerate(expressible_chunks(b - a)):
                element = _drum_hit(pitches) if pitches and i == 0 else note.Rest()
                element.duration = duration.Duration(q)
                m.insert(offset, element)
                offset += q
    return measures
