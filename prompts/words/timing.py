"""Tempo, meter and length as written in prompts: "120 bpm", "q=100", "in 6/8", "in three", "eight bars".

Numbers with units are read by regex here; tempo and length *words* ("allegro", "laid-back", "short")
are phrases in the lexicon and their values live here, so every tempo/length word is in one place (the
tempo range itself is `prompts.limits`').
"""

from __future__ import annotations

import re

from prompts.errors import ParseError
from prompts.limits import MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.scan import TextMask
from prompts.spec import TIME_SIGNATURES
from prompts.words.numbers import (
    DECIMAL_PATTERN,
    NUMBER_PATTERN,
    parse_decimal,
    parse_number,
    written_negative,
)

TEMPO_WORDS: dict[str, tuple[int, int]] = {
    "grave": (25, 45), "largo": (40, 60), "lento": (40, 60), "larghetto": (60, 66), "adagio": (66, 76),
    "adagietto": (70, 80), "andante": (76, 108), "andantino": (80, 108), "moderato": (108, 120),
    "allegretto": (112, 120), "allegro": (120, 156), "vivace": (156, 176), "presto": (168, 200),
    "prestissimo": (200, 240), "very slow": (40, 56), "slow": (60, 80), "slowly": (60, 80),
    "slower": (60, 80), "ballad": (60, 80), "leisurely": (70, 90), "laid-back": (75, 95),
    "laid back": (75, 95), "mid-tempo": (95, 115), "midtempo": (95, 115), "medium tempo": (95, 115),
    "medium": (95, 115), "moderate": (100, 116), "upbeat": (115, 130), "brisk": (125, 145),
    "quick": (130, 160), "uptempo": (130, 160), "up-tempo": (130, 160), "fast": (140, 170),
    "faster": (140, 170), "rapid": (150, 180), "rapidly": (150, 180), "very fast": (170, 210),
    "blazing": (190, 230), "frantic": (180, 220),
}
"""Tempo words and the bpm range each implies; a word picks the middle of its range (deterministic).
The Italian marks follow the usual metronome table (grave 25-45 ... prestissimo 200+); every reader of a
tempo word (prompts, remixes, the lexicon) takes its range from here."""

LENGTH_WORDS: dict[str, int] = {
    "short": 4, "very short": 2, "tiny": 4, "brief": 4, "little jingle": 4, "jingle": 4, "quick sketch": 4,
    "medium length": 16, "medium-length": 16, "long": 32, "longer": 32, "extended": 32, "very long": 64,
    "full song": 32, "full-length": 32, "full length": 32, "epic length": 64,
}
"""Length words and the bar count each implies."""

METER_WORDS: dict[str, str] = {
    "common time": "4/4", "cut time": "2/2", "alla breve": "2/2", "triple meter": "3/4", "triple time": "3/4",
    "waltz time": "3/4", "three four": "3/4", "duple meter": "2/4", "duple time": "2/4", "march time": "2/4",
    "compound time": "6/8", "compound meter": "6/8", "compound duple": "6/8", "six eight": "6/8",
    "odd meter": "7/8", "odd time": "7/8", "quadruple meter": "4/4", "four on the floor": "4/4",
}

DANCE_METERS: dict[str, str] = {
    "minuet": "3/4", "minuets": "3/4", "menuet": "3/4", "minuetto": "3/4", "sarabande": "3/4",
    "polonaise": "3/4", "mazurka": "3/4", "gigue": "6/8", "siciliano": "6/8", "siciliana": "6/8",
    "gavotte": "2/2", "bourree": "2/2", "bourrée": "2/2",
}
"""Dances whose name is their meter (a minuet is in three whatever the era): read as a stated meter, without
taking the word, which still names the genre. Dances that are Motif genres (waltz, jig, reel) carry their meter
in prompts.words.genres."""
_DANCE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in DANCE_METERS) + r")\b", re.I)

METER_IN_NUMBER: dict[int, str] = {2: "2/4", 3: "3/4", 4: "4/4", 5: "5/4", 6: "6/8", 7: "7/8", 9: "9/8", 12: "12/8"}
""""in three", "in 7": how many beats people mean, as the time signature they usually write."""

