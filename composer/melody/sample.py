"""Writing melodies with the trained model: conditioning from the Spec, constrained sampling of several
candidates at once with the KV cache, reranking, and transposition to the requested key.

Generation happens in the model's normalised key (C for major-like modes, A for minor-like) because the
training data was normalised there; the result is transposed to the user's tonic afterwards.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from composer.harmony.given import clashing_pcs, heard_triad, triad_chord
from composer.melody.attributes import ANY, Attributes, caption, genre_of, known, tempo_band
from composer.melody.checkpoint import CHECKPOINT_DIR
from composer.melody.constraints import Constraints, MelodyRequest
from composer.melody.corpus import normalised_tonic
from composer.melody.drawing import Draw, draw_rows
from composer.melody.model import MelodyModel, load_model
from composer.melody.priors import prior_for
from composer.melody.rerank import Candidate, choose
from composer.melody.source import MelodyError, chord_at, phrase_lengths
from composer.melody.tokens import PHRASE_BARS, SECTIONS, BarCondition, MotifTokenizer, chord_label
from composer.piece import Chord, Note
from composer.theory import chord_pcs, mode_pcs, pc_name, scale_pcs, tonic_pc
from prompts.music import MAJOR_THIRD_MODES
from prompts.spec import Spec

SEGMENT_BARS = 16
"""The longest window the model was trained on, in bars."""
WRITE_BARS = 8
"""Bars written in one go (longer requests continue from what came before)."""
CONTEXT_BARS = 4
PREFIX_TOKENS = 96
"""At most this many context tokens, so context plus 8 bars of sixteenths fit the 512-token context."""
GENRE_FAMILY = {
    "reel": "reel", "jig": "jig", "hornpipe": "hornpipe", "polka": "polka", "waltz": "waltz",
    "jazz_waltz": "waltz", "march": "march", "celtic": "fiddle_tune", "folk": "folk_song",
    "sea_shanty": "folk_song", "lullaby": "air", "chorale": "chorale", "baroque": "chorale",
    "medieval": "renaissance", "classical": "classical", "romantic": "romantic", "ragtime": "ragtime",
    "klezmer": "folk_song",
}


@dataclass(frozen=True)
class SampleConfig:
    """How candidates are drawn and chosen."""

    candidates: int = 4
    temperature: float = 1.0
    top_p: float = 1.0
    likelihood_margin: float = 0.35
    """Nats per token a candidate may trail the likeliest one and still be chosen (see `choose`)."""
    melody_center: int = 72
    guidance: float = 0.0
    """Classifier-free guidance weight w towards the asked genre (`composer.melody.drawing`, which says what it
    measured): cond + w * (cond - uncond), uncond the same context with GENRE_any; 0 draws no uncond rows.
    Off until the style priors are set again under it."""
    guide_text: bool = False
    """The uncond side also drops the prompt's words for the caption training gave its attributes."""
    text_guidance: float = 3.0
    """Guidance weight towards the prompt's words where the Spec names no genre the model knows: uncond is the
    same context with the caption training gave its attributes in place of the user's words."""


def spec_attributes(spec: Spec) -> Attributes:
    """The model's conditioning for a Spec, in the training vocabulary."""
    density = ("sparse", "medium", "busy", "very_busy")[min(3, int(spec.density * 4))]
    bars = min(spec.bars, SEGMENT_BARS)
    return Attributes(
        mode=known("mode", spec.mode), meter=known("meter", spec.time_signature),
        tempo=tempo_band(spec.tempo_bpm), density=density, range=ANY,
        family=GENRE_FAMILY.get(spec.genre or "", ANY), bars=known("bars", str(bars)), genre=genre_of(spec.genre),
    )


SECTION_LETTER: dict[str, str] = {"verse": "A", "chorus": "B", "bridge": "C", "pre-chorus": "D"}
"""A named section as the letter the model's form tokens use (intro and outro have none: ANY)."""


def section_label(section: str | None) -> str:
    """The SECTION_ value of a form's section name ("A", "A'", "chorus"); a melody outside a form is one
    section, A; ANY for a name the model lacks (intro, a letter past D)."""
    name = section or "A"
    varied = name.endswith("'")
    label = SECTION_LETTER.get(name.rstrip("'"), name.rstrip("'")) + ("'" if varied else "")
    if label not in SECTIONS and varied:  # a varied return the model has no token for: its section's letter
        label = label.rstrip("'")
    return label if label in SECTIONS else ANY


