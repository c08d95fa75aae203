"""Registers in a band: the chord and pad parts sound under the lead, so the tune stays on top and heard.

Why: the listening review of 2026-12-01 heard the piano of a jazz ballad comp above the tenor sax, the synth lead
of trap and synthwave sit inside the pad's voicing and the tin whistle of a celtic reel buried in the guitar's
strumming: each part was placed in its role's window (composer.ranges.ROLE_WINDOWS) without regard to the others,
and the chords window (48-76) and the melody window (60-84) overlap by more than an octave. A band's pianist
voices under the melody; where the melody dips, the voicing drops a note an octave rather than cover it.

How, in two steps that keep the voice leading: the part's window is lowered under the tune's low register as a
whole (`under_tune`), so the voicings are still chosen nearest each other inside it (composer.harmony.voicing);
then a hit that still reaches the tune sounding over it moves its top notes down an octave, the next inversion of
the same chord, or leaves out a note with no room below (`keep_under`).

The lead itself keeps one register through the piece: a section written on its own (composer.generate composes
each distinct section apart, with nothing to say where the last one ended) can come out an octave away from its
neighbours, and the line is then heard jumping an octave at the join and back at the next (lofi's B an octave
over its A); such a section is moved back by whole octaves (`joined_sections`). And the lead goes up an octave
for its band only from under its melody register or from its very bottom, and into it (`lead_octave`): a
ballad's C4-G5 or C4-C5 tune is where a voice or a pianist's right hand sings it, with the guitar's chords under
C4, not at C5-G6 or C5-C6; two rhodes notes on C4 go up over their pad.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from composer.piece import Note
from composer.ranges import instrument_range, role_window

TUNE_LOW_SHARE = 0.15
"""The share of the tune's notes allowed under the comping window's top: its low register less its rare dips,
which `keep_under` meets hit by hit (the lowest note would push the whole part into the bass for one note)."""
MIN_COMPING_SPAN = 14
"""The fewest semitones a chord part keeps to voice in (a four-note close voicing with room to move; the width
composer.ranges.role_window also asks of a role's window)."""
DISPLACED_SEMITONES = 12
"""A move of an octave or more from one section's last note to the next section's first: between sections
written apart, the line set an octave away rather than a leap a tune makes (a tune's own leaps at a phrase join
are a sixth at most in the review suite's real-sounding pieces; the lofi B that started an octave over where its
A ended sat there all through and dropped back an octave when A returned)."""
MOVABLE_SECTIONS = 6
"""The most distinct sections whose octaves are chosen together (3 ** 5 placements); past it the tune is kept
as placed (no form Motif plays has so many)."""


@dataclass(frozen=True)
class SectionTime:
    """One section as the tune plays it: where it starts and ends (quarters) and its name (a return of a section
    keeps the octave it had, so A sounds where it did each time)."""

    start_q: float
    end_q: float
    name: str


def tune_low(tune: list[Note]) -> int | None:
    """The pitch the comping stays under: the tune's `TUNE_LOW_SHARE` quantile (None without a tune)."""
    if not tune:
        return None
    pitches = sorted(n.pitch for n in tune)
    return pitches[min(len(pitches) - 1, int(len(pitches) * TUNE_LOW_SHARE))]


def under_tune(window: tuple[int, int], program: int, tune: list[Note]) -> tuple[int, int]:
    """A chord or pad part's window with its top under the tune's low register, reaching lower in the
    instrument's range to keep `MIN_COMPING_SPAN` (never above the window it had)."""
    low, high = window
    lowest = tune_low(tune)
    if lowest is None or high < lowest:
        return window
    floor = instrument_range(program)[0]
    high = min(high, max(lowest - 1, floor + MIN_COMPING_SPAN))
    return min(low, max(floor, high - MIN_COMPING_SPAN)), high


def lead_octave(tune: list[Note], lead_program: int, windows: list[tuple[int, int]]) -> int:
    """Semitones to move the tune by (0 or 12): an octave up where a chord or pad part could not keep
    `MIN_COMPING_SPAN` under it inside its own window (a dark trap lead down at G3 over its pad), the instrument
    plays the tune an octave higher, every note of it, and the tune is not already sung in its melody register:
    its low register under the window, or its middle (median) at the window's bottom, where an octave up still
    leaves it no higher than the window's centre. Else where it is, and the chords go under it (`under_tune`).

    Why the middle: once a tune written in its register was no longer centred up an octave
    (composer.ranges.best_octave_shift), raising it for the guitar's chords lifted 7 of the pop ballad's C4-C5
    piano tunes of seeds 1-20 (with phrase-end pickups) to C5-C6, medians 74-80, where a ballad is sung about
    A3-E5; kept down whenever its low notes were in the window, a two-note rhodes tune on C4 pushed a pad's
    voicing down to B2-B3 with its G chord's B doubled, and a 2-bar C dorian piece read as another mode."""
    lowest = tune_low(tune)
    melody_low, melody_high = role_window(lead_program, "melody")
    if lowest is None or not windows:
        return 0
    pitches = sorted(n.pitch for n in tune)
    if lowest >= melody_low and pitches[len(pitches) // 2] + 12 > (melody_low + melody_high) / 2:
        return 0
    cramped = any(lowest - 1 - low < MIN_COMPING_SPAN for low, _ in windows)
    fits = pitches[-1] + 12 <= melody_high
    return 12 if cramped and fits else 0


def joined_sections(tune: list[Note], sections: list[SectionTime], program: int) -> list[Note]:
    """The tune with each section moved by whole octaves (-12, 0 or +12, the first kept where it is) so that the
    fewest joins move `DISPLACED_SEMITONES` or more, without putting more notes outside the lead's melody register
    (`role_window`, not the instrument's whole range: a chorale soprano moved down to F#3 to meet its alto-height
    B kept every note in the choir's range and sang under its own chords); nothing moves where no join gains (a
    copy either way)."""
    names = list(dict.fromkeys(s.name for s in sections))
    if len(names) < 2 or len(names) > MOVABLE_SECTIONS or not tune:
        return raised(tune, 0)
    parts = [[n for n in tune if s.start_q - 1e-6 <= n.start < s.end_q - 1e-6] for s in sections]
    low, high = role_window(program, "melody")

    def cost(shifts: dict[str, int]) -> tuple[int, int, int]:
        outside = sum(1 for s, part in zip(sections, parts, strict=True) for n in part
                      if not low <= n.pitch + shifts[s.name] <= high)
        heard = [(part, shifts[s.name]) for s, part in zip(sections, parts, strict=True) if part]
        displaced = sum(1 for (a, da), (b, db) in itertools.pairwise(heard)
                        if abs(b[0].pitch + db - a[-1].pitch - da) >= DISPLACED_SEMITONES)
        return outside, displaced, sum(abs(v) for v in shifts.values())

    choices = [dict(zip(names, (0, *rest), strict=True)) for rest in itertools.product((0, -12, 12),
                                                                                       repeat=len(names) - 1)]
    best = min(choices, key=cost)
    moved = {id(n): best[s.name] for s, part in zip(sections, parts, strict=True) for n in part}
    return [Note(n.pitch + moved.get(id(n), 0), n.start, n.duration, n.velocity) for n in tune]


def raised(tune: list[Note], semitones: int) -> list[Note]:
    """The tune moved by `semitones` (a copy)."""
    return [Note(n.pitch + semitones, n.start, n.duration, n.velocity) for n in tune]


class _Tune:
    """The lead's notes by onset: the lowest pitch sounding over a span (the one the ear follows across a rest)."""

    def __init__(self, tune: list[Note]) -> None:
        self.notes = sorted(tune, key=lambda n: n.start)
        self.starts = [n.start for n in self.notes]

    def lowest_over(self, start: float, end: float) -> int | None:
        """The lowest tune pitch sounding in [start, end), else the note heard last before it (or the next)."""
        i = bisect.bisect_left(self.starts, end - 1e-6)
        sounding = [n.pitch for n in self.notes[max(0, i - 64):i] if n.end > start + 1e-6]
        if sounding:
            return min(sounding)
        if i > 0:
            return self.notes[i - 1].pitch
        return self.notes[0].pitch if self.notes else None


def keep_under(notes: list[Note], tune: list[Note], floor: int) -> list[Note]:
    """The part's notes with every note that reaches the tune sounding over it moved down by octaves (not under
    `floor`), or left out when there is no room (a hit keeps at least its lowest note); a pitch a hit already
    sounds is not doubled."""
    heard = _Tune(tune)
    if not heard.notes:
        return notes
    hits: dict[tuple[float, float], list[Note]] = {}
    for note in notes:
        hits.setdefault((round(note.start, 6), round(note.end, 6)), []).append(note)
    kept: list[Note] = []
    for (start, end), hit in hits.items():
        ceiling = heard.lowest_over(start, end)
        if ceiling is None or max(n.pitch for n in hit) < ceiling:
            kept += hit
            continue
        placed: dict[int, Note] = {}
        for note in sorted(hit, key=lambda n: n.pitch):
            pitch = note.pitch
            while pitch >= ceiling and pitch - 12 >= floor:
                pitch -= 12
            if pitch < ceiling and pitch not in placed:
                placed[pitch] = Note(pitch, note.start, note.duration, note.velocity)
        kept += list(placed.values()) or [min(hit, key=lambda n: n.pitch)]
    return sorted(kept, key=lambda n: (n.start, n.pitch))
