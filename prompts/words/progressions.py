"""Progressions in a prompt: Roman numerals and named progressions (realised in the piece's key), chord lists
(`prompts.words.chords`), the harmonic rhythm, and the key a list of chords is heard in.

Numerals follow the key's own scale ("VI" in C minor is Ab) and an accidental is counted from the major
scale ("bVI" is Ab in C major and in C minor), as pop and jazz books write them; "vii°" in a minor key is the
leading tone's chord. A key is inferred from chords the way a musician hears one: the chords' notes in the
scale, the first chord (and less, the last) as home, a dominant resolving to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prompts.errors import ParseError
from prompts.limits import MAX_CHORDS
from prompts.music import (
    CHORD_INTERVALS,
    FLAT_MAJOR_KEY_PCS,
    MINOR_THIRD_MODES,
    MODE_INTERVALS,
    MODE_ROTATION,
    NOTE_NAMES_FLAT,
    NOTE_NAMES_SHARP,
    PITCH_CLASSES,
    TONICS,
    chord_pcs,
    chord_symbol,
    split_chord_symbol,
)
from prompts.scan import TextMask
from prompts.words.chords import STRONG_MARKERS, WEAK_MARKERS, bar_rhythm, find_chords, read_per_bar
from prompts.words.keys import spell

_CORE = r"VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i"
NUMERAL = re.compile(
    rf"(?<![\w#])(?P<acc>[b#])?(?P<num>{_CORE})"
    r"(?P<qual>maj7|M7|Δ7|Δ|ø7|ø|°7|°|o7|o|dim7|dim|m7b5|7sus4|sus4|sus2|sus|add9|\+|13|11|9|7|6)?"
    rf"(?:/(?P<of>[b#]?(?:{_CORE})))?(?![\w#°øΔ+/])"
)
_NUMERAL_SEP = re.compile(r"\s*(?:-|,|\||->|→)\s*|\s+")
PROGRESSION_TRAIL = re.compile(r"\s+(?:chords?|changes|progression|turnaround|cadence)\b", re.I)
"""The noun after a progression ("ii-V-I changes", "a 12-bar blues progression"), taken with it."""
_DEGREES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
_UPPER_QUALITY = {
    "": "maj", "7": "7", "maj7": "maj7", "M7": "maj7", "Δ7": "maj7", "Δ": "maj7", "6": "6", "9": "9",
    "11": "11", "13": "13", "+": "aug", "sus4": "sus4", "sus": "sus4", "sus2": "sus2", "7sus4": "7sus4",
    "add9": "add9", "°": "dim", "o": "dim", "dim": "dim", "°7": "dim7", "o7": "dim7", "dim7": "dim7",
    "ø": "m7b5", "ø7": "m7b5", "m7b5": "m7b5",
}
_LOWER_QUALITY = {**_UPPER_QUALITY, "": "min", "7": "m7", "maj7": "mmaj7", "M7": "mmaj7", "Δ7": "mmaj7",
                  "Δ": "mmaj7", "6": "m6", "9": "m9", "11": "m11", "add9": "madd9"}

_BLUES = "I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7"
_MINOR_BLUES = "i7 i7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7"
NAMED: tuple[tuple[str, str, str | None, float | None, bool], ...] = (
    (r"\bquick[\s-]*change(?=\s+blues\b)", "I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",
     "i7 iv7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7", None, True),
    (r"\b(?:12|twelve)[\s-]*bars?\s+blues\b", _BLUES, _MINOR_BLUES, None, False),
    (r"\b(?:the\s+)?rhythm\s+changes\b", "I vi7 ii7 V7 I vi7 ii7 V7 I I7 IV iv I V7 I V7", None, 2.0, True),
    (r"\b(?:an\s+|the\s+)?andalusian\s+(?:cadence|progression|chords|changes)\b", "i bVII bVI V",
     "i bVII bVI V", None, True),
    (r"\b(?:the\s+)?(?:50s|50's|1950s|fifties|doo[\s-]*wop)\s+(?:progression|changes|chords)\b",
     "I vi IV V", None, None, True),
    (r"\b(?:the\s+)?(?:pachelbel(?:'?s)?(?:\s+canon)?|canon)\s+(?:progression|changes|chords)\b"
     r"|\bpachelbel(?:'?s)?(?:\s+canon)?\b", "I V vi iii IV I IV V", None, None, True),
    (r"\b(?:a\s+|the\s+)?minor\s+(?:ii|2)(?:ø7?|m7b5)?\s*-\s*(?:V|5)7?(?:\s*-\s*(?:i|1)m?)?\b"
     r"(?:\s+(?:progression|turnaround|cadence))?", "iiø7 V7 i i", "iiø7 V7 i i", None, True),
    (r"\b(?:a\s+|the\s+)?(?:(?:ii|2)\s*-\s*(?:V|5)\s*-\s*(?:I|1)\s+turnaround|2\s*-\s*5\s*-\s*1)\b",
     "ii7 V7 Imaj7 Imaj7", None, None, True),
    (r"\b(?:the\s+)?axis(?:\s+of\s+awesome)?(?:\s+(?:progression|changes|chords))?\b", "I V vi IV",
     None, None, True),
)
"""Named progressions: pattern, numerals (in a major key), numerals in a minor key (None: the same), chords
per bar (None: one a bar unless the words say), and whether the name is taken from the prompt (a "12-bar
blues" stays for the bar and genre readers)."""


@dataclass
class Progression:
    """The harmony a prompt asks for: chord symbols, or numerals to realise in the key, and the rhythm."""

    symbols: list[str] = field(default_factory=list)
    numerals: list[str] = field(default_factory=list)
    minor_numerals: list[str] | None = None
    per_bar: float | None = None
    said: str = ""
    mode: str | None = None
    notes: list[str] = field(default_factory=list)

    def realise(self, tonic: str, mode: str) -> list[str]:
        """The chord symbols in `tonic` `mode` (symbols as given; numerals in the key)."""
        if self.symbols:
            return list(self.symbols)
        minor = mode in MINOR_THIRD_MODES and self.minor_numerals is not None
        return [realise(n, tonic, mode) for n in (self.minor_numerals if minor else self.numerals) or ()]


def read_progression(mask: TextMask) -> Progression | None:
    """Everything the prompt says about chords, taken from the mask (before the key reader, so "over Am F C G"
    is not read as A minor, and before the bar reader, so "a chord every two bars" is not a length)."""
    notes: list[str] = []
    per_bar = read_per_bar(mask, notes)
    found = _find_named(mask) or _find_numerals(mask)
    if found is None:
        chords = find_chords(mask)
        if chords is not None:
            symbols, bar_value, note = bar_rhythm(chords)
            found = Progression(symbols=symbols, per_bar=bar_value, said=chords.written, notes=chords.notes)
            found.notes += [note] if note else []
    if found is None:
        return Progression(per_bar=per_bar, notes=notes) if per_bar is not None else None
    found.notes = notes + found.notes
    count = len(found.symbols or found.numerals)
    if count > MAX_CHORDS:
        raise ParseError(f"Motif plays a progression of at most {MAX_CHORDS} chords; that one has {count}.")
    found.per_bar = per_bar or found.per_bar
    return found


_NAMED_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(entry[0], re.I) for entry in NAMED)


