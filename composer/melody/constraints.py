"""What the melody model may say next: the REMI grammar plus the request, as a mask over the vocabulary.

Obedience by construction: whatever the weights prefer, a token that would break the grammar, run past the
requested bar count, leave the meter's bar, overlap the previous note, hold longer than a bar, leave the
mode or the range is never sampled. A melody that asks to close on its tonic does so the way corpus tunes do:
the last note is the tonic, starts by the final bar's last strong beat and holds to the final bar line. Chord
tones get a bonus on strong beats so the line follows the harmony plan. Phrases breathe: at each phrase end
(`MelodyRequest.landings_q`) the line lands on a tone of the cadence chord on the bar's last strong beat and
holds it at least a beat, then holds, rests or leads into the next phrase from the bar's last beat. A pitch
struck three times in a row pays to be struck again (`RUN_PENALTY`). After each Bar token the bar's given
tokens (section, place in the phrase, chord: `MelodyRequest.bar_conditions`) are the only choice, for a
checkpoint that has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from composer.melody.priors import PriorBias, StylePrior
from composer.melody.tokens import (
    TICKS_PER_BEAT,
    BarCondition,
    GrammarState,
    MotifTokenizer,
    beat_quarters,
    duration_quarters,
)

NEG = -1e9
COLOUR_SPACING = 3
"""Notes back within which a colour tone already heard gets no `MelodyRequest.colour_bonus`."""
RUN_FREE = 3
RUN_PENALTY = 1.5
"""A pitch the line has just struck RUN_FREE times in a row pays RUN_PENALTY (logits) to be struck again. Why:
the learned lines hammered one note far more often than the music they learned from (review suite x seeds 1-3,
read from the written MIDI: a run of 4 or more of one pitch in 67% of folk pieces, real folk 27%; blues 83%
vs 22%, electronic 73% vs 32%): the reel's F#F#F#F#, the folk song's six F#s, the chiptune's bar of Cs."""
BAR_TOKEN_AFTER: dict[str, int] = {"Bar": 0, "SECTION": 1, "PHRASE": 2}
"""Which of a bar's given tokens follows each token kind (then the time signature)."""


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
    close_pc: int | None = None
    """The note to close on instead of the tonic (a user's progression that ends on a chord without it)."""
    avoid: tuple[tuple[float, float, frozenset[int]], ...] = ()
    """(start, end, pitch classes) never sounded there: the key's notes that rub against a user's chord."""
    colour: tuple[tuple[float, float, frozenset[int]], ...] = ()
    """(start, end, pitch classes) given `colour_bonus` on any beat there: a plan chord's notes outside the mode
    (`composer.melody.sample.plan_colour`), which the folk-trained model all but never picks on its own."""
    colour_bonus: float = 3.0
    """Enough that a line over bVII sounds its flat seventh now and then (at 1.5, none in four lines over two
    Bb bars each); it is off while the note is among the line's last COLOUR_SPACING, so one that found it
    does not sit on it (at 4.5 without that, one line played Bb four times running)."""
    landings_q: tuple[float, ...] = ()
    """Where inner phrases land (quarter notes): the last strong beat of each phrase-end bar but the final one."""
    prior: StylePrior | None = None
    """The style's decoding prior (`composer.melody.priors`): logit biases where the model's data is thin."""
    scale_pcs: frozenset[int] = frozenset()
    """The mode's own pitch classes (what the prior's chromatic approach tones lie outside of)."""
    chord_bonus: float = 2.0
    nonchord_penalty: float = 1.5
    max_leap: int = 12
    bar_conditions: tuple[BarCondition, ...] = ()
    """Each bar's section, place in its phrase and chord (the tokens after its Bar); ANY past the end."""


@dataclass
class RowState:
    """One candidate's place in the grammar and the music so far."""

    grammar: GrammarState
    last_end_q: Fraction = Fraction(0)
    last_start_q: Fraction = Fraction(-1)
    last_pitch: int | None = None
    notes_in_last_bar: int = 0
    done: bool = False
    pitches: list[int] = field(default_factory=list)


