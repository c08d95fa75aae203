"""Playing an MMA groove against a harmony plan: drums, a bass line and chord hits for any key and chords.

The groove's patterns are chord-relative (composer.arrange.grooves), so each note is named again against
the chord sounding at its onset: "3" is this chord's third, "a-1" a semitone under the next note, "6" the
sixth step of the piece's scale over this root. Every bar plays its own bar of the groove's sequence (MMA
grooves run 2-8 bars), the groove's fill closes sections and phrases, and its intro and ending play over a
form's intro and outro sections (the ending's last bars close a piece without an outro, before its final bar).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from composer.arrange.accompaniment import Context
from composer.arrange.grooves import STEPS_PER_QUARTER, Groove, GroovePart, GrooveSet
from composer.harmony.form import section_spans
from composer.harmony.voicing import power_voicing, voice_chord
from composer.piece import Chord, Note, Track
from composer.theory import CHORD_INTERVALS, chord_pcs, fit_range, nearest_pitch, scale_pcs
from prompts.spec import Spec

CRASH, KICK, SNARE = 49, 36, 38
POWER_CHORD_PROGRAMS = frozenset({29, 30})
"""GM's overdriven and distortion guitars: in a power-chord style they comp in power chords."""
POWER_CHORD_GENRES = frozenset({"rock", "metal"})
"""Styles whose distorted guitars play power chords (rock's words take in punk, grunge and hard rock)."""
_MAJOR_STEPS = {2: 2, 4: 5, 6: 9, 7: 10}
_MIN_HIT = 0.1


@dataclass(frozen=True)
class BarPlan:
    """Which groove a bar of the piece plays, which bar of that groove's sequence, and which half of it where a
    4/4 groove plays a 2/4 piece (a polka or a march: one groove bar is two of the piece's)."""

    groove: Groove
    seq_bar: int
    fill: bool = False
    part: int = 0

    def at(self, position: int, bar_quarters: float, swung: bool) -> float | None:
        """A stored position as quarters into the piece's bar (None outside it); a swung piece keeps its notes
        straight (the MIDI writer swings them), so MMA's late off-beat eighths go back to the half beat."""
        beat, step = divmod(position, STEPS_PER_QUARTER)
        if swung and step == 32:
            step = 24
        quarters = beat + step / STEPS_PER_QUARTER
        if halves(self.groove, bar_quarters):
            t = quarters - self.part * bar_quarters
        else:
            t = quarters * bar_quarters / self.groove.beats
        return t if -1e-9 < t < bar_quarters - 1e-9 else None

    def scale(self, bar_quarters: float) -> float:
        """Piece quarters per groove quarter (lengths)."""
        return 1.0 if halves(self.groove, bar_quarters) else bar_quarters / self.groove.beats


def halves(groove: Groove, bar_quarters: float) -> bool:
    """True when each bar of the groove plays two bars of the piece (4/4 over 2/4)."""
    return groove.time_signature == "4/4" and abs(groove.beats - 2 * bar_quarters) < 1e-9


def _fill_bars(spec: Spec) -> set[int]:
    """Bars closing a section (the form's), else every fourth bar of a long phrase; the last bar only in a
    loop, which it leads back into the first bar of (a piece that ends holds its final hit instead)."""
    spans = section_spans(spec)
    ends = {s.end_bar - 1 for s in spans} if len(spans) > 1 else set()
    if not ends:
        every = 8 if spec.bars >= 16 else 4
        ends = {bar for bar in range(spec.bars) if (bar + 1) % every == 0}
    last = spec.bars - 1
    return {bar for bar in ends if bar < last} | ({last} if spec.ending == "loop" and last > 0 else set())


