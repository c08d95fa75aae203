"""Chord progressions per harmony kind, as Roman numerals relative to the requested mode.

A numeral names a scale degree of the spec's mode, so "VII" is Bb in C minor and B in C major; a
leading "b"/"#" shifts the root chromatically ("bVII" in C major is Bb major). Without a suffix the
chord is the diatonic one of the mode; suffixes force a quality: "7" (dominant 7th on an upper-case
numeral, minor 7th on a lower-case one), "maj7", "h7" (half-diminished), "o" (diminished), "o7"
(diminished seventh), "M" (major triad), "m" (minor triad). A trailing figure names an inversion as
figured bass does: "6" (first inversion), "64" (second), "65", "43", "42" (a seventh chord's first,
second and third; a seventh chord is implied). The per-genre templates live in
`composer.harmony.tables`; each kind's maker here returns one list of steps per bar (one or two
chords a bar); `apply_cadence` then pins the tonic at both ends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from composer.harmony import tables as tb
from composer.harmony.tables import family
from composer.styles import Style
from prompts.music import MODAL_MODES, MODE_INTERVALS, TONAL_MINOR_MODES
from prompts.spec import Spec

_DEGREES = {"I": 0, "II": 1, "III": 2, "IV": 3, "V": 4, "VI": 5, "VII": 6}
_TOKEN = re.compile(r"^(b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(o7|7|maj7|h7|o|M|m)?(64|65|43|42|6)?$")
_PREDOMINANT_DEGREES = (1, 3)
"""ii/II and IV/iv: the chords that go before a cadence's dominant and are kept there (in minor also bVI, the
VI-V of tango and the Andalusian cadence)."""
_FIGURES = {None: 0, "6": 1, "64": 2, "65": 1, "43": 2, "42": 3}
MIN_INVERTING_BARS = 4
"""Pieces shorter than one four-bar phrase keep every chord in root position (`root_position_if_short`)."""
_LOOPED_KINDS = ("pop_loop", "rock", "reggae", "funk", "cinematic", "modal_vamp", "modal_drone", "minimal_pad",
                 "folk_simple")


class ProgressionError(ValueError):
    """Raised for a malformed Roman-numeral token."""


@dataclass(frozen=True)
class Step:
    """One chord as a scale degree (0-6) of the mode, an optional forced quality and root shift, and its
    inversion (0 root position, 1 the third in the bass, 2 the fifth, 3 the seventh)."""

    degree: int
    quality: str | None = None
    shift: int = 0
    inversion: int = 0


TONIC = Step(0)


def roman(token: str) -> Step:
    """Parse one Roman-numeral token ("V7", "bVII", "iih7", "viio6", "V65") into a Step."""
    match = _TOKEN.match(token)
    if match is None:
        raise ProgressionError(f"bad chord token {token!r}")
    accidental, numeral, suffix, figure = match.groups()
    upper = numeral.isupper()
    quality = {None: None, "maj7": "maj7", "h7": "m7b5", "o": "dim", "o7": "dim7", "M": "maj", "m": "min"}.get(suffix)
    if suffix == "7" or (figure in ("65", "43", "42") and suffix is None):
        quality = "7" if upper else "m7"
    elif figure in ("65", "43", "42") and quality == "dim":
        quality = "dim7"
    shift = {None: 0, "b": -1, "#": 1}[accidental]
    return Step(_DEGREES[numeral.upper()], quality, shift, _FIGURES[figure])


def bars_of(text: str) -> list[list[Step]]:
    """Parse "I | vi | ii V7" into steps per bar."""
    return [[roman(tok) for tok in bar.split()] for bar in text.split("|")]


def slots_of(text: str) -> list[Step]:
    """Parse "I V vi IV" into a flat list of chord slots."""
    return [roman(tok) for tok in text.split()]


def dominant(mode: str) -> Step:
    """The chord that leads home in this mode: V7, or IV / bII where V would contradict the mode."""
    return roman(tb.leading(mode))


def subdominant(mode: str) -> Step:
    """The plagal chord (IV or iv, diatonic to the mode)."""
    return roman("IV")


def slots_to_bars(slots: list[Step], bars: int, chords_per_bar: float) -> list[list[Step]]:
    """Lay a cycle of chord slots over the bars at the style's harmonic rhythm."""
    if chords_per_bar == 2.0:
        need = [slots[i % len(slots)] for i in range(2 * bars)]
        return [need[2 * b: 2 * b + 2] for b in range(bars)]
    if chords_per_bar == 0.5:
        need = [slots[i % len(slots)] for i in range(math.ceil(bars / 2))]
        return [[need[b // 2]] for b in range(bars)]
    return [[slots[b % len(slots)]] for b in range(bars)]


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _phrased(templates: tuple[str, ...] | list[str], bars: int, rng: np.random.Generator) -> list[list[Step]]:
    """Concatenate randomly chosen bar templates until the piece is covered."""
    grid: list[list[Step]] = []
    while len(grid) < bars:
        grid.extend(bars_of(_pick(rng, templates)))
    return grid[:bars]


def _loops(spec: Spec, style: Style, kind: str) -> tuple[str, ...]:
    """A loop kind's loops for the mode: its table's own for major and (tonal or natural) minor, the mode's
    vamp for the church modes a table does not name (a dorian pop song vamps i-IV); the prompt's words may
    pick another of the kind's tables (a ballad's descending bass, `tables.phrases_for`)."""
    table = tb.phrases_for(kind, spec.prompt)
    own = table.get(spec.mode)
    if own is None and (family(spec.mode) == "modal" or spec.mode not in ("major", "minor", "aeolian")):
        return tb.MODAL_LOOPS[spec.mode]
    options = tuple(own if own is not None else table[family(spec.mode)])
    if style.allow_chromatic and table is tb.POP_LOOPS and spec.mode in ("major", "minor", "aeolian"):
        options += tb.CHROMATIC_POP[family(spec.mode)]
    return options


def _looped(kind: str) -> Maker:
    """A maker that repeats one loop of the kind's table (a second loop for the second half of long pieces)."""

    def make(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
        options = _loops(spec, style, kind)
        first, second = _pick(rng, options), _pick(rng, options)
        grid = slots_to_bars(slots_of(first), spec.bars, style.chords_per_bar)
        if spec.bars >= 16:
            half = (spec.bars // 16) * 8
            grid[half:] = slots_to_bars(slots_of(second), spec.bars - half, style.chords_per_bar)
        return grid

    return make


pop_loop = _looped("pop_loop")


def modal_vamp(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """A one- or two-chord vamp that defines the mode (dorian i-IV, mixolydian I-bVII...)."""
    loop = _pick(rng, tb.MODAL_LOOPS[spec.mode])
    return slots_to_bars(slots_of(loop), spec.bars, style.chords_per_bar)


def _phrases_of(kind: str, fallback: Maker) -> Maker:
    """A maker that strings four-bar phrases of the kind's table for the mode (the prompt's words choosing
    among its phrases: `tables.phrases_for`), else plays `fallback` (a mode the genre has no progressions for)."""

    def make(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
        templates = tb.for_mode(tb.phrases_for(kind, spec.prompt), spec.mode)
        if not templates:
            return fallback(spec, style, rng)
        return _phrased(tuple(templates), spec.bars, rng)

    return make


_NEXT = {"T": (("T", 0.2), ("PD", 0.5), ("D", 0.3)), "PD": (("PD", 0.2), ("D", 0.8)),
         "D": (("T", 1.0),)}


def _function_walk(n: int, ending: str, rng: np.random.Generator) -> list[str]:
    """Tonal functions (T, PD, D) for n slots, ending on a half ("D") or authentic ("DT") cadence."""
    funcs = ["T"]
    while len(funcs) < n:
        names, probs = zip(*_NEXT[funcs[-1]], strict=True)
        funcs.append(str(rng.choice(names, p=probs)))
    tail = ["PD", "D"] if ending == "half" else ["PD", "D", "T"]
    tail = tail[-(n - 1):] if n > 1 else []
    return funcs[: n - len(tail)] + tail


def _function_chords(mode: str, table: dict[str, dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Chords for each tonal function; modes without a usable V use their own leading chord."""
    if mode == "major" or mode in TONAL_MINOR_MODES:
        return table["major" if mode == "major" else "minor"]
    lead = dominant(mode)
    numeral = ["I", "II", "III", "IV", "V", "VI", "VII"][lead.degree]
    return {"T": ("I",), "PD": (tb.MODAL_PREDOMINANT[mode],), "D": (numeral,)}


def _functional_phrases(spec: Spec, style: Style, rng: np.random.Generator, phrase_bars: int,
                        table: dict[str, dict[str, tuple[str, ...]]],
                        figures: dict[str, dict[str, tuple[str, ...]]] | None = None) -> list[list[Step]]:
    """Phrases of `phrase_bars` bars walking T-PD-D; a phrase ends on its table's cadence chord (a root-position
    V, where the table names one) and, at an authentic close, on its home chord. With `figures` the bass line
    then puts chords inside each phrase in inversion (`figure_bass`), drawing from a generator of its own
    spawned from `rng`: the bass's choices leave the chords, and the tune drawn after them, as they were."""
    chords = _function_chords(spec.mode, table)
    applied = tb.for_mode(tb.TABLES[style.harmony].applied, spec.mode) if spec.mode == "major" else None
    own = None if figures is None or spec.mode not in ("major", *TONAL_MINOR_MODES) else \
        figures["major" if spec.mode == "major" else "minor"]
    bass = rng.spawn(1)[0] if own else None
    per_bar = 2 if style.chords_per_bar == 2.0 else 1
    slots: list[Step] = []
    phrase_count = max(1, spec.bars // phrase_bars)
    for index in range(phrase_count):
        length = phrase_bars if index < phrase_count - 1 else spec.bars - phrase_bars * index
        ending = "half" if index % 2 == 0 and index < phrase_count - 1 else "authentic"
        funcs = _function_walk(length * per_bar, ending, rng)
        tokens = [_pick(rng, chords[f]) for f in funcs]
        last_d = max((i for i, f in enumerate(funcs) if f == "D"), default=None)
        closing = last_d is not None and last_d >= len(funcs) - 2
        if "cadence" in chords and closing:
            tokens[last_d] = _pick(rng, chords["cadence"])
            if ending == "authentic" and last_d == len(funcs) - 2:
                tokens[-1] = chords["home"][0]
        if ending == "half" and applied and len(tokens) >= 2 and tokens[-2] == "ii":
            tokens[-2] = str(applied)  # ii V played as V/V V (`tables.Table.applied`)
        if own and bass is not None:
            tokens = figure_bass(tokens, own, bass, last_d if closing else None)
        slots.extend(roman(t) for t in tokens)
    return [slots[per_bar * b: per_bar * b + per_bar] for b in range(spec.bars)]


def figure_bass(tokens: list[str], figures: dict[str, tuple[str, ...]], rng: np.random.Generator,
                cadence: int | None) -> list[str]:
    """A phrase's chords as its bass line plays them (`tables.BASS_FIGURES`): inversions only inside the
    phrase. Its first chord, its cadence chord (`cadence`, the slot of the V that closes it) and the tonic
    after that stay on their roots, so a phrase starts and closes on the key's roots; a dominant takes the
    leading tone into its bass (V6, V6/5) only before the tonic, which then stands in root position (the
    bass rises a semitone to it)."""
    out = list(tokens)
    keep = {0} | ({cadence, cadence + 1} if cadence is not None else set())
    for i in range(1, len(out)):
        if i in keep or out[i] not in figures:
            continue
        dominant_chord = roman(out[i]).degree == 4
        if dominant_chord and (i + 1 >= len(out) or roman(out[i + 1]).degree != 0):
            continue
        out[i] = _pick(rng, figures[out[i]])
        if dominant_chord and out[i] != tokens[i]:
            keep.add(i + 1)
    return out


def root_position_if_short(grid: list[list[Step]], bars: int, style: Style) -> list[list[Step]]:
    """A piece shorter than a phrase (`MIN_INVERTING_BARS`) plays its chords on their roots: with no inside to a
    phrase, its few chords have only their basses to state the key with. The chorale keeps its figures (its
    vii° stands in first inversion whatever the length; in root position it was the review's complaint)."""
    if bars >= MIN_INVERTING_BARS or style.harmony == "chorale_functional":
        return grid
    return [[replace(step, inversion=0) for step in bar] for bar in grid]


def functional(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Four-bar phrases of tonic, predominant and dominant, half cadences between, authentic at the end; the
    bass line figures the chords inside each phrase (I6, ii6, IV6, V6/5)."""
    return _functional_phrases(spec, style, rng, 4, tb.FUNCTIONS, tb.BASS_FIGURES)


def chorale_functional(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Short two-bar chorale phrases, each closing on a cadence (a fermata in a real chorale): vii°6 and V6/5
    inside them, a root-position V at the close."""
    return _functional_phrases(spec, style, rng, 2, tb.CHORALE_FUNCTIONS)


def folk_simple(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Tonic-heavy tunes over the mode's primary chords, in four-bar phrases."""
    others, home = tb.FOLK_CHORDS[spec.mode]
    phrases: list[str] = []
    for index in range(math.ceil(spec.bars / 4)):
        x, y = _pick(rng, others), _pick(rng, others)
        phrases.append(f"I {x} I {home}" if index % 2 == 0 else f"I {y} {home} I")
    slots = slots_of(" ".join(phrases))
    return [[s] for s in slots[: spec.bars]]


def andalusian(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """The Andalusian cadence (i-bVII-bVI-V) looped; phrygian reads it as iv-bIII-bII-i."""
    loop = tb.ANDALUSIAN_LOOPS[family(spec.mode)][0]
    return slots_to_bars(slots_of(loop), spec.bars, style.chords_per_bar)


def minimal_pad(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Slow pad changes that hover around the tonic."""
    fam = family(spec.mode)
    options = tb.MODAL_LOOPS[spec.mode] if fam == "modal" else tb.AMBIENT_LOOPS[fam]
    return slots_to_bars(slots_of(_pick(rng, options)), spec.bars, style.chords_per_bar)


def jazz(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """ii-V-I phrases with turnarounds (secondary dominants where the style allows chromatic chords)."""
    fam = family(spec.mode)
    if fam == "modal":
        return modal_vamp(spec, style, rng)
    templates = tb.JAZZ[fam] + (tb.JAZZ_CHROMATIC[fam] if style.allow_chromatic else ())
    return _phrased(templates, spec.bars, rng)


def blues(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """12-bar blues (8- and 16-bar forms where they fit), repeated and cut to the bar count."""
    bars = spec.bars
    form = next((f for f in (12, 16, 8) if bars % f == 0), 12 if bars >= 12 else 8 if bars >= 8 else 4)
    grid = bars_of(tb.BLUES["major" if family(spec.mode) == "major" else "minor"][form])
    if form == 12 and rng.random() < 0.5:
        grid[1] = grid[0]
    return (grid * math.ceil(bars / form))[:bars]


def klezmer(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Freygish klezmer on its major tonic (I, iv, vii, bII), minor klezmer i-iv-V7; a major one is functional,
    another mode vamps."""
    templates = tb.for_mode(tb.KLEZMER, tb.harmony_key(spec.mode, style.flavour, "mode" in spec.explicit))
    if templates:
        return _phrased(tuple(templates), spec.bars, rng)
    return functional(spec, style, rng) if family(spec.mode) == "major" else modal_vamp(spec, style, rng)


Maker = Callable[[Spec, Style, np.random.Generator], list[list[Step]]]

KINDS: dict[str, Maker] = {
    "jazz_ii_v_i": jazz, "blues_12": blues, "pop_loop": pop_loop, "functional": functional,
    "chorale_functional": chorale_functional, "modal_vamp": modal_vamp, "modal_drone": modal_vamp,
    "folk_simple": folk_simple, "andalusian": andalusian, "minimal_pad": minimal_pad,
    "ragtime_circle": _phrases_of("ragtime_circle", functional), "gospel": _phrases_of("gospel", functional),
    "klezmer": klezmer, "latin": _phrases_of("latin", modal_vamp), "tango": _phrases_of("tango", functional),
    "rock": _looped("rock"), "reggae": _looped("reggae"), "funk": _looped("funk"),
    "cinematic": _looped("cinematic"),
}
"""Harmony kind -> its maker; each reads its progressions from `composer.harmony.tables`."""


def _slots(grid: list[list[Step]], chords_per_bar: float) -> list[list[tuple[int, int]]]:
    """Chord slots as lists of (bar, position) cells: two bars share a slot at half a chord per bar."""
    if chords_per_bar == 0.5:
        return [[(b, 0) for b in range(start, min(start + 2, len(grid)))] for start in range(0, len(grid), 2)]
    return [[(b, p)] for b, bar in enumerate(grid) for p in range(len(bar))]


def strengthen_tonic(grid: list[list[Step]], mode: str, style: Style) -> list[list[Step]]:
    """Give the tonic three strong slots in four in the church modes' looped harmony (blues keeps its form).

    A mode's colour chord (bVII in mixolydian, bII in phrygian) shares its notes with another key, so a modal
    vamp is heard in the mode only while its tonic keeps the time. A major or minor loop is left as the
    style wrote it: I-V-vi-IV is the progression people expect, and putting the tonic on every other chord
    made it I-V-I-IV (the listening review of 2026-12-01). Its key is made clear by the tonic it starts and
    ends on, the cadence before the end, and `composer.generate.plan_clear_harmony` choosing among loops.
    """
    if tb.TABLES[style.harmony].cadenced or mode not in MODAL_MODES or style.harmony not in _LOOPED_KINDS:
        return grid
    tonic = next((s for bar in grid for s in bar if s.degree == 0 and not s.shift), TONIC)
    out = [list(bar) for bar in grid]
    for index, cells in enumerate(_slots(out, style.chords_per_bar)):
        if index % 4 != 1:
            for bar, pos in cells:
                out[bar][pos] = tonic
    return out


def apply_cadence(grid: list[list[Step]], mode: str, style: Style, key: str | None = None) -> list[list[Step]]:
    """Pin the tonic on the first and last bar and put the style's cadence chord before the end (the table's
    own for `key`, see `tables.harmony_key`; else V7 or the mode's leading chord, or IV for a plagal style). A
    kind whose table carries its cadence (the blues: bar 11 I7, or a V7 turnaround) only ends on its tonic when
    its form reached that cadence; a form cut short gets the table's cadence chord."""
    grid = [list(bar) for bar in grid]
    tonic = next((s for bar in grid for s in bar if s.degree == 0 and not s.shift and not s.inversion), TONIC)
    grid[0][0] = tonic
    if len(grid) == 1:
        return [[tonic]]
    grid[-1] = [tonic]
    table = tb.TABLES[style.harmony]
    if style.cadence == "none" or (table.cadenced and grid[-2][-1].degree in (0, 4)):
        return grid
    own = tb.for_mode(table.cadence, key or mode)
    pre = roman(str(own)) if own else dominant(mode) if style.cadence == "authentic" else subdominant(mode)
    before = grid[-2][-1]
    predominants = _PREDOMINANT_DEGREES if family(mode) == "major" else (*_PREDOMINANT_DEGREES, 5)
    if 6 in MODE_INTERVALS.get(mode, ())[3:5]:
        predominants = ()  # a tritone for its 4th (lydian's raised IV) or 5th (locrian: ii diminished, no V)
    if len(grid[-2]) == 1 and before.degree in predominants and before.degree != pre.degree and len(grid) > 2:
        grid[-2] = [before, pre]  # the predominant leads into the cadence chord (ii V7 | I, II7 V7 | I, iv bII | I)
    elif (len(grid) == 2 or mode in MODAL_MODES) and len(grid[-2]) == 1:
        grid[-2] = [tonic, pre]
    else:
        grid[-2][-1] = pre
    return grid
