"""Comping patterns: how a chord instrument plays the harmony plan (swing comp, waltz, strum, bossa...).

Patterns lay out a bar as (offset, length, tone) events like the bass patterns. Tones: "C" the whole
voicing, "c" the whole voicing played lighter (up-strums), "U" the voicing without the root (the bass has it),
"aN" the N-th voicing note (arpeggios), "B"/"F" a low root/fifth (stride and Alberti left hands).
`realise_comping` voices each chord close to the previous one.
"""

from __future__ import annotations

from collections.abc import Callable

from composer.arrange.accompaniment import Context, Event, PatternError, per_group
from composer.harmony.voicing import voice_chord
from composer.piece import Chord, Note
from composer.theory import CHORD_INTERVALS, nearest_pitch

_LIGHT = -14


def _held(per_bar: bool) -> Callable[[Context, int], list[Event]]:
    """Chords held for their length: restruck at each bar line (block) or only on change (pad)."""
    def pattern(ctx: Context, bar: int) -> list[Event]:
        bq, start = ctx.meter.bar_quarters, bar * ctx.meter.bar_quarters
        events = []
        for chord in ctx.chords:
            if chord.end <= start or chord.start >= start + bq:
                continue
            if per_bar:
                t0, t1 = max(chord.start, start), min(chord.end, start + bq)
            elif chord.start >= start:
                t0, t1 = chord.start, chord.end
            else:
                continue
            events.append((t0 - start, (t1 - t0) * 0.97, "C"))
        return events
    return pattern


def _off_units(tone: str, length: float) -> Callable[[Context, int], list[Event]]:
    """Chords on every unit that does not start a group: the "pah" of oom-pah, waltz beats 2 and 3."""
    def pattern(ctx: Context, bar: int) -> list[Event]:
        m = ctx.meter
        starts = set(m.group_starts())
        return [(t, m.unit * length, tone) for t in m.unit_starts() if t not in starts]
    return pattern


def _swing(ctx: Context, bar: int) -> list[Event]:
    m = ctx.meter
    if m.groups == (2, 2) and not m.compound:
        figures = (((0.0, 0.9), (1.5, 0.4)), ((1.5, 0.4), (3.5, 0.4)), ((0.0, 0.9), (2.5, 0.4)),
                   ((1.0, 0.4), (2.5, 0.9)))
        figure = figures[int(ctx.rng.integers(len(figures)))]
        return [(t, length, "C") for t, length in figure]
    starts = m.group_starts()
    return [(starts[0], m.unit * 0.9, "C")] + [(s - 0.5, 0.4, "C") for s in starts[1:] if s >= 1.0]


def _eighths(tones: tuple[str, ...], length: float) -> Callable[[Context, int], list[Event]]:
    def pattern(ctx: Context, bar: int) -> list[Event]:
        count = round(ctx.meter.bar_quarters / 0.5)
        return [(i * 0.5, length, tones[i % len(tones)]) for i in range(count)]
    return pattern


def _strum(ctx: Context, bar: int) -> list[Event]:
    m = ctx.meter
    if m.compound:
        starts = set(m.group_starts())
        return [(t, m.unit * 0.9, "C" if t in starts else "c") for t in m.unit_starts()]
    events = [(t, 0.9, "C") for t in m.unit_starts()]
    events += [(t + 0.5, 0.45, "c") for i, t in enumerate(m.unit_starts()) if i % 2 == 1]
    return sorted(events)


def _bossa(ctx: Context, bar: int) -> list[Event]:
    if ctx.meter.groups == (2, 2) and not ctx.meter.compound:
        figure = ((0.0, 1.0), (1.5, 1.0), (3.0, 0.9)) if bar % 2 == 0 else ((1.0, 1.0), (2.5, 1.4))
        return [(t, length, "C") for t, length in figure]
    return per_group(((0.0, 0.9, "C"), (1.5, 0.45, "c")))(ctx, bar)


def _stride(ctx: Context, bar: int) -> list[Event]:
    m = ctx.meter
    starts = m.group_starts()
    events = []
    for t in m.unit_starts():
        tone = ("B" if starts.index(t) % 2 == 0 else "F") if t in starts else "U"
        events.append((t, m.unit * 0.8, tone))
    return events


