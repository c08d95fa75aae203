"""Playing an MMA groove against a harmony plan: drums, a bass line and chord hits for any key and chords.

The groove's patterns are chord-relative (composer.arrange.grooves), so each note is named again against
the chord sounding at its onset: "3" is this chord's third, "a-1" a semitone under the next note, "6" the
sixth step of the piece's scale over this root. Every bar plays its own bar of the groove's sequence (MMA
grooves run 2-8 bars), the groove's fill closes sections and phrases, and its intro and ending play over a
form's intro and outro sections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer.arrange.accompaniment import Context
from composer.arrange.grooves import STEPS_PER_QUARTER, Groove, GroovePart, GrooveSet
from composer.harmony.form import section_spans
from composer.harmony.voicing import voice_chord
from composer.piece import Chord, Note, Track
from composer.theory import CHORD_INTERVALS, chord_pcs, fit_range, scale_pcs
from prompts.spec import Spec

CRASH, KICK = 49, 36
_MAJOR_STEPS = {2: 2, 4: 5, 6: 9, 7: 10}
_MIN_HIT = 0.1


@dataclass(frozen=True)
class BarPlan:
    """Which groove a bar of the piece plays, and which bar of that groove's sequence."""

    groove: Groove
    seq_bar: int
    fill: bool = False


def _fill_bars(spec: Spec) -> set[int]:
    """Bars closing a section (the form's), else every fourth bar of a long phrase; never the last bar."""
    spans = section_spans(spec)
    ends = {s.end_bar - 1 for s in spans} if len(spans) > 1 else set()
    if not ends:
        every = 8 if spec.bars >= 16 else 4
        ends = {bar for bar in range(spec.bars) if (bar + 1) % every == 0}
    return {bar for bar in ends if bar < spec.bars - 1}


def plan_bars(spec: Spec, grooves: GrooveSet) -> list[BarPlan]:
    """One BarPlan per bar: the intro groove over an intro section, the ending over an outro, the fill where
    a section or phrase ends, the main groove's sequence everywhere else (counted from each section start)."""
    spans = section_spans(spec)
    plans: list[BarPlan] = []
    fills = _fill_bars(spec)
    starts = {s.start_bar for s in spans} or {0}
    count_from = 0
    for bar in range(spec.bars):
        span = next((s for s in spans if s.start_bar <= bar < s.end_bar), None)
        name = span.section.name.lower() if span else ""
        if bar in starts:
            count_from = bar
        if span is not None and name.startswith("intro") and grooves.intro is not None:
            plans.append(BarPlan(grooves.intro, (bar - span.start_bar) % grooves.intro.bars))
        elif span is not None and name.startswith("outro") and grooves.end is not None:
            back = span.end_bar - 1 - bar
            plans.append(BarPlan(grooves.end, max(0, grooves.end.bars - 1 - back)))
        elif bar in fills and grooves.fill is not None:
            plans.append(BarPlan(grooves.fill, grooves.fill.bars - 1, True))
        else:
            plans.append(BarPlan(grooves.main, (bar - count_from) % grooves.main.bars))
    return plans


def _time(position: int, groove: Groove, bar_quarters: float, swung: bool) -> float:
    """A stored position as quarters into the piece's bar; a swung piece keeps its notes straight (the MIDI
    writer swings them), so MMA's late off-beat eighths go back to the half beat."""
    beat, step = divmod(position, STEPS_PER_QUARTER)
    if swung and step == 32:
        step = 24
    return (beat + step / STEPS_PER_QUARTER) * bar_quarters / groove.beats


def groove_drums(spec: Spec, grooves: GrooveSet, plans: list[BarPlan], swung: bool,
                 rng: np.random.Generator) -> Track:
    """The drum part: each bar's hits from its groove bar, a crash opening each section, a held final hit."""
    bq = spec.bar_quarters
    notes: list[Note] = []
    section_starts = {s.start_bar for s in section_spans(spec)} | {0}
    for bar, plan in enumerate(plans[:-1] if spec.bars > 1 and spec.ending != "loop" else plans):
        for pitch, hits in plan.groove.drums.items():
            for seq_bar, position, velocity in hits:
                if seq_bar != plan.seq_bar:
                    continue
                t = _time(position, plan.groove, bq, swung)
                if t < bq - 1e-9:
                    vel = int(np.clip(velocity + rng.normal(0.0, 3.0), 20, 127))
                    notes.append(Note(pitch, bar * bq + t, 0.25, vel))
        if bar in section_starts and bar > 0 or bar == 0:
            notes.append(Note(CRASH, bar * bq, 1.0, 96))
    if spec.bars > 1 and spec.ending != "loop":
        last = (spec.bars - 1) * bq
        notes += [Note(KICK, last, bq, 104), Note(CRASH, last, bq, 108)]
    total = spec.bars * bq
    unique = {(round(n.start, 6), n.pitch): Note(n.pitch, n.start, min(n.duration, total - n.start), n.velocity)
              for n in notes if n.start < total - 1e-9}
    return Track("Drums", 0, "drums", sorted(unique.values(), key=lambda n: (n.start, n.pitch)), is_drum=True)


def _interval(tone: str, chord: Chord, spec: Spec) -> int:
    """Semitones over the chord's root for a chord-relative tone name (see composer.learn.grooves._tone)."""
    intervals = CHORD_INTERVALS[chord.quality]
    if tone in ("1", "3", "5") or (tone == "7" and len(intervals) > 3):
        return intervals[min("1357".index(tone), len(intervals) - 1)]
    if tone.startswith("c"):
        return int(tone[1:])
    step = int(tone)
    scale = scale_pcs(spec.tonic, spec.mode)
    if chord.root_pc in scale:
        return (scale[(scale.index(chord.root_pc) + step - 1) % 7] - chord.root_pc) % 12
    return _MAJOR_STEPS.get(step, 0)