def _named(index: int, match: re.Match[str]) -> Progression:
    """The Progression NAMED[index] stands for, as `match` wrote it."""
    _, numerals, minor, per_bar, _ = NAMED[index]
    result = Progression(numerals=numerals.split(), minor_numerals=minor.split() if minor else None,
                         per_bar=per_bar, said=" ".join(match.group(0).split()), mode=implied_mode(numerals.split()))
    if minor is not None and minor != numerals:
        result.mode = None
    return result


def named_at(text: str, pos: int) -> tuple[Progression, int] | None:
    """A named progression that starts at `pos` ("a 12-bar blues", "the Andalusian cadence") and where it
    ends: what a remix's lead ("play it over", "use") is followed by."""
    for index, pattern in enumerate(_NAMED_PATTERNS):
        match = pattern.match(text, pos)
        if match is not None:
            return _named(index, match), match.end()
    return None


def _find_named(mask: TextMask) -> Progression | None:
    """The first named progression anywhere in the prompt, in NAMED's order; a name that is only harmony leaves
    the mask."""
    for index, pattern in enumerate(_NAMED_PATTERNS):
        match = next(mask.finditer(pattern), None)
        if match is None:
            continue
        if NAMED[index][4]:
            mask.take(*match.span())
        return _named(index, match)
    return None