def _place(groove: Groove, index: int, bq: float, fill: bool = False) -> BarPlan:
    """The `index`-th bar played from a groove (counted from where it starts), in its sequence."""
    if halves(groove, bq):
        return BarPlan(groove, (index // 2) % groove.bars, fill, index % 2)
    return BarPlan(groove, index % groove.bars, fill)


MAX_CLOSING_BARS = 2
"""The most bars of a groove's ending played before a piece's final bar where its form has no outro."""


def _closing_bars(spec: Spec, grooves: GrooveSet) -> range:
    """The bars that play the groove's ending in a piece whose form has no outro: the last bars of its ending
    (at most MAX_CLOSING_BARS, at most an eighth of the piece) before the final held bar, so the band closes the
    way the groove's musicians wrote it. None for a loop (it leads back to the start), a short piece, or a piece
    with an outro (the outro plays the whole ending)."""
    spans = section_spans(spec)
    has_outro = any(s.section.name.lower().startswith("outro") for s in spans)
    if grooves.end is None or has_outro or spec.ending == "loop" or spec.bars < 8:
        return range(0)
    length = grooves.end.bars * (2 if halves(grooves.end, spec.bar_quarters) else 1)
    count = min(length, MAX_CLOSING_BARS, spec.bars // 8)
    return range(spec.bars - 1 - count, spec.bars - 1)


def plan_bars(spec: Spec, grooves: GrooveSet) -> list[BarPlan]:
    """One BarPlan per bar: the intro groove over an intro section, the ending over an outro (or over the bars
    before the final one, `_closing_bars`), the fill where a section or phrase ends, the main groove's sequence
    everywhere else (counted from each section start)."""
    spans = section_spans(spec)
    plans: list[BarPlan] = []
    fills = _fill_bars(spec)
    closing = _closing_bars(spec, grooves)
    starts = {s.start_bar for s in spans} or {0}
    bq = spec.bar_quarters
    count_from = 0
    for bar in range(spec.bars):
        span = next((s for s in spans if s.start_bar <= bar < s.end_bar), None)
        name = span.section.name.lower() if span else ""
        if bar in starts:
            count_from = bar
        if span is not None and name.startswith("intro") and grooves.intro is not None:
            plans.append(_place(grooves.intro, bar - span.start_bar, bq))
        elif span is not None and name.startswith("outro") and grooves.end is not None:
            length = grooves.end.bars * (2 if halves(grooves.end, bq) else 1)
            plans.append(_place(grooves.end, max(0, length - (span.end_bar - bar)), bq))
        elif bar in closing and grooves.end is not None:
            length = grooves.end.bars * (2 if halves(grooves.end, bq) else 1)
            plans.append(_place(grooves.end, length - (closing.stop - bar), bq))
        elif bar in fills and grooves.fill is not None:
            length = grooves.fill.bars * (2 if halves(grooves.fill, bq) else 1)
            plans.append(_place(grooves.fill, length - 1, bq, True))
        else:
            plans.append(_place(grooves.main, bar - count_from, bq))
    return plans


def _bar_hits(plan: BarPlan, bq: float, swung: bool) -> list[tuple[float, int, int]]:
    """(time in the bar, GM note, velocity) of the drums a bar's groove bar plays."""
    hits = []
    for pitch, stored in plan.groove.drums.items():
        for seq_bar, position, velocity in stored:
            t = plan.at(position, bq, swung) if seq_bar == plan.seq_bar else None
            if t is not None:
                hits.append((t, pitch, velocity))
    return hits


def groove_drums(spec: Spec, grooves: GrooveSet, plans: list[BarPlan], swung: bool,
                 rng: np.random.Generator) -> Track:
    """The drum part: each bar's hits from its groove bar, a crash opening each section, a held final hit; a
    bar that would repeat the one before gets a ghost-note pickup every other bar (a drummer varies it)."""
    bq = spec.bar_quarters
    notes: list[Note] = []
    section_starts = {s.start_bar for s in section_spans(spec)} | {0}
    previous: frozenset = frozenset()
    varied = False
    for bar, plan in enumerate(plans[:-1] if spec.bars > 1 and spec.ending != "loop" else plans):
        hits = _bar_hits(plan, bq, swung)
        jitter = rng.normal(0.0, 3.0, len(hits))
        notes += [Note(pitch, bar * bq + t, 0.25, max(20, min(127, int(velocity + shake))))
                  for (t, pitch, velocity), shake in zip(hits, jitter, strict=True)]
        pattern = frozenset((round(t, 4), pitch) for t, pitch, _ in hits if pitch not in (CRASH, 57))
        if bar in section_starts and bar > 0 or bar == 0:
            notes.append(Note(CRASH, bar * bq, 1.0, 96))
        varied = pattern == previous and not varied and not plan.fill
        if varied:
            notes.append(Note(SNARE, bar * bq + bq - 0.5, 0.25, 46))
        previous = pattern
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
            bq: float, swung: bool) -> list[tuple[float, float, tuple]]:
    """(onset in the piece, length in the piece, row) for every stored note or hit of the part each bar's
    groove gives."""
    out = []
    for bar, plan in enumerate(plans):
        part = part_of.get(id(plan.groove))
        if part is None:
            continue
        for row in getattr(part, attr):
            if row[0] == plan.seq_bar:
                t = plan.at(row[1], bq, swung)
                if t is not None:
                    out.append((bar * bq + t, row[2] * plan.scale(bq) / STEPS_PER_QUARTER, row))
    return sorted(out, key=lambda e: e[0])


def _parts(plans: list[BarPlan], role: str, fallback: GroovePart | None) -> dict[int, GroovePart | None]:
    """The part playing `role` in each groove a piece uses (the main groove's where a fill lacks one)."""
    if role == "walk":
        return {id(p.groove): _walking(p.groove) or fallback for p in plans}
    return {id(p.groove): p.groove.part(role) or fallback for p in plans}


def _walking(groove: Groove) -> GroovePart | None:
    """A walking groove's line: its walk part, and in a bar where the walk rests, the bass line that plays there
    (MMA grooves hand the bass between their Walk and Bass tracks: Swing2 walks three bars and plays its Bass
    track in the fourth, which the walk alone left silent)."""
    walk, bass = groove.part("walk"), groove.part("bass")
    if walk is None or bass is None:
        return walk
    walked = {n[0] for n in walk.notes}
    return replace(walk, notes=tuple(sorted(walk.notes + tuple(n for n in bass.notes if n[0] not in walked))))


def _in_key(pitch: int, scale: tuple[int, ...], chord: Chord) -> int:
    """A chromatic note moved to the nearest tone of the key or the chord (a style without chromatic notes)."""
    allowed = set(scale) | set(chord_pcs(chord.root_pc, chord.quality))
    return min((pitch + d for d in (0, -1, 1, -2, 2)), key=lambda p: (p % 12 not in allowed, abs(p - pitch)))


def _bass_interval(tone: str, chord: Chord, spec: Spec) -> int:
    """Semitones over the bass's reference note (the chord's named bass where it has one). Over an inversion
    (C/E, G/B: the named bass is one of the chord's tones) the root's place is the named bass, so the inversion
    is heard where a root would be, and the other tones are the chord's own, over it (C/E's fifth is G, not B);
    over a pedal (a bass outside the chord) only the pedal and its fifth; elsewhere the tone against the chord."""
    if chord.bass_pc is None:
        return _interval(tone, chord, spec)
    if tone == "1" or tone[0] in "ac":
        return 0
    if chord.bass_pc in chord_pcs(chord.root_pc, chord.quality):
        return (chord.root_pc + _interval(tone, chord, spec) - chord.bass_pc) % 12
    return 0 if tone in ("3", "7") else 7


def _reference(chord: Chord, first: int, previous: int | None, window: tuple[int, int]) -> int:
    """Where a chord's bass root sits: the octave that puts its first note nearest the note before (a line
    that steps from chord to chord), the bottom of the window to begin with."""
    low, high = window
    bottom = low + ((chord.root_pc if chord.bass_pc is None else chord.bass_pc) - low) % 12
    options = [bottom + 12 * k for k in range(3) if bottom + 12 * k + first <= high] or [bottom]
    return options[0] if previous is None else min(options, key=lambda r: (abs(r + first - previous), r))


def _walk_step(pc: int, previous: int, scale: tuple[int, ...], window: tuple[int, int]) -> int:
    """A walking line's next note: its tone in the octave nearest the last note, turning back before the edge of
    the register; a tone that would repeat the last note moves on to the next step of the key instead."""
    low, high = window
    pitch = nearest_pitch(pc, previous)
    if pitch == previous:
        up = previous < (low + high) / 2
        steps = [p for p in range(previous + 1, previous + 3) if p % 12 in scale] if up else \
            [p for p in range(previous - 1, previous - 3, -1) if p % 12 in scale]
        pitch = steps[0] if steps else pitch + (2 if up else -2)
    if pitch > high - 2 or pitch < low + 2:
        pitch += -12 if pitch > high - 2 else 12
    return pitch


def groove_bass(ctx: Context, grooves: GrooveSet, plans: list[BarPlan], window: tuple[int, int],
                swung: bool, chromatic: bool = True) -> list[Note]:
    """The groove's bass line (its walking bass where the style walks) over the harmony plan: chord tones on
    this chord's root (each new chord announced by it, in the octave nearest the line), scale steps in the
    piece's key, approach notes a step from the note they lead to (moved into the key where the style has no
    chromatic notes, so the bass keeps telling the key)."""
    scale = scale_pcs(ctx.spec.tonic, ctx.spec.mode)
    low, high = window
    role = "walk" if grooves.walk else "bass"
    main = (_walking(grooves.main) if role == "walk" else None) or grooves.main.part("bass")
    events = _events(_parts(plans, role, main), plans, "notes", ctx.meter.bar_quarters, swung)
    pitches: list[int | None] = [None] * len(events)
    references: dict[float, int] = {}
    previous: int | None = None
    for i, (t, _, (_, _, _, _, tone, octave)) in enumerate(events):
        chord = ctx.chord_at(t)
        starts = abs(chord.start - t) < 1e-6
        if tone.startswith("a") and not starts and i + 1 < len(events):
            continue  # an approach: placed from the note it leads to, below
        tone = "1" if starts or i == len(events) - 1 else tone  # a chord's first note, and the piece's last
        interval = 12 * min(octave, 1) + (0 if tone.startswith("a") else _bass_interval(tone, chord, ctx.spec))
        if chord.start not in references:
            references[chord.start] = _reference(chord, interval, previous, window)
        pitch = references[chord.start] + interval
        if role == "walk" and previous is not None and not starts:
            pitch = _walk_step(pitch % 12, previous, scale, window)
        if not chromatic and tone.startswith("c"):
            pitch = _in_key(pitch, scale, chord)
        pitches[i] = previous = fit_range(pitch, low, high)
    for i in range(len(events) - 1, -1, -1):
        if pitches[i] is None:
            target = pitches[i + 1] if pitches[i + 1] is not None else low
            pitch = target - int(events[i][2][4][1:])
            chord = ctx.chord_at(events[i][0])
            pitches[i] = fit_range(pitch if chromatic else _in_key(pitch, scale, chord), low, high)
    total = ctx.spec.bars * ctx.meter.bar_quarters
    notes = [Note(pitch, t, min(max(_MIN_HIT, length), total - t), row[3] - 80)
             for (t, length, row), pitch in zip(events, pitches, strict=True) if pitch is not None]
    if notes:
        notes[-1].duration = total - notes[-1].start  # the last root rings to the end: the piece's final bass
    return notes


def groove_chords(ctx: Context, grooves: GrooveSet, plans: list[BarPlan], window: tuple[int, int], size: int,
                  role: str, swung: bool, program: int | None = None) -> list[Note]:
    """The groove's chord hits voiced on the harmony plan, each voicing nearest the last; a chord change with no
    hit of its own is struck where it starts, and a hit never rings into the next chord. A distorted guitar
    (`program`) in a power-chord style plays power chords (`composer.harmony.voicing.power_voicing`)."""
    low, high = window
    main = grooves.main.part(role)
    events = _events(_parts(plans, role, main), plans, "hits", ctx.meter.bar_quarters, swung)
    bq = ctx.meter.bar_quarters
    hits = [(t, length, row[3] - 80) for t, length, row in events]
    onsets = [t for t, _, _ in hits]
    for chord in ctx.chords:
        if not any(abs(t - chord.start) < 0.26 for t in onsets) and chord.start < ctx.spec.bars * bq:
            hits.append((chord.start, min(chord.duration, 2.0), -6))
    notes: list[Note] = []
    previous: list[int] | None = None
    power = program in POWER_CHORD_PROGRAMS and ctx.spec.genre in POWER_CHORD_GENRES
    hits.sort()
    for i, (t, length, accent) in enumerate(hits):
        chord = ctx.chord_at(t)
        following = hits[i + 1][0] if i + 1 < len(hits) else t + length
        end = min(t + max(_MIN_HIT, length), chord.end, max(following, t + _MIN_HIT))
        if power:
            voicing = power_voicing(chord, size, low, high, previous)
        else:
            voicing = voice_chord(chord, size, low, high, previous, bool(ctx.spec.chords))
        previous = voicing
        notes += [Note(p, t, max(_MIN_HIT, end - t), accent) for p in voicing]
    return notes