_UNIT_AFTER = r"(?!\s*-?\s*(?:bars?|measures?|minutes?|mins?|seconds?|secs?|s\b|bpm|/|%|keys?|\.[0-9]))"

_BPM = rf"(?P<n>{DECIMAL_PATTERN})(?![0-9]|\.[0-9])"
_TEMPO_PATTERNS = [
    re.compile(rf"(?<![0-9.]){_BPM}\s*-?\s*(?:bpm|b\.p\.m\.?|beats?\s*(?:per|a|/)\s*min(?:ute)?)\b", re.I),
    re.compile(rf"\b(?:tempo|bpm|speed|metronome)\s*(?:of|=|:|at|is|around|about|~)?\s*-?{_BPM}" + _UNIT_AFTER, re.I),
    re.compile(rf"(?<![\w])(?:q|quarter(?:\s*note)?|crotchet)\s*=\s*-?{_BPM}", re.I),
    re.compile(r"\b(?:at|around)\s+(?P<n>[0-9]{2,3}(?:\.[0-9]+)?)(?![0-9]|\.[0-9])" + _UNIT_AFTER, re.I),
]
_METER_NUMERIC = re.compile(r"(?<![0-9/.])(?P<num>[0-9]+)\s*/\s*(?P<den>[0-9]+)(?![0-9/])")
_METER_CONTEXT = re.compile(r"\b(?:in|time|meter|metre|signature)\s*(?:of\s+|:\s*|=\s*)?$", re.I)
METER_DENOMINATORS: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
"""Bottom numbers that make "N/D" a time signature someone meant, even when Motif cannot write it."""
_METER_IN = re.compile(rf"\b(?:in|time)\s+(?P<n>{NUMBER_PATTERN})\b" + _UNIT_AFTER, re.I)
_METER_WORD = re.compile(
    r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in METER_WORDS) + r")\b", re.I
)
_BARS = re.compile(rf"(?<![\w/.])(?P<n>{NUMBER_PATTERN})\s*-?\s*(?:bars?|measures?)\b", re.I)
_BARS_AFTER = re.compile(r"\b(?:bars?|measures?|length)\s*[:=]\s*-?(?P<n>[0-9]+)(?![0-9])", re.I)
_DURATION = re.compile(
    rf"(?<![\w/.])(?P<n>{NUMBER_PATTERN})\s*-?\s*(?P<unit>minutes?|mins?|seconds?|secs?|s)\b", re.I
)


def safe_int(digits: str) -> int:
    """int() of a digit string without Python's huge-string limit: anything over 12 digits is 10**12."""
    return int(digits) if len(digits) <= 12 else 10**12


def read_tempo(mask: TextMask, notes: list[str] | None = None) -> int | None:
    """The first numeric tempo ("120 bpm", "tempo 140", "q=100", "at 90"); out-of-range tempos are refused.

    A decimal tempo is rounded to the nearest whole bpm ("120.5 bpm" is about 120, never "5 bpm"), with a
    note; a negative one ("-120 bpm") is refused rather than read without its sign.
    """
    for pattern in _TEMPO_PATTERNS:
        for match in mask.finditer(pattern):
            written = match.group("n")
            value = parse_decimal(written)
            bpm = -round(value) if written_negative(mask.text, match.start("n")) else round(value)
            if not MIN_TEMPO_BPM <= bpm <= MAX_TEMPO_BPM:
                raise ParseError(
                    f"Tempo must be between {MIN_TEMPO_BPM} and {MAX_TEMPO_BPM} bpm; you asked for {bpm}."
                )
            if "." in written and notes is not None:
                notes.append(f"read {written} bpm as {bpm} bpm")
            mask.take(*match.span())
            return bpm
    return None


def meter_refusal(written: str, num: int, den: int) -> str:
    """The message for a time signature Motif will not write, saying why when it is not one at all."""
    why = "" if num >= 1 and den in METER_DENOMINATORS[1:5] else (
        " (the top number counts the beats in a bar, at least 1; the bottom one is 2, 4, 8 or 16)"
    )
    return f"Motif can write in {', '.join(TIME_SIGNATURES)}; it cannot write in {written}{why or ' yet'}."


