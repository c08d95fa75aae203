"""What the melody model may say next: the REMI grammar plus the request, as a mask over the vocabulary.

Obedience by construction: whatever the weights prefer, a token that would break the grammar, run past the
requested bar count, leave the meter's bar, overlap the previous note, hold longer than a bar, leave the
mode or the range is never sampled. Chord tones get a bonus on strong beats so the line follows the harmony plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from composer.tokens import TICKS_PER_BEAT, GrammarState, MotifTokenizer, beat_quarters, duration_quarters

NEG = -1e9


@dataclass(frozen=True)
class MelodyRequest:
    """A request in the model's normalised key (C for major-like modes, A for minor-like)."""

    meter: str
    bars: int
    allowed_pcs: frozenset[int]
    pitch_low: int
    pitch_high: int
    chords: tuple[tuple[float, float, frozenset[int]], ...] = ()
    """(start, end, pitch classes) of each chord, in quarter notes, normalised key."""
    strong_beats_q: tuple[float, ...] = (0.0,)
    tonic_pc: int | None = None
    """When set, the melody ends on this pitch class and opens in its triad (third preferred)."""
    third_pc: int | None = None
    close_on_tonic: bool = True
    """False for a stretch that a later one continues: any note may end it."""
    chord_bonus: float = 2.0
    nonchord_penalty: float = 1.5
    max_leap: int = 12


@dataclass
class RowState:
    """One candidate's place in the grammar and the music so far."""

    grammar: GrammarState
    last_end_q: Fraction = Fraction(0)
    last_pitch: int | None = None
    notes_in_last_bar: int = 0
    done: bool = False
    pitches: list[int] = field(default_factory=list)


