"""Melody sources: what the arranger calls to get a lead line over a harmony plan.

`MarkovMelody` draws rhythm and scale degrees from the Markov tables (`composer.melody.markov`) and bends each
draw toward what the request needs: exactly `spec.bars` bars, phrases of 2 or 4 bars ending on longer
notes with breaths between them, chord tones on strong beats, only the mode's notes (unless chromatic
notes are allowed), a range of about an octave and a half around C5 shifted by `spec.register`, and a
final tonic. The rules reweight the model's probabilities instead of replacing them, so the line keeps
the corpus's idiom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from composer.harmony.given import clashing_pcs, triad_chord
from composer.melody.markov import (
    DURATIONS_QL,
    N_PITCH_STATES,
    START,
    MarkovModel,
    MeterGrid,
    duration_class,
    meter_grid,
    state_pitch,
)
from composer.piece import Chord, Note
from composer.theory import chord_pcs, mode_family, tonic_pc
from prompts.spec import Spec

CENTRE_PITCH = 72
"""C5: the middle of the melody range before `spec.register` shifts it by octaves."""
HALF_SPAN = 9
"""Semitones either side of the centre: a range of an octave and a half."""
TONIC_BELOW_CENTRE = 7
"""Where degree 0 sits under the centre, matching the register the Markov tables were trained in."""
CHORD_TONE_WEIGHT = 4.0
GIVEN_TONE_WEIGHT = 16.0
"""The chord-tone bonus over a user's own chords: their triad has to be what a strong beat sounds (a style's
plan is the composer's own and can take a looser melody)."""
MAX_LEAP = 12
EPS = 1e-6


class MelodyError(ValueError):
    """A request the melody source cannot satisfy (for example a chord plan that is not sorted)."""


class MelodySource(Protocol):
    """Anything that writes a melody for a Spec over a harmony plan.

    `allow_chromatic`: notes outside the mode may be written (the style allows them, e.g. jazz or blues);
    every source takes it, and one that only writes the mode's notes may ignore it.
    `context`: the notes just before this melody (onsets negative, relative to its start), when a remix
    continues or varies a piece; a source that cannot condition on them (the Markov chain) starts afresh.
    `section`: the name of the form's section the melody is (A, A', B, verse, ...), None outside a form; the
    learned model is told it, the Markov chain has no use for it.
    """

    name: str

    def generate(self, spec: Spec, chords: list[Chord], rng: np.random.Generator,
                 allow_chromatic: bool = False, context: list[Note] | None = None,
                 section: str | None = None) -> list[Note]: ...


@dataclass(frozen=True)
class _Frame:
    """Everything about the request that stays fixed while notes are drawn."""

    grid: MeterGrid
    family: str
    pitches: np.ndarray
    pcs: np.ndarray
    diatonic: np.ndarray
    in_range: np.ndarray
    tonic_pc: int
    chords: tuple[Chord, ...]
    density: float
    given: bool = False
    """The chords are the user's (`spec.chords`), reduced to their triads."""
    singles: np.ndarray | None = None
    """States that are not a second name for another state's pitch (E# = F), for chromatic chord tones."""


