"""Turn one parsed music21 score into a normalised monophonic melody record.

The rules (why each exists):
- bar lines must sit at multiples of the bar length so metric position can be read from the onset alone;
  so positions are computed measure by measure, and a pickup bar is right-aligned in bar 0;
- one note at a time (top note of chords and of overlapping voices) because the models are monophonic;
- grace notes are ornaments, not rhythm, so they are dropped; ties are merged (same pitch only: O'Neill's
  transcriptions use "-" between different pitches as a slur);
- the key is normalised to C (major-like modes) or A (minor-like modes) so statistics pool across keys,
  while the original tonic and mode are kept as attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from music21 import chord as m21chord
from music21 import meter as m21meter
from music21 import note as m21note
from music21 import stream as m21stream

from composer.melody.corpus import GRID
from composer.theory import MODE_INTERVALS, mode_family

MIN_BARS = 2
MIN_NOTES = 8


class ExtractError(ValueError):
    """A piece that cannot give a usable melody (no meter, too short, empty...)."""


@dataclass(frozen=True)
class KeyInfo:
    """The original key of a piece: tonic pitch class and mode name."""

    tonic_pc: int
    mode: str


@dataclass
class RawLine:
    """A monophonic line in bar-aligned positions, before key normalisation."""

    meter: str
    bar_ql: float
    pickup_ql: float
    notes: list[tuple[int, float, float]]


def quantise(value: float) -> float:
    """Round a quarter-length to the 1/12 grid, kept to 4 decimals so JSON stays short and stable."""
    return round(round(value * GRID) / GRID, 4)


def first_meter(part: m21stream.Stream) -> m21meter.TimeSignature:
    """The first time signature of a part; a piece without one has no bars, so it is refused."""
    for ts in part.recurse().getElementsByClass(m21meter.TimeSignature):
        return ts
    raise ExtractError("no time signature")


def extract_line(part: m21stream.Stream) -> RawLine:
    """Bar-aligned skyline of one part, cut at the first change of meter."""
    ts = first_meter(part)
    bar_ql = float(ts.barDuration.quarterLength)
    measures = list(part.getElementsByClass(m21stream.Measure))
    if not measures:
        measures = list(part.makeMeasures().getElementsByClass(m21stream.Measure))
    events: list[tuple[float, int, float, bool]] = []
    pickup_ql = 0.0
    for index, measure in enumerate(measures):
        local_ts = measure.timeSignature
        if index > 0 and local_ts is not None and local_ts.ratioString != ts.ratioString:
            break
        content_ql = float(measure.highestTime)
        pad = float(measure.paddingLeft or 0.0)
        if index == 0 and 0 < content_ql < bar_ql:
            pad = bar_ql - content_ql
            pickup_ql = content_ql
        events.extend(_measure_events(measure, index * bar_ql + pad))
    notes = _merge_ties(_skyline(events))
    if len(notes) < MIN_NOTES:
        raise ExtractError(f"only {len(notes)} notes")
    return RawLine(ts.ratioString, bar_ql, quantise(pickup_ql), notes)


def _measure_events(measure: m21stream.Measure, base_ql: float) -> list[tuple[float, int, float, bool]]:
    """(onset, pitch, duration, tied-forward) for every sounding note of a measure, voices flattened."""
    out: list[tuple[float, int, float, bool]] = []
    for element in measure.recurse().notes:
        if element.duration.isGrace or element.quarterLength <= 0:
            continue
        if isinstance(element, m21chord.Chord):
            pitch = max(p.midi for p in element.pitches)
        elif isinstance(element, m21note.Note):
            pitch = element.pitch.midi
        else:
            continue
        onset = base_ql + float(element.getOffsetInHierarchy(measure))
        tied = element.tie is not None and element.tie.type in ("start", "continue")
        out.append((quantise(onset), int(pitch), float(element.quarterLength), tied))
    return out


def _skyline(events: list[tuple[float, int, float, bool]]) -> list[tuple[float, int, float, bool]]:
    """One note at a time: highest note per onset, earlier notes cut at the next onset."""
    best: dict[float, tuple[float, int, float, bool]] = {}
    for event in events:
        if event[0] not in best or event[1] > best[event[0]][1]:
            best[event[0]] = event
    ordered = [best[onset] for onset in sorted(best)]
    line: list[tuple[float, int, float, bool]] = []
    for pos, (onset, pitch, dur, tied) in enumerate(ordered):
        if pos + 1 < len(ordered):
            dur = min(dur, ordered[pos + 1][0] - onset)
        dur = quantise(dur)
        if dur > 0:
            line.append((onset, pitch, dur, tied))
    return line


def _merge_ties(line: list[tuple[float, int, float, bool]]) -> list[tuple[int, float, float]]:
    """Merge a tied note into its successor when the pitch is the same and they touch."""
    merged: list[list] = []
    for onset, pitch, dur, tied in line:
        if merged:
            prev = merged[-1]
            if prev[3] and prev[0] == pitch and abs(prev[1] + prev[2] - onset) < 1e-6:
                prev[2] = quantise(prev[2] + dur)
                prev[3] = tied
                continue
        merged.append([pitch, onset, dur, tied])
    return [(int(p), float(o), float(d)) for p, o, d, _ in merged]


def transpose_shift(key: KeyInfo) -> int:
    """Semitones that move the tonic to C (major-like) or A (minor-like), the smallest such move."""
    target = 0 if mode_family(key.mode) == "major" else 9
    shift = (target - key.tonic_pc) % 12
    return shift - 12 if shift > 6 else shift


def normalise(line: RawLine, key: KeyInfo) -> list[tuple[int, float, float]]:
    """The line transposed to C major / A minor (or the C/A-based mode)."""
    shift = transpose_shift(key)
    return [(pitch + shift, onset, dur) for pitch, onset, dur in line.notes]


def refine_key(declared: KeyInfo, final_pc: int) -> KeyInfo:
    """Read the mode from the final note when the key signature only says "major".

    Why: most ABC files write only the key signature (Essen marks almost no minor keys, O'Neill's writes
    many dorian tunes as K:G). Given the signature, the final's degree names the mode: 1 major,
    2 dorian, 5 mixolydian, 6 minor. Other finals are ambiguous, so the declared key stands.
    """
    if declared.mode != "major":
        return declared
    degree = (final_pc - declared.tonic_pc) % 12
    modes = {0: "major", 2: "dorian", 7: "mixolydian", 9: "minor"}
    if degree not in modes:
        return declared
    return KeyInfo(final_pc, modes[degree])


def analysed_key(score: m21stream.Stream) -> KeyInfo:
    """Key of a score without an ABC K: field, by music21's Krumhansl-Schmuckler analysis."""
    result = score.analyze("key")
    mode = "minor" if result.mode == "minor" else "major"
    return KeyInfo(int(result.tonic.pitchClass), mode)


def scale_fit(notes: list[tuple[int, float, float]], key: KeyInfo) -> float:
    """Share of the melody's duration whose pitch class lies in the key's scale (1.0 = fully diatonic)."""
    scale = {(key.tonic_pc + step) % 12 for step in MODE_INTERVALS[key.mode]}
    total = sum(dur for _, _, dur in notes)
    inside = sum(dur for pitch, _, dur in notes if pitch % 12 in scale)
    return inside / total if total > 0 else 0.0
