"""The harmony plan: a chord per slot of the piece, chosen by the genre's harmony kind.

Every plan starts and ends on the tonic chord (with the style's cadence chord before the end) and keeps
the tonic on strong bars (in the church modes colour chords sit over a tonic pedal: "C/D" in D
mixolydian), so a listener (and a key-finding algorithm) hears the requested key. Chords
are written as Roman numerals relative to the requested mode (see `composer.harmony.progressions`), realised
to pitch classes and readable symbols here.
"""

from __future__ import annotations

import numpy as np

from composer.harmony import progressions as prog
from composer.harmony import tables as tb
from composer.harmony.given import plan_given
from composer.harmony.progressions import Step
from composer.meter import split_point
from composer.piece import Chord
from composer.styles import Style
from composer.theory import CHORD_INTERVALS, MODE_INTERVALS, chord_pcs, pc_name, tonic_pc
from prompts.music import (
    CHORD_SUFFIX,
    FLAT_MAJOR_KEY_PCS,
    MAJOR_THIRD_MODES,
    MODAL_MODES,
    MODE_ROTATION,
    PITCH_CLASSES,
    TRIAD_OF,
)
from prompts.spec import Spec

SYMBOL_SUFFIX = CHORD_SUFFIX
"""How a quality is written after its root (one source: `prompts.music.CHORD_SUFFIX`)."""
_TO_NINTH = {"7": "9", "m7": "m9", "maj7": "maj9"}
_LETTERS = "CDEFGAB"


class HarmonyError(ValueError):
    """Raised when a harmony plan cannot be made for a spec (unknown kind, bad chord token)."""


def prefers_flats(tonic: str, mode: str) -> bool:
    """Whether chord symbols in this key read better with flats (F major, C minor, Bb dorian...)."""
    if "b" in tonic[1:]:
        return True
    if "#" in tonic:
        return False
    return (tonic_pc(tonic) - MODE_ROTATION[mode]) % 12 in FLAT_MAJOR_KEY_PCS  # spelled like its parent major


def spell_root(tonic: str, mode: str, degree: int, shift: int) -> str:
    """The root name spelled from the key's letters (Cb in Eb minor, F# in D major).

    Falls back to a flat- or sharp-preferring name when letter spelling would need a double accidental.
    """
    target = (tonic_pc(tonic) + MODE_INTERVALS[mode][degree % 7] + shift) % 12
    return _spell(tonic[0], degree, target, prefers_flats(tonic, mode))


def _spell(from_letter: str, letters_up: int, target: int, flats: bool) -> str:
    """`target` named by the letter `letters_up` letters above `from_letter` (an inversion's bass: the third of
    F#dim is A, of Bb7 D), or plainly where that letter would need a double accidental."""
    letter = _LETTERS[(_LETTERS.index(from_letter) + letters_up) % 7]
    diff = (target - PITCH_CLASSES[letter] + 6) % 12 - 6
    if abs(diff) <= 1:
        return letter + {-1: "b", 0: "", 1: "#"}[diff]
    return pc_name(target, flats)


def diatonic_quality(degree: int, mode: str, size: int) -> str:
    """The quality of the chord stacked in thirds on a scale degree (3 notes: triad, 4: seventh)."""
    steps = MODE_INTERVALS[mode]
    root = steps[degree % 7]
    intervals = tuple(sorted(((steps[(degree + 2 * k) % 7] - root) % 12) for k in range(size)))
    for name, chord in CHORD_INTERVALS.items():
        if tuple(sorted(i % 12 for i in chord)) == intervals and len(chord) == size:
            return name
    raise HarmonyError(f"no chord quality for degree {degree} of {mode}")


def step_quality(step: Step, mode: str, vocabulary: str, rng: np.random.Generator,
                 colours: dict[Step, bool] | None = None) -> str:
    """The chord quality of a Roman-numeral step under the style's chord vocabulary.

    `colours` remembers whether a step was given its ninth, so a repeated chord keeps its colour.
    """
    if step.degree == 0 and mode == "locrian":
        mode = "phrygian"  # a minor tonic triad: locrian's diminished tonic would not sound like home
    if step.quality is not None:
        quality = step.quality
    elif step.degree == 0 and not step.shift and vocabulary in ("sevenths", "extended") and \
            (mode == "mixolydian" or mode not in MAJOR_THIRD_MODES):
        return _anchor(mode, vocabulary).quality or "min"
    elif step.shift:
        quality = "maj"
    else:
        quality = diatonic_quality(step.degree, mode, 3 if vocabulary in ("triads", "power") else 4)
    if vocabulary == "power":
        return "5" if step.degree or step.shift else TRIAD_OF.get(quality, quality)
    if vocabulary == "triads":
        return TRIAD_OF.get(quality, quality)
    steps = MODE_INTERVALS[mode]
    diatonic_ninth = (steps[(step.degree + 1) % 7] - steps[step.degree % 7]) % 12 == 2 and not step.shift
    if vocabulary == "extended" and quality in _TO_NINTH and diatonic_ninth:
        colours = {} if colours is None else colours
        if step not in colours:
            colours[step] = bool(rng.random() < 0.45)
        return _TO_NINTH[quality] if colours[step] else quality
    return quality