def phrase_lengths(bars: int) -> list[int]:
    """Phrase lengths in bars: 4s, then a 2 or 3; a lone leftover bar turns the last 4 into 3 + 2."""
    if bars <= 4:
        return [bars]
    phrases = [4] * (bars // 4)
    rest = bars % 4
    if rest == 1:
        phrases[-1:] = [3, 2]
    elif rest:
        phrases.append(rest)
    return phrases


def chord_at(chords: Sequence[Chord], onset_ql: float) -> Chord | None:
    """The chord sounding at `onset_ql` (the last one started), or None before the first."""
    current = None
    for chord in chords:
        if chord.start <= onset_ql + EPS:
            current = chord
        else:
            break
    return current


class MarkovMelody:
    """The Markov-table melody source (see the module docstring)."""

    name = "markov"

    def __init__(self, model: MarkovModel) -> None:
        self.model = model

    def generate(self, spec: Spec, chords: list[Chord], rng: np.random.Generator,
                 allow_chromatic: bool = False, context: list[Note] | None = None,
                 section: str | None = None) -> list[Note]:
        """A melody of exactly `spec.bars` bars for `spec`, following `chords`; same rng state, same notes.
        The chain's state is its own last two notes, so `context` does not change what it writes."""
        frame = _make_frame(spec, chords, allow_chromatic)
        rhythm = self._rhythm(frame, spec.bars, rng)
        notes: list[Note] = []
        prev = (START, START)
        for onset, ioi, length, final, cadence in rhythm:
            metric = frame.grid.metric_class(onset)
            dur = duration_class(ioi)
            weights = self._pitch_weights(frame, metric, dur, onset, prev, notes[-1].pitch if notes else None)
            if final:
                weights = weights * _final_mask(frame, onset)
            elif cadence:
                weights = weights * _cadence_mask(frame, onset, weights)
            elif not notes:
                weights = weights * _opening_weights(frame)
            state = _draw(weights, rng, fallback=_fallback(frame, onset, final))
            velocity = 92 if metric == 0 else 84 if metric <= 2 else 76
            notes.append(Note(int(frame.pitches[state]), onset, length, velocity))
            prev = (state, prev[0])
        return notes

    # ------------------------------------------------------------------ rhythm

    def _rhythm(self, frame: _Frame, bars: int, rng: np.random.Generator
                ) -> list[tuple[float, float, float, bool, bool]]:
        """(onset, inter-onset interval, sounding length, is the last note, ends a phrase) for the whole
        melody: each phrase closes on a note held through its last bar (or from its last beat or beat group,
        for a one-bar phrase), with a breath after it most of the time."""
        bar = frame.grid.bar_ql
        events: list[tuple[float, float, float, bool, bool]] = []
        start = 0
        phrases = phrase_lengths(bars)
        prev = (START, START)
        for number, length in enumerate(phrases):
            last = number == len(phrases) - 1
            phrase_end = (start + length) * bar
            cadence = phrase_end - _cadence_ql(frame.grid, length)
            onset = start * bar
            while onset < cadence - EPS:
                bar_end = (math.floor(onset / bar + EPS) + 1) * bar
                room = min(cadence, bar_end) - onset
                dur, prev = self._draw_duration(frame, onset, room, prev, rng)
                events.append((onset, dur, dur, False, False))
                onset = round((onset + dur) * 12) / 12
            hold = phrase_end - cadence
            breath = 0.0 if last or rng.random() < 0.35 else min(frame.grid.beat_ql / 2, hold / 2)
            events.append((cadence, hold, hold - breath, last, True))
            start += length
        return events

    def _draw_duration(self, frame: _Frame, onset: float, room: float, prev: tuple[int, int],
                       rng: np.random.Generator) -> tuple[float, tuple[int, int]]:
        """One inter-onset interval that fits in `room`, biased by density; returns it and the new context."""
        metric = frame.grid.metric_class(onset)
        probs = self.model.duration_probs(frame.grid.family, metric, prev[0], prev[1])
        fits = np.array([d <= room + EPS for d in DURATIONS_QL])
        if not fits.any():
            return room, prev
        weights = probs * fits * _density_weights(frame.density)
        choice = _draw(weights, rng, fallback=fits.astype(float))
        dur = DURATIONS_QL[choice]
        leftover = room - dur
        if 0 < leftover < DURATIONS_QL[0] - EPS:
            dur = room
        return dur, (choice, prev[0])

    # ------------------------------------------------------------------ pitch

    def _pitch_weights(self, frame: _Frame, metric: int, dur: int, onset: float, prev: tuple[int, int],
                       last_pitch: int | None) -> np.ndarray:
        """Model probabilities times the request's masks and preferences for one note."""
        probs = self.model.pitch_probs(frame.family, metric, dur, prev[0], prev[1])
        chord = chord_at(frame.chords, onset)
        allowed = _given_mask(frame, chord) if frame.given and chord is not None else frame.diatonic
        weights = probs * allowed * frame.in_range
        if last_pitch is not None:
            leap = np.abs(frame.pitches - last_pitch)
            weights = weights * (leap <= MAX_LEAP) * np.where(leap > 7, 0.3, 1.0)
        if chord is not None and metric <= 2:
            tones = np.isin(frame.pcs, chord_pcs(chord.root_pc, chord.quality))
            weight = GIVEN_TONE_WEIGHT if frame.given else CHORD_TONE_WEIGHT
            boost = weight if metric <= (2 if frame.given else 1) else math.sqrt(weight)
            weights = weights * np.where(tones, boost, 1.0)
            if metric <= 1:
                weights = weights * ~_clashes(frame.pcs, chord)
        return weights


_DURATIONS = np.asarray(DURATIONS_QL)


def _density_weights(density: float) -> np.ndarray:
    """Weights per duration class: dense requests favour short notes, sparse ones long notes."""
    gamma = 3.0 * (min(max(density, 0.0), 1.0) - 0.5)
    return _DURATIONS ** (-gamma)


def _cadence_ql(grid: MeterGrid, phrase_bars: int) -> float:
    """Length of a phrase's closing note: its whole last bar, or for a one-bar phrase everything from
    the last beat (or beat group) at or before the middle of the bar, so the close is never short."""
    if phrase_bars >= 2:
        return grid.bar_ql
    beats = [k * grid.beat_ql for k in range(1, round(grid.bar_ql / grid.beat_ql))]
    anchors = [a for a in (*grid.group_starts, *beats) if a <= grid.bar_ql / 2 + EPS]
    return grid.bar_ql - max(anchors) if anchors else grid.bar_ql


def _given_mask(frame: _Frame, chord: Chord) -> np.ndarray:
    """The notes allowed over one of the user's chords: the mode's, plus the chord's own tones outside it (F#
    over D7 in C major), less the mode's notes that would rub against those (F)."""
    assert frame.singles is not None
    natural = frame.pcs[::2]
    tones = np.isin(frame.pcs, chord_pcs(chord.root_pc, chord.quality)) & frame.singles
    clash = np.isin(frame.pcs, sorted(clashing_pcs(chord, set(natural.tolist()))))
    return ((frame.diatonic > 0) | tones) & ~clash


def _clashes(pcs: np.ndarray, chord: Chord) -> np.ndarray:
    """True where a pitch class is a semitone from a chord tone without being one."""
    tones = np.array(chord_pcs(chord.root_pc, chord.quality))
    diff = (pcs[:, None] - tones[None, :]) % 12
    near = ((diff == 1) | (diff == 11)).any(axis=1)
    return near & ~np.isin(pcs, tones)


def _final_mask(frame: _Frame, onset: float) -> np.ndarray:
    """Allowed final notes: the tonic (the finalis establishes the key), unless it clashes with the closing
    chord; then that chord's tones."""
    tonic = frame.pcs == frame.tonic_pc
    chord = chord_at(frame.chords, onset)
    if chord is None:
        return tonic.astype(float)
    tones = np.isin(frame.pcs, chord_pcs(chord.root_pc, chord.quality))
    if frame.given and not (tonic & tones).any():
        return tones.astype(float)  # the user's last chord lacks the tonic: close on one of its notes
    if (tonic & ~_clashes(frame.pcs, chord)).any():
        return tonic.astype(float)  # the finalis names the key: a melody ends on its tonic
    return tones.astype(float)


def _cadence_mask(frame: _Frame, onset: float, weights: np.ndarray) -> np.ndarray:
    """An inner phrase lands on a tone of the chord under its closing note (any note, when the weights leave
    no chord tone or no chord is planned there): the cadence the breath after it lets the ear hear."""
    chord = chord_at(frame.chords, onset)
    if chord is None:
        return np.ones(len(frame.pcs))
    tones = np.isin(frame.pcs, chord_pcs(chord.root_pc, chord.quality)).astype(float)
    return tones if float((weights * tones).sum()) > 0 else np.ones(len(frame.pcs))


def _opening_weights(frame: _Frame) -> np.ndarray:
    """The first note sits in the tonic triad, its third preferred: the third is what tells a listener (and a
    key finder) the mode, and a short single-line piece has few other chances to sound it."""
    third = (frame.tonic_pc + (3 if frame.family == "minor" else 4)) % 12
    triad = np.isin(frame.pcs, [frame.tonic_pc, third, (frame.tonic_pc + 7) % 12])
    return np.where(frame.pcs == third, 3.0, np.where(triad, 1.0, 0.1))


def _fallback(frame: _Frame, onset: float, final: bool) -> np.ndarray:
    """When every preference cancels out: any in-range, in-mode note (the tonic, for the last note)."""
    if final:
        return frame.in_range * (frame.pcs == frame.tonic_pc)
    return frame.diatonic * frame.in_range


def _draw(weights: np.ndarray, rng: np.random.Generator, fallback: np.ndarray) -> int:
    """Index drawn in proportion to `weights` (or `fallback` when they sum to zero): one rng draw."""
    total = float(weights.sum())
    if total <= 0:
        weights, total = fallback, float(fallback.sum())
        if total <= 0:
            raise MelodyError("no note satisfies the request's range and mode")
    cumulative = np.cumsum(weights)
    return int(min(np.searchsorted(cumulative, rng.random() * total, side="right"), len(weights) - 1))


def _make_frame(spec: Spec, chords: list[Chord], allow_chromatic: bool) -> _Frame:
    """Pitch of every model state for this request, and the masks that do not change note to note."""
    ordered = tuple(triad_chord(c) for c in chords) if spec.chords else tuple(chords)
    if any(b.start < a.start - EPS for a, b in zip(ordered, ordered[1:], strict=False)):
        raise MelodyError("chords must be sorted by start time")
    centre = CENTRE_PITCH + 12 * spec.register
    root = tonic_pc(spec.tonic)
    target = centre - TONIC_BELOW_CENTRE
    tonic_midi = target + ((root - target + 6) % 12) - 6
    pitches = np.array([state_pitch(s, spec.mode, tonic_midi) for s in range(N_PITCH_STATES)])
    natural = np.arange(N_PITCH_STATES) % 2 == 0
    # a raised degree that lands on the next degree (E# = F in major) would double that note's weight
    doubled = ~natural & np.isin(pitches, pitches[natural])
    diatonic = (natural | (allow_chromatic & ~doubled)).astype(float)
    in_range = (np.abs(pitches - centre) <= HALF_SPAN).astype(float)
    return _Frame(meter_grid(spec.time_signature), mode_family(spec.mode), pitches, pitches % 12, diatonic,
                  in_range, root, ordered, spec.density, bool(spec.chords), ~doubled)


@lru_cache(maxsize=1)
def load_default_melody_source() -> MarkovMelody:
    """The Markov melody source over the committed tables, loaded once per process."""
    return MarkovMelody(MarkovModel.load())
