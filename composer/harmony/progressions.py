"""Chord progressions per harmony kind, as Roman numerals relative to the requested mode.

A numeral names a scale degree of the spec's mode, so "VII" is Bb in C minor and B in C major; a
leading "b"/"#" shifts the root chromatically ("bVII" in C major is Bb major). Without a suffix the
chord is the diatonic one of the mode; suffixes force a quality: "7" (dominant 7th on an upper-case
numeral, minor 7th on a lower-case one), "maj7", "h7" (half-diminished), "o" (diminished), "M"
(major triad), "m" (minor triad). Each kind's maker returns one list of steps per bar (one or two
chords a bar); `apply_cadence` then pins the tonic at both ends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from composer.styles import Style
from prompts.music import MAJOR_THIRD_MODES, MODAL_MODES, TONAL_MINOR_MODES
from prompts.spec import Spec

_DEGREES = {"I": 0, "II": 1, "III": 2, "IV": 3, "V": 4, "VI": 5, "VII": 6}
_TOKEN = re.compile(r"^(b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(7|maj7|h7|o|M|m)?$")
_LOOPED_KINDS = ("pop_loop", "modal_vamp", "modal_drone", "minimal_pad", "folk_simple")


class ProgressionError(ValueError):
    """Raised for a malformed Roman-numeral token."""


@dataclass(frozen=True)
class Step:
    """One chord as a scale degree (0-6) of the mode, an optional forced quality and root shift."""

    degree: int
    quality: str | None = None
    shift: int = 0


TONIC = Step(0)


def roman(token: str) -> Step:
    """Parse one Roman-numeral token ("V7", "bVII", "iih7") into a Step."""
    match = _TOKEN.match(token)
    if match is None:
        raise ProgressionError(f"bad chord token {token!r}")
    accidental, numeral, suffix = match.groups()
    upper = numeral.isupper()
    quality = {None: None, "maj7": "maj7", "h7": "m7b5", "o": "dim", "M": "maj", "m": "min"}.get(suffix)
    if suffix == "7":
        quality = "7" if upper else "m7"
    shift = {None: 0, "b": -1, "#": 1}[accidental]
    return Step(_DEGREES[numeral.upper()], quality, shift)


def bars_of(text: str) -> list[list[Step]]:
    """Parse "I | vi | ii V7" into steps per bar."""
    return [[roman(tok) for tok in bar.split()] for bar in text.split("|")]


def slots_of(text: str) -> list[Step]:
    """Parse "I V vi IV" into a flat list of chord slots."""
    return [roman(tok) for tok in text.split()]


def family(mode: str) -> str:
    """"major", "minor" (tonal minor modes) or "modal" (phrygian, locrian)."""
    if mode in MAJOR_THIRD_MODES:
        return "major"
    return "minor" if mode in TONAL_MINOR_MODES else "modal"


def dominant(mode: str) -> Step:
    """The chord that leads home in this mode: V7, or IV / bII where V would contradict the mode."""
    return roman({"mixolydian": "IV", "phrygian": "II", "locrian": "II", "lydian": "V"}.get(mode, "V7"))


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


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _phrased(templates: list[str], bars: int, rng: np.random.Generator) -> list[list[Step]]:
    """Concatenate randomly chosen bar templates until the piece is covered."""
    grid: list[list[Step]] = []
    while len(grid) < bars:
        grid.extend(bars_of(_pick(rng, templates)))
    return grid[:bars]


MODAL_LOOPS: dict[str, list[str]] = {
    "major": ["I IV I I", "I ii I I", "I IV I V"],
    "minor": ["i iv i i", "i VI VII i", "i VII i i", "i VI i VII"],
    "aeolian": ["i VI VII i", "i VII i i", "i iv i VII"],
    "dorian": ["i IV i i", "i IV i VII", "i i IV i"],
    "mixolydian": ["I VII I I", "I VII IV I", "I I VII I"],
    "lydian": ["I II I I", "I I II I"],
    "phrygian": ["i II i i", "i II III II", "i i II i"],
    "locrian": ["i II i i", "i i II i"],
}
"""Vamps that name the mode by its colour chord while the tonic keeps most of the time."""
POP_LOOPS: dict[str, list[str]] = {
    "major": ["I V vi IV", "I vi IV V", "I IV vi V", "I IV V IV", "I iii IV V", "I V IV V"],
    "minor": ["i VI III VII", "i VII VI VII", "i iv VI V7", "i VI VII i", "i iv VII III", "i VI iv V7"],
}
_CHROMATIC_POP = {"major": ["I bVII IV I", "I IV bVII IV"], "minor": ["i bII VII i"]}


def _loops(spec: Spec, style: Style, table: dict[str, list[str]]) -> list[str]:
    fam = family(spec.mode)
    if fam == "modal" or (spec.mode not in ("major", "minor", "aeolian") and table is POP_LOOPS):
        return MODAL_LOOPS[spec.mode]
    options = list(table[fam])
    if style.allow_chromatic and table is POP_LOOPS:
        options += _CHROMATIC_POP[fam]
    return options


def pop_loop(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """A repeating four-chord loop (a second loop for the second half of long pieces)."""
    options = _loops(spec, style, POP_LOOPS)
    first, second = _pick(rng, options), _pick(rng, options)
    grid = slots_to_bars(slots_of(first), spec.bars, style.chords_per_bar)
    if spec.bars >= 16:
        half = (spec.bars // 16) * 8
        grid[half:] = slots_to_bars(slots_of(second), spec.bars - half, style.chords_per_bar)
    return grid


def modal_vamp(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """A one- or two-chord vamp that defines the mode (dorian i-IV, mixolydian I-bVII...)."""
    loop = _pick(rng, MODAL_LOOPS[spec.mode])
    return slots_to_bars(slots_of(loop), spec.bars, style.chords_per_bar)


_FUNCTION_CHORDS: dict[str, dict[str, list[str]]] = {
    "major": {"T": ["I", "I", "vi", "vi", "iii"], "PD": ["IV", "ii", "IV"], "D": ["V7", "V7", "viio"]},
    "minor": {"T": ["i", "i", "VI"], "PD": ["iv", "iv", "iio"], "D": ["V7"]},
}
_MODAL_PREDOMINANT = {"lydian": "II", "mixolydian": "IV", "phrygian": "iv", "locrian": "iv"}
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


def _function_chords(mode: str) -> dict[str, list[str]]:
    """Chords for each tonal function; modes without a usable V use their own leading chord."""
    if mode == "major" or mode in TONAL_MINOR_MODES:
        return _FUNCTION_CHORDS["major" if mode == "major" else "minor"]
    lead = dominant(mode)
    numeral = ["I", "II", "III", "IV", "V", "VI", "VII"][lead.degree]
    return {"T": ["I"], "PD": [_MODAL_PREDOMINANT[mode]], "D": [numeral]}


def _functional_phrases(spec: Spec, style: Style, rng: np.random.Generator,
                        phrase_bars: int) -> list[list[Step]]:
    chords = _function_chords(spec.mode)
    per_bar = 2 if style.chords_per_bar == 2.0 else 1
    slots: list[Step] = []
    phrase_count = max(1, spec.bars // phrase_bars)
    for index in range(phrase_count):
        length = phrase_bars if index < phrase_count - 1 else spec.bars - phrase_bars * index
        ending = "half" if index % 2 == 0 and index < phrase_count - 1 else "authentic"
        slots.extend(roman(_pick(rng, chords[f])) for f in _function_walk(length * per_bar, ending, rng))
    return [slots[per_bar * b: per_bar * b + per_bar] for b in range(spec.bars)]


def functional(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Four-bar phrases of tonic, predominant and dominant, half cadences between, authentic at the end."""
    return _functional_phrases(spec, style, rng, 4)