def _find_numerals(mask: TextMask) -> Progression | None:
    """Numerals after a marker ("the progression is I IV V"), joined by dashes anywhere ("I-V-vi-IV"), or three
    or more with two degrees besides the tonic ("I IV V I"; "I want" and "part I II" are not)."""
    markers = [*mask.finditer(STRONG_MARKERS), *mask.finditer(WEAK_MARKERS)]
    for marker in sorted(markers, key=lambda m: m.start()):
        found = _numeral_list(mask.text, marker.end())
        if found is not None and len(found[0]) >= 2:
            mask.take(marker.start(), found[1])
            return Progression(numerals=found[0], said="-".join(found[0]), mode=implied_mode(found[0]))
    for match in mask.finditer(NUMERAL):
        found = _numeral_list(mask.text, match.start(), dashed=True)
        if found is None or len(found[0]) < 2 or set(found[0]) == {"I"}:
            found = _numeral_list(mask.text, match.start())
            cores = {n.upper().strip("b#") for n in found[0]} - {"I"} if found else set()
            if found is None or len(found[0]) < 3 or len(cores) < 2:
                continue
        mask.take(match.start(), found[1])
        return Progression(numerals=found[0], said="-".join(found[0]), mode=implied_mode(found[0]))
    return None


def _numeral_list(text: str, start: int, dashed: bool = False) -> tuple[list[str], int] | None:
    pos = start + len(text[start:]) - len(text[start:].lstrip(" :=|"))
    numerals: list[str] = []
    end = pos
    while (match := NUMERAL.match(text, pos)) is not None:
        numerals.append(match.group(0))
        end = match.end()
        gap = _NUMERAL_SEP.match(text, end)
        if gap is None or not gap.group(0) or (dashed and "-" not in gap.group(0)):
            break
        pos = gap.end()
    trail = PROGRESSION_TRAIL.match(text, end)
    return (numerals, trail.end() if trail else end) if numerals else None


def numerals_at(text: str, start: int) -> tuple[list[str], int] | None:
    """The Roman numerals written from `start` on ("I-V-vi-IV", "ii V I") and where they end, or None (a
    remix reader's entry to the list reader)."""
    return _numeral_list(text, start)


def implied_mode(numerals: list[str]) -> str | None:
    """The mode the numerals' tonic chord says: "i" minor, "I" major, None when no tonic chord is written."""
    cores = {m.group("num") for n in numerals if (m := NUMERAL.fullmatch(n)) and not m.group("acc")}
    return "minor" if "i" in cores else "major" if "I" in cores else None


def realise(numeral: str, tonic: str, mode: str) -> str:
    """The symbol of one Roman numeral in a key ("V7" in D minor is "A7", "bVII" in C "Bb", "V/V" "D")."""
    match = NUMERAL.fullmatch(numeral)
    if match is None:
        raise ValueError(f"not a Roman numeral: {numeral!r}")
    core, acc, qual = match.group("num"), match.group("acc"), match.group("qual") or ""
    quality = (_UPPER_QUALITY if core.isupper() else _LOWER_QUALITY)[qual]
    letter = "CDEFGAB".index(tonic[0])
    pc = PITCH_CLASSES[tonic]
    scale = MODE_INTERVALS[mode]
    if match.group("of"):
        target = NUMERAL.fullmatch(match.group("of"))
        assert target is not None
        degree = _DEGREES[target.group("num").upper()]
        pc += _degree_pc(degree, target.group("acc"), scale, "")
        letter += degree - 1
        scale = MODE_INTERVALS["major"]
    degree = _degree_pc(_DEGREES[core.upper()], acc, scale, quality)
    letter += _DEGREES[core.upper()] - 1
    root = _spelled(letter, (pc + degree) % 12, acc, tonic, mode)
    return chord_symbol(root, quality)


def _degree_pc(degree: int, acc: str | None, scale: tuple[int, ...], quality: str) -> int:
    if acc:
        return MODE_INTERVALS["major"][degree - 1] + (1 if acc == "#" else -1)
    if degree == 7 and scale[6] == 10 and scale[2] == 3 and quality in ("dim", "dim7", "m7b5"):
        return 11  # the leading tone's chord in a minor key
    return scale[degree - 1]


def _spelled(letter: int, pc: int, acc: str | None, tonic: str, mode: str) -> str:
    name = "CDEFGAB"[letter % 7]
    diff = (pc - PITCH_CLASSES[name] + 6) % 12 - 6
    if diff in (-1, 0, 1):
        return name + {-1: "b", 0: "", 1: "#"}[diff]
    parent = (PITCH_CLASSES[tonic] - MODE_ROTATION[mode]) % 12
    return (NOTE_NAMES_FLAT if acc == "b" or parent in FLAT_MAJOR_KEY_PCS else NOTE_NAMES_SHARP)[pc]


# -- The key of a list of chords -----------------------------------------------------------------------