COMPING_PATTERNS: dict[str, Callable[[Context, int], list[Event]]] = {
    "block": _held(per_bar=True),
    "pad_sustain": _held(per_bar=False),
    "chorale_voices": _held(per_bar=False),
    "swing_comp": _swing,
    "stab": per_group(((0.0, 0.2, "C"), (0.75, 0.2, "c"), (1.5, 0.2, "C"))),
    "waltz_oom_pah_pah": _off_units("U", 0.8),
    "oom_pah": _off_units("U", 0.6),
    "boom_chic": _off_units("C", 0.5),
    "offbeat_skank": _off_units("U", 0.35),
    "arpeggio": _eighths(("a0", "a1", "a2", "a3", "a2", "a1"), 0.45),
    "alberti": _eighths(("B", "a2", "a1", "a2"), 0.45),
    "strum": _strum,
    "montuno": per_group(((0.0, 0.45, "C"), (1.0, 0.45, "U"), (1.5, 0.45, "C"))),
    "tango": _eighths(("C", "", "C", "", "C", "", "C", "c"), 0.45),
    "chug": _eighths(("C",), 0.4),
    "pulse": _eighths(("C",), 0.35),
    "bossa": _bossa,
    "stride": _stride,
}
SELF_BASSED = frozenset({"alberti", "stride"})
"""Patterns whose lowest notes already make a bass line (a piano left hand needs nothing more)."""


def _tone_notes(tone: str, voicing: list[int], chord: Chord, bass_window: tuple[int, int],
                given: bool = False) -> list[int]:
    if tone in ("C", "c"):
        return voicing
    if tone == "U":
        if given and len(set(CHORD_INTERVALS[chord.quality])) > 3:
            return voicing  # without its root a user's A7 is C#dim above a bass that has already stopped
        upper = [p for p in voicing if p % 12 != chord.root_pc]
        if len(upper) < 3 <= len(voicing) and voicing[0] % 12 == chord.root_pc:
            return voicing[1:]  # a doubled root: the triad over the bottom one (under a lead, an oom-pah's pah)
        return upper if len(upper) >= 2 else voicing
    if tone.startswith("a"):
        return [voicing[int(tone[1:]) % len(voicing)]]
    pc = chord.root_pc if tone == "B" else (chord.root_pc + 7) % 12
    low, high = bass_window
    return [max(low, min(high, nearest_pitch(pc, low + 7)))]


def _every_chord_struck(ctx: Context, bar: int, events: list[Event]) -> list[Event]:
    """The pattern's events, plus the whole voicing at the start of any of the user's chords the pattern
    would leave silent (a swing comp that plays twice in the first three beats of a 5/4 bar never reaches
    the bar's second chord)."""
    start = bar * ctx.meter.bar_quarters
    onsets = [start + offset for offset, _, tone in events if tone]
    added = []
    for chord in ctx.chords:
        if start - 1e-9 <= chord.start < start + ctx.meter.bar_quarters - 1e-9 and \
                not any(chord.start - 1e-9 <= t < chord.end - 1e-9 for t in onsets):
            added.append((chord.start - start, min(chord.duration, ctx.meter.unit * 2) * 0.9, "C"))
    return sorted(events + added) if added else events


def realise_comping(ctx: Context, pattern: str, window: tuple[int, int], size: int, bars: range,
                    bass_window: tuple[int, int]) -> list[Note]:
    """Comping notes for the given bars; velocities hold accents (0 or lighter) for the dynamics pass."""
    maker = COMPING_PATTERNS.get(pattern)
    if maker is None:
        raise PatternError(f"unknown comping pattern {pattern!r}")
    notes: list[Note] = []
    previous: list[int] | None = None
    voiced: tuple[Chord, list[int]] | None = None
    for bar in bars:
        events = maker(ctx, bar)
        if ctx.spec.chords:
            events = _every_chord_struck(ctx, bar, events)
        for offset, length, tone in events:
            if not tone:
                continue
            t = bar * ctx.meter.bar_quarters + offset
            chord = ctx.chord_at(t)
            if voiced is None or voiced[0] is not chord:
                voiced = (chord, voice_chord(chord, size, window[0], window[1], previous, bool(ctx.spec.chords)))
                previous = voiced[1]
            accent = _LIGHT if tone == "c" else 0
            played = _tone_notes(tone, voiced[1], chord, bass_window, bool(ctx.spec.chords))
            notes += [Note(p, t, length, accent) for p in played]
    return notes