def bar_plan(spec: Spec, chords: list[Chord], shift: int, section: str | None = None) -> tuple[BarCondition, ...]:
    """Each bar's given tokens for a request: the section it belongs to, its place in the piece's 4-bar phrases
    (`phrase_lengths`, the phrasing the constraints breathe by) and the triad of the plan's chord sounding at
    its downbeat, root counted from the normalised tonic (the chords are in the real key, `shift` above)."""
    norm = normalised_tonic(spec.mode)
    places: list[str] = []
    for length in phrase_lengths(spec.bars):
        places += [str(min(i + 1, PHRASE_BARS)) for i in range(length - 1)] + [f"{min(length, PHRASE_BARS)}_end"]
    label = section_label(section)
    plan = []
    for bar in range(spec.bars):
        chord = chord_at(chords, bar * spec.bar_quarters + 1e-6)
        name = ANY if chord is None else chord_label((chord.root_pc - shift) % 12, heard_triad(chord.quality), norm)
        plan.append(BarCondition(label, places[bar], name))
    return tuple(plan)


def strong_beats(meter: str) -> tuple[float, ...]:
    """Onsets within a bar (quarter notes) that carry metric weight: the downbeat and the mid-bar beat."""
    num, den = (int(x) for x in meter.split("/"))
    bar_q = num * 4 / den
    if den == 8 and num % 3 == 0:
        return tuple(i * 1.5 for i in range(num // 3))
    if num in (4, 2, 6) and den in (4, 2):
        return (0.0, bar_q / 2)
    return (0.0,)


def phrase_end_bars(bars: int) -> tuple[int, ...]:
    """The bars (from 0) that end an inner phrase of a melody of `bars` bars: the same 4-bar phrasing (with a
    2 or 3 at the end) the Markov source breathes by; the final bar closes the melody instead."""
    ends, bar = [], 0
    for length in phrase_lengths(bars):
        bar += length
        ends.append(bar - 1)
    return tuple(ends[:-1])


def half_close_pc(chords: list[Chord], norm: int, shift: int) -> int | None:
    """Where a line closes over a plan that ends on the dominant (a section on a half cadence,
    `composer.harmony.form.close_on_half`, a major V): on V's root, in the normalised key, as the Markov source does (the
    tonic rubs a semitone against V's third); None for any other last chord."""
    if not chords:
        return None
    tones = {(pc - shift) % 12 for pc in chord_pcs(chords[-1].root_pc, chords[-1].quality)}
    dominant, leading_tone = (norm + 7) % 12, (norm + 11) % 12
    return dominant if (chords[-1].root_pc - shift) % 12 == dominant and leading_tone in tones else None


def melody_request(spec: Spec, chords: list[Chord], shift: int, allow_chromatic: bool) -> MelodyRequest:
    """The constraints for a Spec in the normalised key (`shift` semitones below the real key)."""
    norm = normalised_tonic(spec.mode)
    allowed = frozenset(range(12)) if allow_chromatic else frozenset(mode_pcs(pc_name(norm), spec.mode))
    center = 72 + 12 * spec.register - shift
    request = MelodyRequest(
        meter=spec.time_signature, bars=spec.bars, allowed_pcs=allowed,
        pitch_low=center - 12, pitch_high=center + 10,
        chords=tuple((c.start, c.end, frozenset((pc - shift) % 12 for pc in chord_pcs(c.root_pc, c.quality)))
                     for c in chords),
        strong_beats_q=strong_beats(spec.time_signature),
        tonic_pc=norm,
        third_pc=(norm + (4 if spec.mode in MAJOR_THIRD_MODES else 3)) % 12,
        close_pc=half_close_pc(chords, norm, shift),
        prior=prior_for(spec.genre), scale_pcs=frozenset(mode_pcs(pc_name(norm), spec.mode)),
    )
    return given_request(request, spec, chords, shift) if spec.chords else plan_colour(request, spec, chords, shift)


GIVEN_CHORD_BONUS = 3.5
GIVEN_NONCHORD_PENALTY = 3.0
"""Logit bias on strong beats over a user's chords (the style's plan takes 2.0 and 1.5): their triad is what a
strong beat must sound."""


def given_strong_beats(spec: Spec, chords: list[Chord]) -> tuple[float, ...]:
    """The meter's strong beats plus wherever in a bar one of the user's chords starts (the second chord of a
    5/4 bar starts on beat 4, which the meter alone leaves weak)."""
    starts = {round(c.start % spec.bar_quarters, 6) for c in chords}
    return tuple(sorted(set(strong_beats(spec.time_signature)) | starts))


def idiom_pcs(request: MelodyRequest) -> frozenset[int]:
    """The pitch classes a style's prior asks for outside the scale (a blues's b3 and b5): over a user's chords
    they stay allowed, as the idiom sounds them against those chords."""
    prior, tonic = request.prior, request.tonic_pc
    if prior is None or tonic is None:
        return frozenset()
    return frozenset((tonic + step) % 12 for step, bias in prior.step_bias.items() if bias > 0)


def heard_triads(chords: list[Chord], shift: int) -> tuple[list[Chord], list[frozenset[int]]]:
    """Each chord as the triad it is heard as (`triad_chord`), moved `shift` semitones down into the normalised
    key, and that triad's pitch classes: what a line over the chords leans on and colours with."""
    triads = [triad_chord(dataclasses.replace(c, root_pc=(c.root_pc - shift) % 12, bass_pc=None)) for c in chords]
    return triads, [frozenset(chord_pcs(t.root_pc, t.quality)) for t in triads]


def given_request(request: MelodyRequest, spec: Spec, chords: list[Chord], shift: int) -> MelodyRequest:
    """The constraints over a user's own chords (`request`: the style's, for the same Spec): strong beats lean
    on each chord's triad, the triad's notes outside the key are allowed where it sounds and the key's notes
    that rub against them are not (F# and no F over D7 in C major), and the line closes on the tonic only when
    the last chord holds it."""
    norm, allowed = request.tonic_pc, request.allowed_pcs
    triads, tones = heard_triads(chords, shift)
    scale = frozenset(mode_pcs(pc_name(norm), spec.mode))
    last = triads[-1] if triads else None
    return dataclasses.replace(
        request, allowed_pcs=allowed.union(*tones),
        chords=tuple((c.start, c.end, pcs) for c, pcs in zip(chords, tones, strict=True)),
        strong_beats_q=given_strong_beats(spec, chords),
        close_pc=None if last is None or norm in tones[-1] else last.root_pc,
        avoid=tuple((c.start, c.end, (allowed - scale - pcs - idiom_pcs(request)) | clashing_pcs(t, scale))
                    for c, t, pcs in zip(chords, triads, tones, strict=True)),
        chord_bonus=GIVEN_CHORD_BONUS, nonchord_penalty=GIVEN_NONCHORD_PENALTY,
    )


def plan_colour(request: MelodyRequest, spec: Spec, chords: list[Chord], shift: int) -> MelodyRequest:
    """The constraints over the style's own plan where a chord's triad holds a note outside the mode's natural
    scale (bVII's flat seventh in a major rock loop, a secondary dominant's raised fourth, V's leading tone in
    minor): the note may sound where that chord does, and the scale notes a semitone from it that are neither
    its chord tones nor the tonic may not (no B or A over Bb in C major, no G over E in A minor), so the line
    plays the chord's colour instead of rubbing against it, as over a user's chords (`given_request`), and leans
    on it there (`MelodyRequest.colour`). The style's idiom (`idiom_pcs`: a blues's b3) is never avoided. A plan
    inside the scale is left as it was."""
    norm = normalised_tonic(spec.mode)
    scale = frozenset(scale_pcs(pc_name(norm), spec.mode))
    triads, tones = heard_triads(chords, shift)
    outside = frozenset().union(*tones) - scale
    if not outside:
        return request
    idiom = idiom_pcs(request)
    spans = [(c.start, c.end, ((outside - request.allowed_pcs - pcs) | clashing_pcs(t, scale)) - idiom - {norm})
             for c, t, pcs in zip(chords, triads, tones, strict=True)]
    colour = [(c.start, c.end, pcs - scale) for c, pcs in zip(chords, tones, strict=True)]
    return dataclasses.replace(request, allowed_pcs=request.allowed_pcs | outside,
                               avoid=tuple((start, end, pcs) for start, end, pcs in spans if pcs),
                               colour=tuple((start, end, pcs) for start, end, pcs in colour if pcs))


class ModelMelody:
    """The learned melody source (implements `composer.melody.MelodySource`)."""

    name = "model"

    def __init__(self, model: MelodyModel, tokenizer: MotifTokenizer,
                 embed: Callable[[Sequence[str]], np.ndarray], config: SampleConfig | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.embed = embed
        self.config = config or SampleConfig()
        self._free_captions: dict[str, torch.Tensor] = {}

    def generate(self, spec: Spec, chords: list[Chord], rng: np.random.Generator,
                 allow_chromatic: bool = False, context: list[Note] | None = None,
                 section: str | None = None) -> list[Note]:
        """Exactly `spec.bars` bars of melody in the Spec's key, meter and mode.

        `section`: the name of the form's section this melody is (A, A', B, verse, ...), given to the model with
        each bar's chord and place in its phrase (`bar_plan`); None when the piece is not in sections.

        `context`: notes that come just before (onsets negative, relative to this melody's start), e.g. the
        parent's last bars when continuing or varying a piece; up to CONTEXT_BARS of them are fed to the model
        as a prefix, so the new bars follow on from what the listener just heard.

        Requests longer than WRITE_BARS are written WRITE_BARS at a time, each part continuing from the bars
        before it: the model was trained on windows that fit its 512-token context, and a busy 16-bar reel
        does not fit (it ran past the context and failed before this).
        """
        ends = phrase_end_bars(spec.bars)
        plan = bar_plan(spec, chords, key_shift(spec), section)
        if spec.bars <= WRITE_BARS:
            return self._write(spec, chords, rng, allow_chromatic, context or [], final=True, phrase_ends=ends,
                               plan=plan)
        written: list[Note] = []
        for first in range(0, spec.bars, WRITE_BARS):
            bars = min(WRITE_BARS, spec.bars - first)
            start, end = first * spec.bar_quarters, (first + bars) * spec.bar_quarters
            part_chords = [dataclasses.replace(c, start=c.start - start) for c in chords if c.end > start and c.start < end]
            before = [dataclasses.replace(n, start=n.start - start) for n in [*(context or []), *written]]
            new = self._write(dataclasses.replace(spec, bars=bars), part_chords, rng, allow_chromatic, before,
                              final=first + bars >= spec.bars,
                              phrase_ends=tuple(b - first for b in ends if first <= b < first + bars),
                              plan=plan[first:first + bars])
            written += [dataclasses.replace(n, start=n.start + start) for n in new]
        return written

    def _write(self, spec: Spec, chords: list[Chord], rng: np.random.Generator, allow_chromatic: bool,
               context: list[Note], final: bool, phrase_ends: tuple[int, ...] = (),
               plan: tuple[BarCondition, ...] = ()) -> list[Note]:
        """One stretch of at most WRITE_BARS bars; `final`: it ends the melody, so it closes on the tonic.
        `phrase_ends`: the stretch's bars (from 0) that end an inner phrase, where the line lands and breathes.
        `plan`: the stretch's bar tokens (`bar_plan`); the context's bars are given ANY."""
        shift = key_shift(spec)
        ctx_bars, prefix = self.context_prefix(context, spec, shift)
        total = dataclasses.replace(spec, bars=spec.bars + ctx_bars)
        offset = ctx_bars * spec.bar_quarters
        moved = [dataclasses.replace(c, start=c.start + offset) for c in chords]
        landings = tuple((ctx_bars + bar) * spec.bar_quarters + max(strong_beats(spec.time_signature))
                         for bar in phrase_ends)
        request = dataclasses.replace(melody_request(total, moved, shift, allow_chromatic), close_on_tonic=final,
                                      landings_q=landings, bar_conditions=(BarCondition(),) * ctx_bars + plan)
        constraints = Constraints(self.tokenizer, request)
        embedding = torch.from_numpy(np.asarray(self.embed([spec.prompt or spec_caption(spec)]), dtype=np.float32))
        rows = self.sample_rows(constraints, spec_attributes(total), embedding, rng, prefix)
        best = choose(rows, request, self.config.likelihood_margin)
        notes = self.tokenizer.decode_notes(prefix + best.ids, spec.time_signature)
        return [Note(n.pitch + shift, n.start - offset, n.duration, 90) for n in notes if n.start >= offset - 1e-6]

    def context_prefix(self, context: list[Note], spec: Spec, shift: int) -> tuple[int, list[int]]:
        """(bars, REMI tokens) of the context fed before the new bars: whole bars, as many as fit PREFIX_TOKENS."""
        ctx_bars, ctx_notes = context_window(context, spec)
        while ctx_bars:
            offset = ctx_bars * spec.bar_quarters
            notes = [(p - shift, o + offset, d) for p, o, d in ctx_notes if o + offset >= -1e-6]
            prefix = pad_bars(self.tokenizer.encode_notes(notes, spec.time_signature), ctx_bars, self.tokenizer,
                              spec.time_signature)
            prefix = self.tokenizer.with_bar_tokens(prefix, [])
            if len(prefix) <= PREFIX_TOKENS:
                return ctx_bars, prefix
            ctx_bars -= 1
        return 0, []

    def sample_rows(self, constraints: Constraints, attrs: Attributes, embedding: torch.Tensor,
                    rng: np.random.Generator, prefix: list[int] | None = None) -> list[Candidate]:
        """Draw `candidates` sequences in one batch (`drawing.draw_rows`), masked by the constraints and guided
        towards the genre (`SampleConfig.guidance`) or, where none is asked, the words (`text_guidance`); the
        finished ones."""
        config, prefix = self.config, prefix or []
        prompt = [self.tokenizer.bos_id, *self.tokenizer.attribute_ids(attrs), *prefix]
        room = self.model.config.max_tokens - len(prompt)
        draw = Draw(prompt, embedding, config.candidates, min(constraints.req.bars * 64 + 8, room),
                    config.temperature, config.top_p)
        if config.guidance and attrs.genre != ANY:
            free = dataclasses.replace(attrs, genre=ANY)
            draw = dataclasses.replace(
                draw, guidance=config.guidance,
                free_prompt=[self.tokenizer.bos_id, *self.tokenizer.attribute_ids(free), *prefix],
                free_embedding=self.free_embedding(free) if config.guide_text else embedding)
        elif config.text_guidance and attrs.genre == ANY:
            draw = dataclasses.replace(draw, guidance=config.text_guidance, free_prompt=prompt,
                                       free_embedding=self.free_embedding(attrs))
        finished = [row for row in draw_rows(self.model, constraints, draw, rng, prefix) if row.state.done]
        if not finished:
            raise MelodyError(f"{constraints.req.bars} bars this busy do not fit the melody model's context; "
                              "ask for fewer notes (a calmer tempo or density) or use --engine markov")
        return finished

    def free_embedding(self, attrs: Attributes) -> torch.Tensor:
        """The caption embedding of the guidance's free side (genre-free, or for text guidance word-free): the
        words training paired with these attributes (`attributes.caption`: no genre words when the genre is
        ANY), embedded once per caption."""
        text = caption(attrs, random.Random(0))
        if text not in self._free_captions:
            self._free_captions[text] = torch.from_numpy(np.asarray(self.embed([text]), dtype=np.float32))
        return self._free_captions[text]


def key_shift(spec: Spec) -> int:
    """Semitones from the normalised key (C / A minor) up to the Spec's, the nearer way (-5..6)."""
    shift = (tonic_pc(spec.tonic) - normalised_tonic(spec.mode)) % 12
    return shift - 12 if shift > 6 else shift


def context_window(context: list[Note], spec: Spec) -> tuple[int, list[tuple[int, float, float]]]:
    """The whole bars of `context` (onsets < 0) that fit before the melody: at most CONTEXT_BARS, and never
    so many that context plus new bars exceed what the model was trained on."""
    bars = min(CONTEXT_BARS, max(0, SEGMENT_BARS - spec.bars))
    if not context or bars == 0:
        return 0, []
    start = -bars * spec.bar_quarters
    notes = [(n.pitch, n.start, min(n.duration, -n.start)) for n in context if start - 1e-6 <= n.start < 0]
    return (bars, notes) if notes else (0, [])


def pad_bars(ids: list[int], bars: int, tokenizer: MotifTokenizer, meter: str) -> list[int]:
    """Make sure a prefix holds exactly `bars` Bar tokens (REMI stops at the last note's bar)."""
    timesig = tokenizer.vocab[f"TimeSig_{meter}"]
    missing = bars - ids.count(tokenizer.bar_id)
    return ids + [tokenizer.bar_id, timesig] * max(0, missing)


def spec_caption(spec: Spec) -> str:
    """Words for the embedding when a Spec carries no prompt (e.g. a remix built from edits)."""
    words = [*spec.moods, (spec.genre or "").replace("_", " "), "melody in", spec.tonic, spec.mode,
             spec.time_signature]
    return " ".join(w for w in words if w)


def load_model_melody(embed: Callable[[Sequence[str]], np.ndarray], checkpoint: Path = CHECKPOINT_DIR,
                      config: SampleConfig | None = None) -> ModelMelody:
    """The committed checkpoint as a melody source (CPU, eval mode, one intra-op thread).

    Why one thread: a decoding step is a few 4x192 matrix products, too small for a second thread to help
    (1.2-1.3 ms a step either way), and when another process keeps the other core busy (a second bot worker,
    training, the audio encoder) two OpenMP threads stall each other: steps took 80-250 ms instead.
    """
    torch.set_num_threads(1)
    return ModelMelody(load_model(checkpoint), MotifTokenizer.load(checkpoint), embed, config)
