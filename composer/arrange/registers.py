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
"""

from __future__ import annotations

import bisect

from composer.piece import Note
from composer.ranges import instrument_range

TUNE_LOW_SHARE = 0.15
"""The share of the tune's notes allowed under the comping window's top: its low register less its rare dips,
which `keep_under` meets hit by hit (the lowest note would push the whole part into the bass for one note)."""
MIN_COMPING_SPAN = 14
"""The fewest semitones a chord part keeps to voice in (a four-note close voicing with room to move; the width
composer.ranges.role_window also asks of a role's window)."""


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
    `MIN_COMPING_SPAN` under it inside its own window (a dark trap lead down at G3 over its pad) and the
    instrument plays the tune an octave higher, every note of it; else where it is."""
    lowest = tune_low(tune)
    if lowest is None or not windows:
        return 0
    cramped = any(lowest - 1 - low < MIN_COMPING_SPAN for low, _ in windows)
    fits = max(n.pitch for n in tune) + 12 <= instrument_range(lead_program)[1]
    return 12 if cramped and fits else 0


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