TICKS_PER_QUARTER = 48
"""Time inside the mask in integer ticks: every REMI position and duration is a whole number of them (twelfths
of a beat of 1/8, 1/4 or 1/2 note, and quarters of a beat for long notes), so comparisons are exact and
vectorised instead of one Fraction sum per vocabulary entry per step."""


def ticks(quarters: Fraction | float) -> int:
    return round(Fraction(quarters).limit_denominator(TICKS_PER_QUARTER) * TICKS_PER_QUARTER)


class Constraints:
    """Precomputed token groups (ids with their onset, duration or pitch as arrays) and the per-step mask."""

    def __init__(self, tokenizer: MotifTokenizer, request: MelodyRequest) -> None:
        self.tok = tokenizer
        self.req = request
        vocab = tokenizer.vocab
        self.size = len(vocab)
        num, den = (int(x) for x in request.meter.split("/"))
        self.bar_q = Fraction(num * 4, den)
        self.bar_t = ticks(self.bar_q)
        self.end_t = self.bar_t * request.bars
        self.timesig_id = vocab.get(f"TimeSig_{request.meter}")
        if self.timesig_id is None:
            raise ValueError(f"the model's tokenizer has no time signature {request.meter}")
        beat_q = beat_quarters(request.meter)
        positions = {tid: ticks(Fraction(int(t.split("_")[1]), TICKS_PER_BEAT) * beat_q)
                     for t, tid in vocab.items() if t.startswith("Position_")}
        positions = {tid: t for tid, t in positions.items() if t < self.bar_t}
        self.position_ids, self.position_t = _arrays(positions)
        durations = {tid: ticks(duration_quarters(t.split("_")[1], request.meter))
                     for t, tid in vocab.items() if t.startswith("Duration_")}
        self.duration_ids, self.duration_t = _arrays(durations)
        pitch_ok = {tid: int(t.split("_")[1]) for t, tid in vocab.items() if t.startswith("Pitch_")}
        pitch_ok = {tid: p for tid, p in pitch_ok.items()
                    if p % 12 in request.allowed_pcs and request.pitch_low <= p <= request.pitch_high}
        self.pitch_ids, self.pitch_values = _arrays(pitch_ok)
        self.pitch_pcs = self.pitch_values % 12
        self.strong_t = {ticks(q) for q in request.strong_beats_q}
        self.close_by_t = self.end_t - self.bar_t + max(self.strong_t) if self._closes() else None
        closable = self.duration_t[self.duration_t <= 2 * self.bar_t]
        self.position_closable = np.isin(self.bar_t - self.position_t, closable)
        """Per position token: a note starting there in the final bar can hold to the bar line with one Duration."""
        members = [np.isin(self.pitch_pcs, sorted(pcs)) for _, _, pcs in request.chords]
        self.chord_spans = [(ticks(start), ticks(end), tones, *self._strong_bias(tones, pcs))
                            for (start, end, pcs), tones in zip(request.chords, members, strict=True)]
        self.avoid_spans = [(ticks(start), ticks(end), np.isin(self.pitch_pcs, sorted(pcs)))
                            for start, end, pcs in request.avoid]
        self.colour_spans = [(ticks(start), ticks(end), np.isin(self.pitch_pcs, sorted(pcs)))
                             for start, end, pcs in request.colour]
        self.close_pc = request.tonic_pc if request.close_pc is None else request.close_pc
        self.beat_t = ticks(_beat_q(request.meter))
        self.landings_t = sorted(ticks(q) for q in request.landings_q)
        self.bar_token_ids = [tokenizer.bar_ids(c) for c in request.bar_conditions]
        self.free_bar_ids = tokenizer.bar_ids(BarCondition())
        self.prior = None if request.prior is None or request.tonic_pc is None else PriorBias(
            request.prior, request.tonic_pc, request.scale_pcs, self.pitch_pcs, self.pitch_values, self.position_t,
            self.beat_t, [(ticks(start), ticks(end), pcs) for start, end, pcs in request.chords])

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
            row.last_start_q = Fraction(note.start).limit_denominator(48)
            row.last_end_q = row.last_start_q + Fraction(note.duration).limit_denominator(48)
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
        if last in ("", "BOS", "MODE", "METER", "TEMPO", "DENSITY", "RANGE", "FAMILY", "BARS", "GENRE"):
            out[self.tok.bar_id] = 0.0
        elif last in BAR_TOKEN_AFTER and self.tok.has_bar_tokens:
            out[self._bar_token(row, BAR_TOKEN_AFTER[last])] = 0.0
        elif last in ("Bar", "CHORD"):
            out[self.timesig_id] = 0.0
        elif last == "Position":
            self._allow_pitches(row, out)
        elif last == "Pitch":
            self._allow_durations(row, out)
        else:  # after TimeSig or Duration: a new onset, a new bar, or the end
            self._allow_next_event(row, out)
        return out

    def _bar_token(self, row: RowState, index: int) -> int:
        """The given token `index` (0 section, 1 phrase, 2 chord) of the bar the row is in."""
        bar = row.grammar.bars_started - 1
        ids = self.bar_token_ids[bar] if 0 <= bar < len(self.bar_token_ids) else self.free_bar_ids
        return ids[index]

    def _allow_next_event(self, row: RowState, out: np.ndarray) -> None:
        bar_start = ticks(row.grammar.bar_start_q)
        last_end = ticks(row.last_end_q)
        onsets = bar_start + self.position_t
        allowed = (onsets >= last_end) & (onsets < self.end_t)
        if self.close_by_t is not None:
            allowed &= self._closing_positions(onsets, last_end)
        landing = self.landing_in_bar(bar_start)
        landed = landing is not None and (ticks(row.last_start_q) == landing or last_end > landing)
        if landing is not None:  # land on the phrase's last strong beat; after it, a pickup or the next bar
            allowed &= (onsets >= self._pickup_from(landing)) if landed else (onsets <= landing)
        out[self.position_ids[allowed]] = 0.0 if self.prior is None else self.prior.positions()[allowed]
        breathed = landing is None or landed
        if row.grammar.bars_started < self.req.bars:
            if breathed:
                out[self.tok.bar_id] = 0.0
        elif (row.notes_in_last_bar > 0 or last_end > bar_start) and self._ends_well(row.last_pitch) \
                and (self.close_by_t is None or last_end == self.end_t) and breathed:
            out[self.tok.eos_id] = 0.0
        if not (out > NEG).any():
            out[self.tok.eos_id] = 0.0

    def _allow_pitches(self, row: RowState, out: np.ndarray) -> None:
        position = ticks(row.grammar.position_q)
        onset = ticks(row.grammar.bar_start_q) + position
        in_chord, cadence_bias, strong_bias = self.chord_at_ticks(onset)
        strong = position in self.strong_t
        opening = row.last_pitch is None and self.req.tonic_pc is not None
        allowed = np.ones(len(self.pitch_ids), dtype=bool)
        if row.last_pitch is not None:
            allowed = np.abs(self.pitch_values - row.last_pitch) <= self.req.max_leap
        if self._is_closing_onset(onset):
            tonic = self.pitch_pcs == self.close_pc
            allowed = allowed & tonic if (allowed & tonic).any() else tonic
        elif onset in self.landings_t and in_chord is not None and in_chord.any():
            allowed = allowed & in_chord if (allowed & in_chord).any() else in_chord
        for start, end, avoid in self.avoid_spans:
            if start <= onset < end and (allowed & ~avoid).any():
                allowed = allowed & ~avoid
        bias = np.zeros(len(self.pitch_ids), dtype=np.float32)
        if opening:
            bias = self._opening_bias(self.pitch_pcs)
        elif strong and strong_bias is not None:
            bias = cadence_bias if onset in self.landings_t else strong_bias
        colour = next((c for start, end, c in self.colour_spans if start <= onset < end), None)
        if colour is not None:
            heard = np.isin(self.pitch_pcs, [p % 12 for p in row.pitches[-COLOUR_SPACING:]])
            bias = bias + np.where(colour & ~heard, self.req.colour_bonus, 0.0).astype(np.float32)
        if self.prior is not None:
            bias = bias + self.prior.pitch(onset, strong, row.pitches)
        if len(row.pitches) >= RUN_FREE and len(set(row.pitches[-RUN_FREE:])) == 1:
            bias = bias - np.where(self.pitch_values == row.last_pitch, RUN_PENALTY, 0.0).astype(np.float32)
        out[self.pitch_ids[allowed]] = bias[allowed]
        if not allowed.any():  # a leap limit that leaves nothing: allow any in-range pitch
            out[self.pitch_ids] = 0.0

    def _allow_durations(self, row: RowState, out: np.ndarray) -> None:
        """Notes end by the final bar line, and only the tonic may be the note that reaches it.

        No note holds longer than a bar, except a closing one (two): notes over a bar are 0.3% of the corpus,
        nearly all Palestrina's breves, and a melody that opens on a three-bar note reads as one that never
        starts.
        """
        onset = ticks(row.grammar.bar_start_q + row.grammar.position_q)
        ends = onset + self.duration_t
        closing = ends == self.end_t
        fits = self.duration_t <= np.where(closing, 2 * self.bar_t, self.bar_t)
        ok = fits & ((ends < self.end_t) | (closing & self._ends_well(row.grammar.pitch)))
        if self._is_closing_onset(onset):
            ok &= closing  # the closing note holds to the final bar line
        ok &= self._landing_durations(onset, ends)
        out[self.duration_ids[ok]] = 0.0 if self.prior is None else self.prior.durations(onset, ends)[ok]
        if not ok.any():  # nothing fits but reaching the end: let it
            out[self.duration_ids[ends <= self.end_t]] = 0.0

    def landing_in_bar(self, bar_start_t: int) -> int | None:
        """The landing point of the phrase ending in the bar starting at `bar_start_t`, if it ends one."""
        return next((t for t in self.landings_t if bar_start_t <= t < bar_start_t + self.bar_t), None)

    def _pickup_from(self, landing_t: int) -> int:
        """Where a pickup into the next phrase may start after a landing: a beat after it (the landing note is
        heard at least that long) and in the bar's last beat, so the breath is the landing's, not the pickup's.
        Real phrase ends lead on as often as they hold (a reel's landing quarter then two eighths into the next
        phrase); lines that had to hold or rest to every phrase's bar line marked their ends 1.4-1.8 times as
        long as other bars where real tunes of the same family mark them 1.0-1.1 (`motif eval --only
        form_idiom`)."""
        bar_end = (landing_t // self.bar_t + 1) * self.bar_t
        return max(landing_t + self.beat_t, bar_end - self.beat_t)

    def _landing_durations(self, onset_t: int, ends: np.ndarray) -> np.ndarray:
        """Durations the phrase ends leave a note starting at `onset_t`: the landing note holds at least a
        beat and stops by the bar line (held, or followed by a rest: the breath); a note before a landing
        point stops by it, so the landing note is heard starting there, not tied over from an off-beat."""
        ahead = next((t for t in self.landings_t if t >= onset_t), None)
        if ahead is None or ahead - onset_t >= self.bar_t:
            return np.ones(len(ends), dtype=bool)
        if ahead > onset_t:
            return ends <= ahead
        bar_end = (onset_t // self.bar_t + 1) * self.bar_t
        hold = (ends <= bar_end) & (ends - onset_t >= min(self.beat_t, bar_end - onset_t))
        return hold if hold.any() else ends <= bar_end

    def _closes(self) -> bool:
        """True when the melody must close on its tonic (the last stretch of a melody that asked for one)."""
        return self.req.tonic_pc is not None and self.req.close_on_tonic

    def _closing_positions(self, onsets: np.ndarray, last_end: int) -> np.ndarray:
        """Onsets the closing rule leaves: the closing note starts by the final bar's last strong beat (or as
        soon as a note held across it ends), at a place from which one Duration token reaches the bar line.
        Before that beat everything is open."""
        assert self.close_by_t is not None
        late = onsets >= self.close_by_t
        if last_end <= self.close_by_t:
            return ~late | (onsets == self.close_by_t) & self.position_closable
        candidates = np.flatnonzero(late & self.position_closable & (onsets >= last_end) & (onsets < self.end_t))
        if not len(candidates):
            return np.ones(len(onsets), dtype=bool)
        return onsets == onsets[candidates].min()

    def _is_closing_onset(self, onset_t: int) -> bool:
        """A note starting here is the closing note: at or after the final bar's last strong beat.

        Why: with only the last note's pitch constrained, a line that had not reached the tonic when the model
        wanted to stop filled the final beat with ever shorter notes until one landed on it (a D minor jazz
        tune ended on four 1/48-note flourishes). Corpus melodies close on a held tonic from a strong beat.
        """
        return self.close_by_t is not None and onset_t >= self.close_by_t

    def _ends_well(self, pitch: int | None) -> bool:
        """The finalis: a melody closes on its tonic (any close is fine when no tonic was asked for)."""
        return self.req.tonic_pc is None or not self.req.close_on_tonic or (pitch is not None and pitch % 12 == self.close_pc)

    def _opening_bias(self, pcs: np.ndarray) -> np.ndarray:
        """The first note sits in the tonic triad, its third preferred: it tells the ear the mode."""
        tonic = self.req.tonic_pc
        triad = np.isin(pcs, [tonic, (tonic + 7) % 12]) if tonic is not None else np.zeros(len(pcs), dtype=bool)
        bias = np.where(triad, self.req.chord_bonus / 2, -self.req.nonchord_penalty)
        return np.where(pcs == self.req.third_pc, self.req.chord_bonus, bias).astype(np.float32)

    def chord_at_ticks(self, time_t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | tuple[None, None, None]:
        """Which allowed pitches belong to the chord sounding at `time_t`, and what each gets on a strong beat
        there, at a phrase's landing and elsewhere (`_strong_bias`); all None when no chord is planned there."""
        for start, end, members, cadence_bias, strong_bias in self.chord_spans:
            if start <= time_t < end:
                return members, cadence_bias, strong_bias
        return None, None, None

    def _strong_bias(self, tones: np.ndarray, pcs: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
        """The bias of each allowed pitch on a strong beat over a chord of `pcs` (`tones`: which allowed pitches are
        in it): its tones `chord_bonus`, the rest
        `-nonchord_penalty`, as a phrase lands; and elsewhere the same, but over the tonic chord (the tonic and
        its fifth in it) the tonic less the style prior's `tonic_rest` (`composer.melody.priors.StylePrior`).
        A phrase may close on the tonic (a full cadence, where landing on it and holding it is the breath); it
        is the downbeats inside a phrase that must not rest."""
        req = self.req
        cadence = np.where(tones, req.chord_bonus, -req.nonchord_penalty)
        inside = cadence
        rest = req.prior.tonic_rest if req.prior is not None else 0.0
        if rest and req.tonic_pc is not None and {req.tonic_pc, (req.tonic_pc + 7) % 12} <= pcs:
            inside = cadence - np.where(self.pitch_pcs == req.tonic_pc, rest, 0.0)
        return cadence.astype(np.float32), inside.astype(np.float32)


def _beat_q(meter: str) -> Fraction:
    """The felt beat in quarter notes: a dotted quarter in compound meters (6/8, 9/8, 12/8), else the
    time signature's denominator."""
    num, den = (int(x) for x in meter.split("/"))
    return Fraction(3, 2) if den == 8 and num % 3 == 0 else Fraction(4, den)


def _arrays(ids_to_values: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and their values as two aligned integer arrays."""
    ids = np.fromiter(ids_to_values.keys(), dtype=np.int64, count=len(ids_to_values))
    values = np.fromiter(ids_to_values.values(), dtype=np.int64, count=len(ids_to_values))
    return ids, values