def _meant_as_meter(num: int, den: int, text: str, start: int) -> bool:
    """Whether an unwritable "N/D" is a time signature the user meant (so it is refused) rather than some
    other fraction left alone ("24/7 lofi radio", "a 9/11 tribute")."""
    if den in METER_DENOMINATORS or _METER_CONTEXT.search(text[:start]):
        return True
    return num <= 16 and den <= 9


def read_meter(mask: TextMask) -> str | None:
    """A time signature from "3/4", "in three", "in 7" or a meter phrase ("common time").

    "in 0/4", "7/3", "4/0" or "999999/4" are refused with a message instead of leaving the default meter.
    """
    for match in mask.finditer(_METER_NUMERIC):
        num, den = safe_int(match.group("num")), safe_int(match.group("den"))
        signature = f"{num}/{den}"
        if signature in TIME_SIGNATURES:
            mask.take(*match.span())
            return signature
        if _meant_as_meter(num, den, mask.text, match.start()):
            written = "".join(match.group(0).split())[:24]
            raise ParseError(meter_refusal(written, num, den))
    for match in mask.finditer(_METER_WORD):
        mask.take(*match.span())
        return METER_WORDS[" ".join(match.group(0).lower().replace("-", " ").split())]
    for match in mask.finditer(_METER_IN):
        count = parse_number(match.group("n"))
        if count in METER_IN_NUMBER:
            mask.take(*match.span())
            return METER_IN_NUMBER[count]
    for match in mask.finditer(_DANCE):
        return DANCE_METERS[match.group(0).lower()]
    return None


def read_bars(mask: TextMask, notes: list[str] | None = None) -> int | None:
    """A bar count from "8 bars", "eight-bar", "12 measures", "bars: 8"; the caller checks the limits.

    A minus sign is kept ("-4 bars" is refused later, not read as 4). When several counts are stated
    ("8 bars, 16 bars") the last one wins, as a correction usually comes last, and a note says so; but a
    count said as a length ("24 bars") wins over one that names a unit of form ("of 12-bar blues", "a
    4-bar loop"), which is how people write the two together.
    """
    counts: list[tuple[bool, int, int]] = []
    for pattern in (_BARS, _BARS_AFTER):
        for match in mask.finditer(pattern):
            count = parse_number(match.group("n"))
            if count is None:
                continue
            negative = written_negative(mask.text, match.start("n"))
            mask.take(*match.span())
            counts.append((_names_length(match.group(0), count), match.start(), -count if negative else count))
    if not counts:
        return None
    counts.sort(key=lambda c: c[:2])
    chosen = counts[-1][2]
    if notes is not None and len({count for _, _, count in counts}) > 1:
        in_order = sorted(counts, key=lambda c: c[1])
        stated = ", ".join(str(count) for _, _, count in in_order)
        which = "the last one" if in_order[-1] is counts[-1] else "the one said as a length"
        notes.append(f"several bar counts stated ({stated}); using {which}, {chosen}")
    return chosen


def _names_length(matched: str, count: int) -> bool:
    """False for "12-bar" or "4 bar" (singular, more than one): an attribute of a form, not the length."""
    return count == 1 or not re.search(r"(?:bar|measure)$", matched, re.I) or matched.lower().startswith(("bar", "measure"))


def read_duration_s(mask: TextMask) -> float | None:
    """A length in seconds from "30 seconds", "2 minutes", "45s" (converted to bars once tempo is known)."""
    for match in mask.finditer(_DURATION):
        count = parse_number(match.group("n"))
        if count is None or (match.group("unit").lower() == "s" and count > 300):
            continue  # "808s" are drum machines, not thirteen minutes
        mask.take(*match.span())
        return float(count) * (60.0 if match.group("unit").lower().startswith("m") else 1.0)
    return None


def bars_for_duration(duration_s: float, tempo_bpm: int, bar_quarters: float) -> int:
    """How many whole bars of `bar_quarters` quarter notes at `tempo_bpm` fill `duration_s` (at least 1)."""
    bar_s = bar_quarters * 60.0 / tempo_bpm
    return max(1, round(min(duration_s, 1e9) / bar_s))


def tempo_in_range(low: int, high: int, tendency: float = 0.0) -> int:
    """A deterministic tempo inside [low, high]: the middle, pushed toward an end by `tendency` in -1..1."""
    fraction = 0.5 + 0.3 * max(-1.0, min(1.0, tendency))
    return round(low + (high - low) * fraction)