def _events(part_of: dict[int, GroovePart | None], plans: list[BarPlan], attr: str,
            bq: float, swung: bool) -> list[tuple[float, tuple]]:
    """(onset in the piece, row) for every stored note or hit of the part each bar's groove gives."""
    out = []
    for bar, plan in enumerate(plans):
        part = part_of.get(id(plan.groove))
        if part is None:
            continue
        for row in getattr(part, attr):
            if row[0] == plan.seq_bar:
                t = _time(row[1], plan.groove, bq, swung)
                if t < bq - 1e-9:
                    out.append((bar * bq + t, row))
    return sorted(out, key=lambda e: e[0])


def _parts(plans: list[BarPlan], role: str, fallback: GroovePart | None) -> dict[int, GroovePart | None]:
    """The part playing `role` in each groove a piece uses (the main groove's where a fill lacks one)."""
    return {id(p.groove): p.groove.part(role) or fallback for p in plans}


def _in_key(pitch: int, scale: tuple[int, ...], chord: Chord) -> int:
    """A chromatic note moved to the nearest tone of the key or the chord (a style without chromatic notes)."""
    allowed = set(scale) | set(chord_pcs(chord.root_pc, chord.quality))
    return min((pitch + d for d in (0, -1, 1, -2, 2)), key=lambda p: (p % 12 not in allowed, abs(p - pitch)))


def groove_bass(ctx: Context, grooves: GrooveSet, plans: list[BarPlan], window: tuple[int, int],
                swung: bool, chromatic: bool = True) -> list[Note]:
    """The groove's bass line (its walking bass where the style walks) over the harmony plan: chord tones on
    this chord's root, scale steps in the piece's key, approach notes a step from the note they lead to
    (moved into the key where the style has no chromatic notes, so the bass keeps telling the key)."""
    scale = scale_pcs(ctx.spec.tonic, ctx.spec.mode)
    low, high = window
    role = "walk" if grooves.walk else "bass"
    main = grooves.main.part(role) or grooves.main.part("bass")
    events = _events(_parts(plans, role, main), plans, "notes", ctx.meter.bar_quarters, swung)
    pitches: list[int] = [0] * len(events)
    for i in range(len(events) - 1, -1, -1):
        t, (_, _, _, _, tone, octave) = events[i]
        chord = ctx.chord_at(t)
        if tone.startswith("a") and i + 1 < len(events) and abs(chord.start - t) > 1e-6:
            pitch = fit_range(pitches[i + 1] - int(tone[1:]), low, high)
            pitches[i] = pitch if chromatic else fit_range(_in_key(pitch, scale, chord), low, high)
            continue
        if abs(chord.start - t) < 1e-6:
            tone = "1"  # a new chord is announced by its root, whatever the groove had on that beat
        reference = low + ((chord.root_pc if chord.bass_pc is None else chord.bass_pc) - low) % 12
        if chord.bass_pc is not None:  # a slash chord or a pedal: the named bass and its fifth
            interval = 0 if tone in ("1", "3", "7") or tone[0] in "ac" else 7
        else:
            interval = 0 if tone.startswith("a") else _interval(tone, chord, ctx.spec)
        pitch = reference + 12 * min(octave, 1) + interval
        pitches[i] = fit_range(pitch if chromatic or not tone.startswith("c") else _in_key(pitch, scale, chord),
                               low, high)
    bq, total = ctx.meter.bar_quarters, ctx.spec.bars * ctx.meter.bar_quarters
    notes = []
    for (t, row), pitch in zip(events, pitches, strict=True):
        length = max(_MIN_HIT, row[2] * bq / (STEPS_PER_QUARTER * _groove_beats(plans, t, bq)))
        notes.append(Note(pitch, t, min(length, total - t), row[3] - 80))
    return notes


def _groove_beats(plans: list[BarPlan], t: float, bq: float) -> float:
    return plans[min(len(plans) - 1, int(t // bq))].groove.beats / bq


def groove_chords(ctx: Context, grooves: GrooveSet, plans: list[BarPlan], window: tuple[int, int], size: int,
                  role: str, swung: bool) -> list[Note]:
    """The groove's chord hits voiced on the harmony plan, each voicing nearest the last; a chord change with no
    hit of its own is struck where it starts, and a hit never rings into the next chord."""
    low, high = window
    main = grooves.main.part(role)
    events = _events(_parts(plans, role, main), plans, "hits", ctx.meter.bar_quarters, swung)
    bq = ctx.meter.bar_quarters
    hits = [(t, row[2] * bq / (STEPS_PER_QUARTER * _groove_beats(plans, t, bq)), row[3] - 80) for t, row in events]
    onsets = [t for t, _, _ in hits]
    for chord in ctx.chords:
        if not any(abs(t - chord.start) < 0.26 for t in onsets) and chord.start < ctx.spec.bars * bq:
            hits.append((chord.start, min(chord.duration, 2.0), -6))
    notes: list[Note] = []
    previous: list[int] | None = None
    hits.sort()
    for i, (t, length, accent) in enumerate(hits):
        chord = ctx.chord_at(t)
        following = hits[i + 1][0] if i + 1 < len(hits) else t + length
        end = min(t + max(_MIN_HIT, length), chord.end, max(following, t + _MIN_HIT))
        voicing = voice_chord(chord, size, low, high, previous, bool(ctx.spec.chords))
        previous = voicing
        notes += [Note(p, t, max(_MIN_HIT, end - t), accent) for p in voicing]
    return notes