class Constraints:
    """Precomputed token groups and the per-step mask for a request."""

    def __init__(self, tokenizer: MotifTokenizer, request: MelodyRequest) -> None:
        self.tok = tokenizer
        self.req = request
        vocab = tokenizer.vocab
        self.size = len(vocab)
        num, den = (int(x) for x in request.meter.split("/"))
        self.bar_q = Fraction(num * 4, den)
        self.end_q = self.bar_q * request.bars
        self.timesig_id = vocab.get(f"TimeSig_{request.meter}")
        if self.timesig_id is None:
            raise ValueError(f"the model's tokenizer has no time signature {request.meter}")
        beat_q = beat_quarters(request.meter)
        self.positions = {tid: Fraction(int(t.split("_")[1]), TICKS_PER_BEAT) * beat_q
                          for t, tid in vocab.items() if t.startswith("Position_")}
        self.positions = {tid: q for tid, q in self.positions.items() if q < self.bar_q}
        self.pitches = {tid: int(t.split("_")[1]) for t, tid in vocab.items() if t.startswith("Pitch_")}
        self.durations = {tid: duration_quarters(t.split("_")[1], request.meter)
                          for t, tid in vocab.items() if t.startswith("Duration_")}
        self.pitch_ok = {tid: p for tid, p in self.pitches.items()
                         if p % 12 in request.allowed_pcs and request.pitch_low <= p <= request.pitch_high}

    def new_row(self) -> RowState:
        return RowState(GrammarState(self.req.meter))

    def advance(self, row: RowState, token_id: int) -> None:
        """Feed the chosen token to a row's state."""
        token = self.tok.id_to_token[token_id]
        if token_id == self.tok.eos_id:
            row.done = True
            return
        if token == "Bar_None":
            row.notes_in_last_bar = 0
        note = row.grammar.advance(token)
        if note is not None:
            row.last_end_q = Fraction(note.start).limit_denominator(48) + Fraction(note.duration).limit_denominator(48)
            row.last_pitch = note.pitch
            row.pitches.append(note.pitch)
            row.notes_in_last_bar += 1

    def mask(self, row: RowState) -> np.ndarray:
        """Additive mask: 0 where allowed (plus musical bias), NEG where forbidden."""
        out = np.full(self.size, NEG, dtype=np.float32)
        if row.done:
            out[self.tok.pad_id] = 0.0
            return out
        last = row.grammar.last
        if last in ("", "BOS", "MODE", "METER", "TEMPO", "DENSITY", "RANGE", "FAMILY", "BARS"):
            out[self.tok.bar_id] = 0.0
        elif last == "Bar":
            out[self.timesig_id] = 0.0
        elif last == "Position":
            self._allow_pitches(row, out)
        elif last == "Pitch":
            self._allow_durations(row, out)
        else:  # after TimeSig or Duration: a new onset, a new bar, or the end
            self._allow_next_event(row, out)
        return out

    def _allow_next_event(self, row: RowState, out: np.ndarray) -> None:
        bar_start = row.grammar.bar_start_q
        for tid, q in self.positions.items():
            if bar_start + q >= row.last_end_q and bar_start + q < self.end_q:
                out[tid] = 0.0
        if row.grammar.bars_started < self.req.bars:
            out[self.tok.bar_id] = 0.0
        elif (row.notes_in_last_bar > 0 or row.last_end_q > bar_start) and self._ends_well(row.last_pitch):
            out[self.tok.eos_id] = 0.0
        if not (out > NEG).any():
            out[self.tok.eos_id] = 0.0

    def _allow_pitches(self, row: RowState, out: np.ndarray) -> None:
        onset = row.grammar.bar_start_q + row.grammar.position_q
        chord = self.chord_at(float(onset))
        strong = float(row.grammar.position_q) in self.req.strong_beats_q
        opening = row.last_pitch is None and self.req.tonic_pc is not None
        for tid, pitch in self.pitch_ok.items():
            if row.last_pitch is not None and abs(pitch - row.last_pitch) > self.req.max_leap:
                continue
            bias = 0.0
            if opening:
                bias = self._opening_bias(pitch % 12)
            elif strong and chord:
                bias = self.req.chord_bonus if pitch % 12 in chord else -self.req.nonchord_penalty
            out[tid] = bias
        if not (out > NEG).any():  # a leap limit that leaves nothing: allow any in-range pitch
            for tid in self.pitch_ok:
                out[tid] = 0.0

    def _allow_durations(self, row: RowState, out: np.ndarray) -> None:
        """Notes end by the final bar line, and only the tonic may be the note that reaches it.

        No note holds longer than a bar, except a closing one (two): notes over a bar are 0.3% of the corpus,
        nearly all Palestrina's breves, and a melody that opens on a three-bar note reads as one that never
        starts.
        """
        onset = row.grammar.bar_start_q + row.grammar.position_q
        may_close = self._ends_well(row.grammar.pitch)
        for tid, q in self.durations.items():
            closing = onset + q == self.end_q
            if q > (2 * self.bar_q if closing else self.bar_q):
                continue
            if onset + q < self.end_q or (closing and may_close):
                out[tid] = 0.0
        if not (out > NEG).any():  # nothing fits but reaching the end: let it
            for tid, q in self.durations.items():
                if onset + q <= self.end_q:
                    out[tid] = 0.0

    def _ends_well(self, pitch: int | None) -> bool:
        """The finalis: a melody closes on its tonic (any close is fine when no tonic was asked for)."""
        return self.req.tonic_pc is None or not self.req.close_on_tonic or (pitch is not None and pitch % 12 == self.req.tonic_pc)

    def _opening_bias(self, pc: int) -> float:
        """The first note sits in the tonic triad, its third preferred: it tells the ear the mode."""
        if pc == self.req.third_pc:
            return self.req.chord_bonus
        tonic = self.req.tonic_pc
        return self.req.chord_bonus / 2 if tonic is not None and pc in (tonic, (tonic + 7) % 12) \
            else -self.req.nonchord_penalty

    def chord_at(self, time_q: float) -> frozenset[int]:
        for start, end, pcs in self.req.chords:
            if start <= time_q < end:
                return pcs
        return frozenset()