def chorale_functional(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Short two-bar chorale phrases, each closing on a cadence (a fermata in a real chorale)."""
    return _functional_phrases(spec, style, rng, 2)


_FOLK_CHORDS: dict[str, tuple[list[str], str]] = {
    "major": (["IV", "IV", "V", "vi"], "V"),
    "minor": (["iv", "VII", "VI"], "V7"),
    "aeolian": (["iv", "VII", "VI"], "VII"),
    "dorian": (["IV", "VII", "IV"], "VII"),
    "mixolydian": (["VII", "IV", "VII"], "VII"),
    "lydian": (["II", "V", "II"], "II"),
    "phrygian": (["II", "vii", "II"], "II"),
    "locrian": (["II", "vii"], "II"),
}


def folk_simple(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Tonic-heavy tunes over the mode's primary chords, in four-bar phrases."""
    others, home = _FOLK_CHORDS[spec.mode]
    phrases: list[str] = []
    for index in range(math.ceil(spec.bars / 4)):
        x, y = _pick(rng, others), _pick(rng, others)
        phrases.append(f"I {x} I {home}" if index % 2 == 0 else f"I {y} {home} I")
    slots = slots_of(" ".join(phrases))
    return [[s] for s in slots[: spec.bars]]


def andalusian(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """The Andalusian cadence (i-bVII-bVI-V) looped; phrygian reads it as iv-bIII-bII-i."""
    loop = {"major": "I IV V IV", "minor": "i VII VI V7", "modal": "i iv III II"}[family(spec.mode)]
    return slots_to_bars(slots_of(loop), spec.bars, style.chords_per_bar)


_AMBIENT_LOOPS = {"major": ["I IV", "I vi IV I", "I IV vi IV"], "minor": ["i VI", "i iv VI i", "i VI iv i"]}


def minimal_pad(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Slow pad changes that hover around the tonic."""
    fam = family(spec.mode)
    options = MODAL_LOOPS[spec.mode] if fam == "modal" else _AMBIENT_LOOPS[fam]
    return slots_to_bars(slots_of(_pick(rng, options)), spec.bars, style.chords_per_bar)


_JAZZ = {
    "major": ["I | vi | ii | V7", "ii | V7 | I | I", "I | IV | iii vi | ii V7", "ii V7 | I | ii V7 | I",
              "I vi | ii V7 | I | V7"],
    "minor": ["i | iv | iih7 V7 | i", "iih7 | V7 | i | i", "i | VI | iih7 | V7", "i | iv | VII | III"],
}
_JAZZ_CHROMATIC = {"major": ["I | VI7 | ii | V7", "I vi | ii V7 | iii VI7 | ii V7"],
                   "minor": ["i | bII | V7 | i"]}


def jazz(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """ii-V-I phrases with turnarounds (secondary dominants where the style allows chromatic chords)."""
    fam = family(spec.mode)
    if fam == "modal":
        return modal_vamp(spec, style, rng)
    templates = _JAZZ[fam] + (_JAZZ_CHROMATIC[fam] if style.allow_chromatic else [])
    return _phrased(templates, spec.bars, rng)


_BLUES: dict[str, dict[int, str]] = {
    "major": {
        12: "I7 | IV7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        8: "I7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        16: "I7 | I7 | I7 | I7 | I7 | I7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        4: "I7 | IV7 | V7 | I7",
    },
    "minor": {
        12: "i7 | iv7 | i7 | i7 | iv7 | iv7 | i7 | i7 | VI7 | V7 | i7 | V7",
        8: "i7 | iv7 | i7 | i7 | V7 | iv7 | i7 | V7",
        16: "i7 | i7 | i7 | i7 | i7 | i7 | i7 | i7 | iv7 | iv7 | i7 | i7 | VI7 | V7 | i7 | V7",
        4: "i7 | iv7 | V7 | i7",
    },
}


def blues(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """12-bar blues (8- and 16-bar forms where they fit), repeated and cut to the bar count."""
    bars = spec.bars
    form = next((f for f in (12, 16, 8) if bars % f == 0), 12 if bars >= 12 else 8 if bars >= 8 else 4)
    grid = bars_of(_BLUES["major" if family(spec.mode) == "major" else "minor"][form])
    if form == 12 and rng.random() < 0.5:
        grid[1] = grid[0]
    return (grid * math.ceil(bars / form))[:bars]


def ragtime(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """The ragtime circle of secondary dominants (III7-VI7-II7-V7-I)."""
    if family(spec.mode) != "major":
        return functional(spec, style, rng)
    return _phrased(["I | I | V7 | I", "I | VI7 | II7 | V7", "I | III7 | VI7 | II7 V7",
                     "IV | I | II7 | V7"], spec.bars, rng)


def gospel(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Gospel turns: I-I7-IV-iv, plagal motion, I-vi-ii-V."""
    if family(spec.mode) != "major":
        return functional(spec, style, rng)
    return _phrased(["I | I7 | IV | iv", "I | vi | ii | V7", "I | IV | I | V7", "I IV | I | ii V7 | I"],
                    spec.bars, rng)


def klezmer(spec: Spec, style: Style, rng: np.random.Generator) -> list[list[Step]]:
    """Minor or freygish klezmer harmony: i-iv-V7 with the flat-II of the freygish mode."""
    fam = family(spec.mode)
    if fam == "major":
        return functional(spec, style, rng)
    if fam == "modal":
        return _phrased(["i | II | i | vii", "i | iv | II | i", "i II | i | iv | II"], spec.bars, rng)
    return _phrased(["i | iv | V7 | i", "i | iv | bII | V7", "i | V7 | iv | i", "iv | i | V7 | i"],
                    spec.bars, rng)


Maker = Callable[[Spec, Style, np.random.Generator], list[list[Step]]]

KINDS: dict[str, Maker] = {
    "jazz_ii_v_i": jazz, "blues_12": blues, "pop_loop": pop_loop, "functional": functional,
    "chorale_functional": chorale_functional, "modal_vamp": modal_vamp, "modal_drone": modal_vamp,
    "folk_simple": folk_simple, "andalusian": andalusian, "minimal_pad": minimal_pad,
    "ragtime_circle": ragtime, "gospel": gospel, "klezmer": klezmer,
}




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
    if style.harmony == "blues_12" or mode not in MODAL_MODES or style.harmony not in _LOOPED_KINDS:
        return grid
    tonic = next((s for bar in grid for s in bar if s.degree == 0 and not s.shift), TONIC)
    out = [list(bar) for bar in grid]
    for index, cells in enumerate(_slots(out, style.chords_per_bar)):
        if index % 4 != 1:
            for bar, pos in cells:
                out[bar][pos] = tonic
    return out


def apply_cadence(grid: list[list[Step]], mode: str, style: Style) -> list[list[Step]]:
    """Pin the tonic on the first and last bar and put the style's cadence chord before the end."""
    grid = [list(bar) for bar in grid]
    tonic = next((s for bar in grid for s in bar if s.degree == 0 and not s.shift), TONIC)
    grid[0][0] = tonic
    if len(grid) == 1:
        return [[tonic]]
    grid[-1] = [tonic]
    if style.cadence == "none":
        return grid
    pre = dominant(mode) if style.cadence == "authentic" else subdominant(mode)
    if (len(grid) == 2 or mode in MODAL_MODES) and len(grid[-2]) == 1:
        grid[-2] = [tonic, pre]
    else:
        grid[-2][-1] = pre
    return grid