def _scale(tonic_pc: int, mode: str) -> set[int]:
    tones = {(tonic_pc + i) % 12 for i in MODE_INTERVALS[mode]}
    return tones | {(tonic_pc + 11) % 12} if mode == "minor" else tones


def _tones(symbol: str) -> tuple[int, set[int], bool | None, str]:
    """Root pitch class, pitch classes, whether the third is major (None: no third), and the quality."""
    root, quality, bass = split_chord_symbol(symbol)
    intervals = CHORD_INTERVALS[quality]
    pc = PITCH_CLASSES[root]
    tones = set(chord_pcs(pc, quality)) | ({PITCH_CLASSES[bass]} if bass else set())
    third = True if 4 in intervals else False if 3 in intervals else None
    return pc, tones, third, quality


_DOMINANT = frozenset({"7", "9", "13", "7b9", "7#9", "11", "7sus4", "aug7"})
"""Qualities of a dominant seventh chord (a blues or a vamp when they are nearly all there is)."""
_RESOLVING = _DOMINANT | {"maj", "sus4"}
"""Qualities of a chord a fifth above the tonic that resolve to it (V, V7; a Cmaj7 before F is no dominant)."""
_SUPERTONIC = frozenset({"min", "m7", "m9", "m11", "m7b5"})


def key_score(symbols: list[str], tonic_pc: int, mode: str) -> float:
    """How well the chords sit in a key: their notes in its scale, the first (most) and last chord its tonic
    chord, each dominant that resolves to it (more after its ii: "Dm7 G7 Cmaj7" is in C)."""
    chords = [_tones(s) for s in symbols]
    scale = _scale(tonic_pc, mode)
    minor = mode in MINOR_THIRD_MODES
    score = 0.0
    for index, (root, tones, third, _) in enumerate(chords):
        inside = len(tones & scale)
        score += inside / len(tones) - 0.5 * (len(tones) - inside)
        if root == tonic_pc and (third is None or third != minor):
            score += 2.5 if index == 0 else 1.5 if index == len(chords) - 1 else 0.5
        if len(chords) > 1 and _resolves(chords, index, tonic_pc):
            before = chords[index - 1]
            supertonic = len(chords) > 2 and before[0] == (tonic_pc + 2) % 12 and before[3] in _SUPERTONIC
            score += 3.0 if supertonic else 1.0
    return score


def _resolves(chords: list[tuple[int, set[int], bool | None, str]], index: int, tonic_pc: int) -> bool:
    """Whether chord `index` is a dominant of the tonic followed (the progression loops) by the tonic."""
    root, _, _, quality = chords[index]
    return root == (tonic_pc + 7) % 12 and quality in _RESOLVING and chords[(index + 1) % len(chords)][0] == tonic_pc


def infer_key(symbols: list[str], tonic: str | None = None, mode: str | None = None) -> tuple[str, str]:
    """The key the chords are in, among those that keep what the user stated (a tonic, a mode); dominant
    sevenths throughout (or nearly, in three chords or more) from the first chord on are a blues or a vamp:
    mixolydian on the first chord."""
    first = PITCH_CLASSES[split_chord_symbol(symbols[0])[0]]
    dominant = [split_chord_symbol(s)[1] in _DOMINANT for s in symbols]
    blues = all(dominant) or (len(symbols) >= 3 and sum(dominant) * 4 >= 3 * len(symbols))
    if mode is None and dominant[0] and blues and tonic in (None, split_chord_symbol(symbols[0])[0]):
        return tonic or _tonic_name(first, "mixolydian", symbols), "mixolydian"  # a blues
    tonics = [PITCH_CLASSES[tonic]] if tonic else list(range(12))
    modes = [mode] if mode else ["major", "minor"]
    best = max(((t, m) for t in tonics for m in modes),
               key=lambda key: (round(key_score(symbols, *key), 6), key[0] == first, key[1] == "major"))
    return tonic or _tonic_name(best[0], best[1], symbols), best[1]


def _tonic_name(pc: int, mode: str, symbols: list[str]) -> str:
    for symbol in symbols:
        root = split_chord_symbol(symbol)[0]
        if PITCH_CLASSES[root] == pc and root in TONICS:
            return root
    return spell(pc, mode)


def fits_key(symbols: list[str], tonic: str, mode: str) -> bool:
    """False when most chord roots fall outside the key's scale (a stated key the chords contradict)."""
    scale = _scale(PITCH_CLASSES[tonic], mode)
    inside = sum(PITCH_CLASSES[split_chord_symbol(s)[0]] in scale for s in symbols)
    return inside * 2 >= len(symbols)
