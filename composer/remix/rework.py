"""remix(parent, child spec, plan) -> Piece: the composer's side of "make it faster", "continue", "vary bars 3-4".

The parent Piece is read from the stored MIDI, so a remix starts from exactly what the user heard. The
`EditPlan` (see `prompts.edit.types`) says how much of it survives:

- keep notes: every note stays; parts are transposed, moved to other instruments, added or dropped,
  drums switched, the melody moved by octaves, the piece cut short (`composer.remix.parts`);
- keep melody: the tune stays (mapped by scale degree into a new mode), harmony and arrangement are
  re-made for the new style around it;
- regenerate: a new composition from the child Spec and its seed;
- a chord edit ("change the chords to Am F C G", "jazzier chords"): the tune's rhythm and contour kept, its
  pitches fitted to the new progression, the rest arranged over it (`composer.remix.refit`).

Then, in order: new bars after the end (continuation), a new take of some bars (variation), and a second
voice (harmonise / counter-melody) (`composer.remix.sections`, `composer.remix.voices`). Every random
choice is drawn from the `rng` passed in, so the same inputs give the same piece.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from composer.arrange.arranger import arrange
from composer.generate import Composition, OriginalityError, compose_timed
from composer.harmony.plan import plan_harmony
from composer.lines import EPS, infer_chords, melody_line, remap_notes, transpose_symbols
from composer.melody.source import chord_at
from composer.originality import OriginalityIndex, screen, tune_of
from composer.piece import Chord, Note, Piece
from composer.remix.form import at_parent_form, reform
from composer.remix.parts import keep_notes
from composer.remix.refit import parent_progression, reharmonise
from composer.remix.sections import SectionConfig, continue_piece, vary_bars
from composer.remix.voices import VoiceError, add_second_line
from composer.styles import Style, style_for
from composer.theory import chord_pcs, tonic_pc
from prompts.edit.types import EditPlan
from prompts.errors import UserError
from prompts.spec import Spec

if TYPE_CHECKING:
    from composer.melody.source import MelodySource

T = TypeVar("T")


class RemixError(UserError):
    """A remix that cannot be made from this parent (no melody to keep, no room for another part...)."""


@dataclass(frozen=True)
class RemixConfig:
    """Knobs of the remix: harmony plans tried around a kept melody, melody takes for new bars."""

    harmony_tries: int = 6
    section: SectionConfig = field(default_factory=SectionConfig)


def remix(parent_piece: Piece, child_spec: Spec, plan: EditPlan, melody_source: MelodySource | None,
          rng: np.random.Generator, config: RemixConfig | None = None) -> Piece:
    """The child Piece of `parent_piece` for `child_spec` and `plan` (`prompts.edit.language.read_instruction`)."""
    return remix_timed(parent_piece, child_spec, plan, melody_source, rng, config)[0]


def remix_original(parent_piece: Piece, child_spec: Spec, plan: EditPlan, melody_source: MelodySource | None,
                   rng: np.random.Generator, index: OriginalityIndex | None,
                   config: RemixConfig | None = None) -> Composition:
    """`remix`, then the originality guard every composition passes (`composer.originality.screen`, as in
    `composer.generate.compose_original`). A near-copy that Motif wrote is refused, never posted (raises
    `OriginalityError`); one the parent already carried (a user's own upload of a known tune) is the user's
    material and passes, marked `inherited`. Without an index, or without a melody, nothing is checked."""
    start = time.perf_counter()
    piece = remix(parent_piece, child_spec, plan, melody_source, rng, config)
    timings = {"remix": (time.perf_counter() - start) * 1000.0}
    if index is None or piece.melody() is None:
        return Composition(piece, timings, None)
    screening = screen(index, piece)
    if not screening.passed and parent_piece.melody() is not None:  # the parent's match is needed only now
        inherited = index.longest_match(tune_of(parent_piece))[0]
        screening = replace(screening, inherited=screening.report.longest_match_notes <= inherited)
    timings["originality"] = screening.elapsed_ms
    if not screening.passed:
        raise OriginalityError(f"that remix copies {screening.report.longest_match_notes} notes of "
                               f"{screening.report.source}; try another take")
    return Composition(piece, timings, screening.report, inherited=screening.inherited)


def remix_timed(parent_piece: Piece, child_spec: Spec, plan: EditPlan, melody_source: MelodySource | None,
                rng: np.random.Generator, config: RemixConfig | None = None) -> tuple[Piece, dict[str, float]]:
    """`remix`, with milliseconds per stage ("base", "continue", "vary", "voice": whichever ran)."""
    if melody_source is None:
        from composer.melody.source import load_default_melody_source

        melody_source = load_default_melody_source()
    config = config or RemixConfig()
    timings: dict[str, float] = {}
    if child_spec.chords and child_spec.chords == parent_piece.spec.chords and plan.transpose_semitones:
        # the user's chords move with the notes when the edit names none of its own ("in D", "up a tone")
        moved = transpose_symbols(child_spec.chords, plan.transpose_semitones, child_spec)
        child_spec = replace(child_spec, chords=moved)
    parent = _with_chords(parent_piece)
    if plan.chords_from_parent and not child_spec.chords and parent.chords:
        # "jazzier chords", "two chords per bar" for a parent whose style chose its chords
        child_spec = replace(child_spec, chords=parent_progression(parent, child_spec, plan))
    if plan.form_bars and not plan.regenerate:
        # "add a bridge", "make it loop": the other edits made at the parent's form, then the form laid out
        base = _timed(timings, "base", lambda: _base(parent, at_parent_form(parent.spec, child_spec), plan,
                                                      melody_source, rng, config))
        piece = _timed(timings, "form", lambda: reform(base, child_spec, plan, melody_source))
    else:
        piece = _timed(timings, "base", lambda: _base(parent, child_spec, plan, melody_source, rng, config))
    style = style_for(child_spec.genre)
    if piece.spec.bars < child_spec.bars:
        piece = _timed(timings, "continue", lambda: continue_piece(
            piece, child_spec, melody_source, style, rng, config.section))
    if plan.vary_bars is not None and not plan.regenerate:
        first, last = plan.vary_bars
        piece = _timed(timings, "vary", lambda: vary_bars(
            piece, first, last, melody_source, style, rng, config.section))
    if plan.harmonise or plan.counter_melody:
        programs = {t.program for t in parent.tracks if not t.is_drum}
        try:
            piece = _timed(timings, "voice", lambda: add_second_line(piece, plan.counter_melody, programs, rng))
        except VoiceError as exc:
            raise RemixError(f"cannot add a second line: {exc}") from exc
    return piece, timings


def _timed(timings: dict[str, float], stage: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    timings[stage] = (time.perf_counter() - start) * 1000.0
    return result


def _with_chords(parent: Piece) -> Piece:
    """The parent with a harmony plan: its own, or one read from the notes (a user's MIDI has none)."""
    if parent.chords:
        return parent
    return replace(parent, chords=infer_chords(parent.tracks, parent.spec))


def _base(parent: Piece, child: Spec, plan: EditPlan, source: MelodySource, rng: np.random.Generator,
          config: RemixConfig) -> Piece:
    """The child at (at most) the parent's length, before any new bars or second voice."""
    style = style_for(child.genre)
    if plan.regenerate:
        return compose_timed(child, source)[0]
    if plan.chords_changed and child.chords:
        kept = _kept_line(parent, child, plan)
        if kept is not None:
            return reharmonise(kept[0], kept[1], rng, parent.engine)
        return compose_timed(child, source)[0]
    if _rearranged(parent.spec, child, plan):
        kept = keep_melody(parent, child, plan, rng, config)
        if kept is not None:
            return kept
        return compose_timed(child, source)[0]
    return keep_notes(parent, child, plan.transpose_semitones, plan.octave_shift, style, rng)


def _rearranged(parent: Spec, child: Spec, plan: EditPlan) -> bool:
    """True when the harmony and arrangement must be re-made (style, mood or mode changed).

    Read from the Specs as well as the plan, since a plan that varies some bars no longer says which
    level the other edits asked for.
    """
    if plan.keep_notes:
        return False
    changed = (parent.genre, parent.moods, parent.mode) != (child.genre, child.moods, child.mode)
    return plan.keep_melody or changed


def keep_melody(parent: Piece, child: Spec, plan: EditPlan, rng: np.random.Generator,
                config: RemixConfig) -> Piece | None:
    """The parent's tune (moved into the child's key and mode) with new harmony and a new arrangement.

    None when the parent has no tune to keep (a drums-only upload).
    """
    kept = _kept_line(parent, child, plan)
    if kept is None:
        return None
    spec, moved = kept
    style = style_for(child.genre)
    chords = fit_harmony(spec, style, moved, rng, config.harmony_tries)
    tracks = arrange(spec, style, chords, moved, rng)
    return Piece(spec, tracks, chords, swing=style.swing, engine=parent.engine)


def _kept_line(parent: Piece, child: Spec, plan: EditPlan) -> tuple[Spec, list[Note]] | None:
    """The child Spec at (at most) the parent's length and the parent's tune moved into its key and mode;
    None when the parent has no tune to keep."""
    line = melody_line(parent.melody())
    if not line:
        return None
    source_key = ((tonic_pc(parent.spec.tonic) + plan.transpose_semitones) % 12, parent.spec.mode)
    moved = remap_notes([Note(n.pitch + plan.transpose_semitones, n.start, n.duration, n.velocity) for n in line],
                        source_key, (tonic_pc(child.tonic), child.mode))
    bars = min(parent.spec.bars, child.bars)
    spec = replace(child, bars=bars)
    end = spec.bars * spec.bar_quarters
    moved = [Note(n.pitch, n.start, min(n.duration, end - n.start), n.velocity) for n in moved if n.start < end - EPS]
    return spec, moved


def fit_harmony(spec: Spec, style: Style, melody: list[Note], rng: np.random.Generator, tries: int) -> list[Chord]:
    """The harmony plan (of `tries` drawn for the style) under which the kept tune sounds most consonant:
    the largest duration share of its notes that are chord tones."""
    best: tuple[float, list[Chord]] | None = None
    for _ in range(max(1, tries)):
        chords = plan_harmony(spec, style, rng)
        score = chord_tone_share(melody, chords)
        if best is None or score > best[0] + EPS:
            best = (score, chords)
    assert best is not None
    return best[1]


def chord_tone_share(melody: list[Note], chords: list[Chord]) -> float:
    """Duration-weighted share of melody notes that belong to the chord sounding at their onset."""
    total = sum(n.duration for n in melody)
    if total <= 0 or not chords:
        return 0.0
    inside = 0.0
    for note in melody:
        chord = chord_at(chords, note.start) or chords[0]
        if note.pitch % 12 in chord_pcs(chord.root_pc, chord.quality):
            inside += note.duration
    return inside / total
