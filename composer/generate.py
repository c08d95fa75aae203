"""compose(spec) -> Piece: harmony plan, melody, arrangement, with per-stage timings.

This is the one entry point front ends call; everything random is drawn from one generator seeded by
`spec.seed`, so the same Spec always gives the same Piece (and a remix can be reproduced).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from composer.arrange.arranger import arrange
from composer.arrange.grooves import groove_note
from composer.arrange.phrasing import anticipate, breathe
from composer.harmony.clarity import clarity, piece_says_key
from composer.harmony.form import (
    SectionSpan,
    change_key,
    close_on_half,
    section_spans,
    section_spec,
    shift_chords,
    shift_notes,
)
from composer.harmony.given import dropped_note
from composer.harmony.plan import plan_harmony
from composer.melody.riff import state_blues_lines, state_riff
from composer.melody.variation import (
    answer_in_sequence,
    keep_rhythm,
    time_closes,
    variation_kinds,
    vary_ending,
)
from composer.originality import OriginalityIndex, OriginalityReport, screen
from composer.piece import Chord, Note, Piece
from composer.styles import Style, style_for
from prompts.errors import UserError
from prompts.spec import Spec

T = TypeVar("T")

HARMONY_TRIES = 8
"""Harmony plans drawn at most, looking for one that establishes the requested key."""
CLEAR_MARGIN = 0.12
"""How far the requested key's profile correlation must lead the next key's: a plan that only just says
the key is tipped over by the melody and voicings laid on it (measured on the control suite)."""
SECTION_PLAN_TRIES = 4
"""Sets of section plans drawn at most, looking for one whose piece says the key (each section's plan is
itself the clearest of up to HARMONY_TRIES: a style whose plans never say it clearly costs 4 x 8 draws)."""
RETRY_STRIDE = 1_000_003
"""Seed offset between originality retries (a large prime keeps retries' draws unrelated)."""
KEY_ATTEMPTS = 3
"""Original pieces drawn at most while looking for one heard in the requested key."""

if TYPE_CHECKING:
    from composer.melody.source import MelodySource


def plan_clear_harmony(spec: Spec, style: Style, rng: np.random.Generator, tries: int = HARMONY_TRIES) -> list[Chord]:
    """A harmony plan that establishes the requested key: draw up to `tries` plans and keep the first whose
    chords say the key clearly (composer.harmony.clarity), else the one whose key stands out most. The user's
    own chords (`spec.chords`) are the plan as they are: their progression is not redrawn for the key's sake."""
    if spec.chords:
        return plan_harmony(spec, style, rng)
    return _clearest(lambda: plan_harmony(spec, style, rng), lambda chords: chords, spec, tries)


def _clearest(draw: Callable[[], T], heard: Callable[[T], list[Chord]], spec: Spec, tries: int) -> T:
    """The first of up to `tries` draws whose harmony, as `heard` lays it out, says the key clearly
    (`composer.harmony.clarity`), else the draw whose key stands out most."""
    best: tuple[float, T] | None = None
    for _ in range(tries):
        candidate = draw()
        ok, margin = clarity(heard(candidate), spec)
        if ok and margin >= CLEAR_MARGIN:
            return candidate
        if best is None or margin > best[0]:
            best = (margin, candidate)
    assert best is not None
    return best[1]


def plan_sections(spec: Spec, style: Style, rng: np.random.Generator, spans: list[SectionSpan],
                  closes: list[str], tries: int = SECTION_PLAN_TRIES) -> dict[tuple[str, str], list[Chord]]:
    """Each distinct section's harmony plan, by (name, close) for each way it closes (`closes`, one per span:
    `composer.melody.variation.time_closes`): the plan as drawn, which ends on the tonic, and for a half close
    the same plan with its last bar on V. Drawn again, all together, until the piece's harmony as played, each
    return of a section counted, says the key clearly: a 4-bar A that only just says it, heard three times in
    an AABA, tips the whole piece to the dominant. A style without cadences (modal vamps, drones, techno) does
    not turn its sections' last bars into V; the user's chords are not redrawn for the key's sake, nor closed
    on V."""
    given = bool(spec.chords) or any(s.section.chords for s in spans)
    seventh = style.vocabulary in ("sevenths", "extended")

    def draw() -> dict[tuple[str, str], list[Chord]]:
        drawn: dict[str, tuple[Spec, list[Chord]]] = {}
        plans: dict[tuple[str, str], list[Chord]] = {}
        for span, close in zip(spans, closes, strict=True):
            name = span.section.name
            if name not in drawn:
                sub = section_spec(spec, span.section)
                drawn[name] = (sub, plan_clear_harmony(sub, style, rng))
            sub, plan = drawn[name]
            if close == "half" and not sub.chords and style.cadence != "none":
                plan = close_on_half(plan, sub, seventh)
            plans.setdefault((name, close), plan)
        return plans

    def played(plans: dict[tuple[str, str], list[Chord]]) -> list[Chord]:
        return [c for s, close in zip(spans, closes, strict=True)
                for c in shift_chords(plans[s.section.name, close], s.start_bar * spec.bar_quarters)]

    return draw() if given else _clearest(draw, played, spec, tries)


def compose_sections(spec: Spec, style: Style, rng: np.random.Generator,
                     melody_source: MelodySource) -> tuple[list[Chord], list[Note], float]:
    """The harmony plan and melody of a piece in sections (`composer.harmony.form`): each distinct section is
    composed once (its plan from `plan_sections`, its tune over it) and played again where it returns, varied
    where the form says a musician would vary it (`composer.melody.variation.variation_kinds`): a return that
    closes another way keeps the first time's bars and draws its cadence bar again (A', `vary_ending`), later
    times closing that way replay that A'; a contrasting section answers its first half in sequence; a verse
    back keeps its rhythm under new pitches. The sections are the user's form or the style's default
    (`composer.harmony.form.section_spans`). Returns the plan, the melody and when harmony was done."""
    spans = section_spans(spec)
    closes = time_closes(spans)
    plans = plan_sections(spec, style, rng, spans, closes)
    t1 = time.perf_counter()
    tunes: dict[tuple[str, str], list[Note]] = {}
    firsts: dict[str, tuple[str, str]] = {}
    chords: list[Chord] = []
    melody: list[Note] = []
    bar_q = spec.bar_quarters
    for span, close, kind in zip(spans, closes, variation_kinds(spans, closes), strict=True):
        key = (span.section.name, close)
        first = firsts.setdefault(key[0], key)
        tune = tunes.get(key)
        if tune is None and kind == "cadence" and plans[key] == plans[first]:
            tune = tunes[key] = tunes[first]  # the close changes nothing the harmony says (the user's chords, a vamp)
        if tune is None or kind == "rhythm":
            tune = _section_tune(melody_source, section_spec(spec, span.section), style, rng, plans[key],
                                 kind, span.section.name, tune or tunes.get(first))
            tunes.setdefault(key, tune)
        chords += shift_chords(plans[key], span.start_bar * bar_q)
        melody += shift_notes(tune, span.start_bar * bar_q)
    return chords, melody, t1


def _section_tune(source: MelodySource, sub: Spec, style: Style, rng: np.random.Generator, plan: list[Chord],
                  kind: str, name: str, earlier: list[Note] | None) -> list[Note]:
    """One time through a section, as `kind` (`variation_kinds`) says: written afresh (and its second half
    answered in sequence), or varied from `earlier` (the section as last heard closing this way, else its
    first time). A varied cadence bar is one `anticipate` leaves alone, so the new one is kept as drawn, and a
    rhythm kept is kept with the pushes it had."""
    chromatic = style.allow_chromatic
    if kind == "sequence":
        line = source.generate(sub, plan, rng, allow_chromatic=chromatic, section=name)
        line = answer_in_sequence(source, sub, plan, line, rng, allow_chromatic=chromatic, section=name)
        return anticipate(line, sub, style.push, rng)
    if earlier is None or kind == "new":
        return _fresh_line(source, sub, style, rng, plan, name)
    if kind == "rhythm":
        return keep_rhythm(source, sub, plan, earlier, rng, allow_chromatic=chromatic, section=name)
    return vary_ending(source, sub, plan, earlier, rng, allow_chromatic=chromatic, section=f"{name}'")


def _fresh_line(source: MelodySource, spec: Spec, style: Style, rng: np.random.Generator, plan: list[Chord],
                section: str | None = None) -> list[Note]:
    """A melody written afresh over `plan`, built on one of its bars in a riff style (`Style.riff_bars`,
    `composer.melody.riff.state_riff`), in a blues its second line opening on its first line's call
    (`state_blues_lines`), then pushed as the style pushes (`anticipate`). The pushes come after
    the riff so that each time the cell comes back its downbeat may be anticipated, as a band pushes a riff into
    the bar (the opening note never is): pushed first, every restatement started squarely on its downbeat and
    the rock tunes' syncopation fell from .15 to .07."""
    line = source.generate(spec, plan, rng, allow_chromatic=style.allow_chromatic, section=section)
    return anticipate(stated_in_style(spec, plan, line, style), spec, style.push, rng)


def stated_in_style(spec: Spec, plan: list[Chord], line: list[Note], style: Style) -> list[Note]:
    """A freshly written line as its style builds one: on a riff cell where the style plays riffs
    (`Style.riff_bars`), in a blues with each chorus's call sung again to open its second line. One place for
    both, so that new bars written after a piece (`composer.remix.sections.continue_piece`) ride a riff and
    sing blues lines as the piece they continue did."""
    if style.riff_bars:
        line = state_riff(spec, plan, line, style.riff_bars)
    if style.harmony == "blues_12":
        line = state_blues_lines(spec, plan, line)
    return line


def compose_timed(spec: Spec, melody_source: MelodySource | None = None,
                  rng_seed: int | None = None) -> tuple[Piece, dict[str, float]]:
    """Compose a Piece and report milliseconds spent in harmony, melody generation and arrangement
    (keys "harmony", "generate", "arrange", like the render stages' keys)."""
    if melody_source is None:
        from composer.melody.source import load_default_melody_source

        melody_source = load_default_melody_source()
    rng = np.random.default_rng(spec.seed if rng_seed is None else rng_seed)
    style = style_for(spec.genre)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if section_spans(spec):
        chords, melody, t1 = compose_sections(spec, style, rng, melody_source)
    else:
        chords = plan_clear_harmony(spec, style, rng)
        t1 = time.perf_counter()
        melody = _fresh_line(melody_source, spec, style, rng, chords)
    melody = breathe(melody, spec)
    t2 = time.perf_counter()
    tracks = arrange(spec, style, chords, melody, rng)
    tracks, chords = change_key(spec, tracks, chords)
    t3 = time.perf_counter()
    timings["harmony"] = (t1 - t0) * 1000.0
    timings["generate"] = (t2 - t1) * 1000.0
    timings["arrange"] = (t3 - t2) * 1000.0
    added = tuple(note for note in (dropped_note(spec), groove_note(spec)) if note is not None)
    if added:
        spec = replace(spec, notes=(*spec.notes, *added))
    piece = Piece(spec, tracks, chords, swing=style.swing, engine=getattr(melody_source, "name", "unknown"))
    return piece, timings


def compose(spec: Spec, melody_source: MelodySource | None = None, rng_seed: int | None = None) -> Piece:
    """Compose the Piece a Spec asks for (seeded by `spec.seed` unless `rng_seed` is given)."""
    return compose_timed(spec, melody_source, rng_seed)[0]


class OriginalityError(UserError):
    """Every attempt copied a training melody past the threshold; nothing may be posted. A user error: the
    same request and seed would copy again (retrying cannot help), and rewording or another seed can."""


@dataclass
class Composition:
    """A composed Piece with its timings and the originality report of its melody."""

    piece: Piece
    timings_ms: dict[str, float]
    originality: OriginalityReport | None
    attempts: int = 1
    """Compositions drawn, this one included."""
    copies_rejected: int = 0
    """Earlier attempts dropped because their melody copied a training melody."""
    inherited: bool = False
    """A remix let through on its parent's own match (see `composer.originality.Screening.inherited`)."""


def compose_original(spec: Spec, melody_source: MelodySource | None = None, index: OriginalityIndex | None = None,
                     max_attempts: int = 6) -> Composition:
    """Compose, and compose again when the melody copies a training melody past the threshold (never posted)
    or when the arranged piece is heard in another key than the one asked for (retried up to KEY_ATTEMPTS
    times, then the first original piece is kept; never for the user's own chords, which say what they say).

    Attempt k (from 0) draws from seed `spec.seed + k * RETRY_STRIDE`, so the stored seed still reproduces
    the posted piece: the same checks fail on the same earlier attempts. Without an index only the key is checked.
    """
    total: dict[str, float] = {}
    kept: Composition | None = None
    copies = 0
    report: OriginalityReport | None = None
    for attempt in range(max_attempts):
        piece, timings = compose_timed(spec, melody_source, rng_seed=spec.seed + attempt * RETRY_STRIDE)
        for stage, ms in timings.items():
            total[stage] = total.get(stage, 0.0) + ms
        if index is not None:
            screening = screen(index, piece)
            report = screening.report
            total["originality"] = total.get("originality", 0.0) + screening.elapsed_ms
            if not screening.passed:
                copies += 1
                continue
        made = Composition(piece, total, report, attempt + 1, copies)
        given = spec.chords or any(s.chords or s.shift for s in spec.form)  # the user's chords or key change
        # may say another key: kept
        if given or piece_says_key(piece):
            return made
        kept = kept or made
        if attempt + 1 - copies >= KEY_ATTEMPTS:
            break
    if kept is not None:
        return kept
    assert report is not None  # only attempts that all copied get here
    raise OriginalityError(
        f"every one of {max_attempts} attempts copied {report.longest_match_notes} notes of {report.source};"
        " try another seed or prompt"
    )