def _bar_grid(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Roman-numeral steps per bar for the style's harmony kind, with the cadence applied."""
    maker = prog.KINDS.get(style.harmony)
    if maker is None:
        raise HarmonyError(f"unknown harmony kind {style.harmony!r}")
    grid = maker(spec, style, rng)
    if len(grid) != spec.bars:
        raise HarmonyError(f"{style.harmony} made {len(grid)} bars for {spec.bars}")
    key = tb.harmony_key(spec.mode, style.flavour, "mode" in spec.explicit)
    grid = prog.strengthen_tonic(grid, spec.mode, style)
    grid = prog.apply_cadence(grid, spec.mode, style, key)
    grid = prog.root_position_if_short(grid, spec.bars, style)
    home = tb.for_mode(tb.TABLES[style.harmony].home, key)
    anchor = prog.roman(str(home)) if home else _anchor(spec.mode, style.vocabulary)
    grid[0][0] = anchor
    grid[-1] = [anchor]
    return grid


def _anchor(mode: str, vocabulary: str) -> Step:
    """The first and last chord: a plain tonic triad, or the tonic with an added ninth in jazzier styles.

    A tonic seventh (Cm7, C7) shares most notes with the relative or subdominant key; the triad with
    its ninth names the key, which matters most at the two places a listener hears as home.
    """
    if vocabulary in ("triads", "power"):
        return Step(0, "maj" if mode in MAJOR_THIRD_MODES else "min")
    steps = MODE_INTERVALS[mode]
    if mode in MAJOR_THIRD_MODES:
        return Step(0, "add9")
    return Step(0, "m9" if steps[1] == 2 else "min")


def _chord(step: Step, span: tuple[float, float], spec: Spec, style: Style,
           rng: np.random.Generator, colours: dict[Step, bool]) -> Chord:
    root = (tonic_pc(spec.tonic) + MODE_INTERVALS[spec.mode][step.degree % 7] + step.shift) % 12
    quality = step_quality(step, spec.mode, style.vocabulary, rng, colours)
    symbol = spell_root(spec.tonic, spec.mode, step.degree, step.shift) + SYMBOL_SUFFIX.get(quality, quality)
    bass_pc = None
    pedal = tb.TABLES[style.harmony].pedal and (style.flavour == "drone" or spec.mode in MODAL_MODES)
    tones = chord_pcs(root, quality)
    if step.inversion and quality != "5" and step.inversion < len(tones):
        bass_pc = tones[step.inversion]  # figured bass: the third, fifth or seventh under the chord
        root_name = spell_root(spec.tonic, spec.mode, step.degree, step.shift)
        symbol += "/" + _spell(root_name[0], 2 * step.inversion, bass_pc, prefers_flats(spec.tonic, spec.mode))
    elif pedal and root != tonic_pc(spec.tonic):
        bass_pc = tonic_pc(spec.tonic)
        symbol += "/" + spec.tonic
    return Chord(span[0], span[1], root, quality, symbol, bass_pc)


def _merge(chords: list[Chord]) -> list[Chord]:
    """Join neighbours with the same symbol so a held chord reads as one (Cmaj7 for two bars)."""
    merged: list[Chord] = []
    for chord in chords:
        last = merged[-1] if merged else None
        if last is not None and last.symbol == chord.symbol and abs(last.end - chord.start) < 1e-9:
            merged[-1] = Chord(last.start, last.duration + chord.duration, last.root_pc, last.quality,
                               last.symbol, last.bass_pc)
        else:
            merged.append(chord)
    return merged


def half_close(spec: Spec, style: Style, start: float, duration: float) -> Chord | None:
    """The chord the style's table rests an open section on in this mode (`tables.Table.half`: freygish's
    minor vii), or None where the half close is the usual major V."""
    key = tb.harmony_key(spec.mode, style.flavour, "mode" in spec.explicit)
    token = tb.for_mode(tb.TABLES[style.harmony].half, key)
    if token is None:
        return None
    return _chord(prog.roman(str(token)), (start, duration), spec, style, np.random.default_rng(spec.seed), {})


def applied_dominant(spec: Spec, style: Style, chord: Chord) -> Chord:
    """`chord`, the one before a half close, as the style's table plays it there (`tables.Table.applied`):
    the key's ii (Dm before the closing G in C major), or a V the close would only repeat (the authentic
    cadence's G7 before the G that replaced its tonic), becomes the dominant of the dominant, D7; any other
    chord, or a table with none, keeps it."""
    token = tb.for_mode(tb.TABLES[style.harmony].applied, spec.mode) if spec.mode == "major" else None
    tonic = tonic_pc(spec.tonic)
    second, fifth = (tonic + MODE_INTERVALS[spec.mode][1]) % 12, (tonic + MODE_INTERVALS[spec.mode][4]) % 12
    ii = chord.root_pc == second and chord.quality in ("min", "m7")
    v = chord.root_pc == fifth and chord.quality in ("maj", "7")
    if token is None or not (ii or v):
        return chord
    return _chord(prog.roman(str(token)), (chord.start, chord.duration), spec, style,
                  np.random.default_rng(spec.seed), {})


def plan_harmony(spec: Spec, style: Style, rng: np.random.Generator) -> list[Chord]:
    """The chord plan for exactly `spec.bars` bars in the requested key, mode and meter.

    The melody source and the arranger both follow this plan, so it is made first and travels with
    the Piece (a remix can re-arrange around the same chords). A Spec with the user's own `chords` gets
    exactly those (`composer.harmony.given`), whatever the style would have chosen.
    """
    if spec.chords:
        return plan_given(spec)
    bar_q = spec.bar_quarters
    num, den = spec.meter
    cut = split_point(bar_q, num, den)
    chords: list[Chord] = []
    colours: dict[Step, bool] = {}
    for bar, steps in enumerate(_bar_grid(spec, style, rng)):
        start = bar * bar_q
        spans = [(start, bar_q)] if len(steps) == 1 else [(start, cut), (start + cut, bar_q - cut)]
        for step, span in zip(steps, spans, strict=True):
            chords.append(_chord(step, span, spec, style, rng, colours))
    return _merge(chords)
