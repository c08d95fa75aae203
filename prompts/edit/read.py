"""Readers for the numeric and keyword parts of a remix instruction: tempo, length, continuation,
variation, meter, harmony, density and register.

Each reader takes what it understands from a `TextMask` (so "16 bars" is not read again as a tempo) and
returns `(position, Edit)` pairs; positions give the order the user wrote them in, which decides conflicts.
Instruments, styles and moods are phrase-based and live in `parts.py`; keys in `keys.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from prompts.edit.types import Edit, EditError
from prompts.errors import ParseError
from prompts.limits import MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.scan import TextMask
from prompts.spec import Spec
from prompts.words.numbers import (
    DECIMAL_PATTERN,
    NUMBER_PATTERN,
    parse_decimal,
    parse_number,
    written_negative,
)
from prompts.words.timing import read_meter

Found = tuple[int, Edit]
Reader = Callable[[TextMask, Spec], list[Found]]

_N = rf"(?P<n>{NUMBER_PATTERN})"
_BARS = r"(?:bars?|measures?)"
_NOT_UNIT = r"(?!\s*-?\s*(?:bars?|measures?|semitones?|half[\s-]?steps?|whole[\s-]?steps?|steps?|tones?|octaves?|%|x\b|times\b|/))"

STRONG, MILD, PLAIN = 1.3, 1.07, 1.15
"""Tempo factors: "much faster", "a bit faster", "faster" (and their inverses for slower)."""
_DEGREE_WORDS = {
    "much": STRONG, "way": STRONG, "a lot": STRONG, "lots": STRONG, "far": STRONG, "significantly": STRONG,
    "considerably": STRONG, "by a lot": STRONG, "a little bit": MILD, "a little": MILD, "a bit": MILD, "a tad": MILD,
    "a touch": MILD, "slightly": MILD, "somewhat": MILD, "little": MILD, "bit": MILD, "even": PLAIN,
}
_DEGREE = r"(?:(?P<deg>much|way|a\s+lot|lots|far|significantly|considerably|a\s+little\s+bit|a\s+little|a\s+bit|a\s+tad|a\s+touch|slightly|somewhat|little|bit|even)\s+)?"
_DEGREE_AFTER = r"(?:\s+(?P<deg2>by\s+a\s+lot|a\s+lot|a\s+little\s+bit|a\s+little|a\s+bit|a\s+tad|a\s+touch|slightly))?"
_UP = (r"too\s+slow|faster|quicker|speedier|more\s+quickly|more\s+up[\s-]?beat|more\s+up[\s-]?tempo|speed\s+(?:it\s+|this\s+|things\s+)?up"
       r"|pick\s+up\s+the\s+(?:pace|tempo)|hurry\s+(?:it\s+)?up|(?:increase|raise|up|boost|bump\s+up|push)\s+the\s+(?:tempo|speed|bpm|pace)")
_DOWN = (r"too\s+fast|not\s+(?:so|as)\s+fast|slower|more\s+slowly|less\s+fast|slow\s+(?:it\s+|this\s+|things\s+)?down|take\s+it\s+slow"
         r"|(?:decrease|lower|reduce|drop|cut|ease)\s+the\s+(?:tempo|speed|bpm|pace)")
_COMPARATIVE = re.compile(rf"\b{_DEGREE}(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\b{_DEGREE_AFTER}", re.I)
_DOUBLE = re.compile(r"\b(?:double[\s-]?time|double[\s-]?speed|double\s+(?:the\s+)?(?:tempo|speed|bpm)|twice\s+as\s+fast"
                     r"|two\s+times\s+faster|2x\s+(?:faster|speed|tempo))\b", re.I)
_HALF = re.compile(r"\b(?:half[\s-]?time|half[\s-]?speed|half\s+the\s+(?:tempo|speed|bpm)|halve\s+the\s+(?:tempo|speed|bpm)"
                   r"|twice\s+as\s+slow|half\s+as\s+fast)\b", re.I)
_BPM = rf"-?(?P<n>{DECIMAL_PATTERN})(?![0-9]|\.[0-9])"
_TEMPO_SET = (
    re.compile(rf"(?<![\w.]){_BPM}\s*-?\s*(?:bpm|b\.p\.m\.?|beats?\s*(?:per|a|/)\s*min(?:ute)?)\b", re.I),
    re.compile(rf"\b(?:tempo|bpm|speed|pace|metronome)\s*(?:of|to|=|:|at|is|around|about)?\s*{_BPM}" + _NOT_UNIT, re.I),
    re.compile(r"\b(?:speed|slow|hurry|pick|bring|take|set|change|drop|raise|lower|push|turn|increase|decrease)"
               rf"\s+(?:it\s+|this\s+|things\s+|the\s+tempo\s+)?(?:up\s+|down\s+)?to\s+{_BPM}" + _NOT_UNIT, re.I),
    re.compile(rf"(?<![\w])(?:q|quarter(?:\s*note)?|crotchet)\s*=\s*{_BPM}", re.I),
    re.compile(r"\b(?:at|around)\s+(?P<n>[0-9]{2,3}(?:\.[0-9]+)?)(?![0-9]|\.[0-9])" + _NOT_UNIT, re.I),
)

_VARY_RANGE = re.compile(
    r"\b(?:vary|redo|rewrite|regenerate|change|rework|re-?roll|variation\s+(?:of|on|for)|new\s+notes\s+(?:in|for))"
    r"\s+(?:the\s+)?(?:bars?|measures?)\s+(?P<a>[0-9]+)(?:\s*(?:-|to|through|thru|until|and)\s*(?P<b>[0-9]+))?", re.I)
_VARY_EDGE = re.compile(
    r"\b(?:vary|redo|rewrite|regenerate|change|rework|re-?roll|variation\s+(?:of|on|for))\s+the\s+(?P<edge>first|last|final|opening|closing)"
    rf"\s+{_N}\s*{_BARS}", re.I)
_VARIATION = re.compile(
    r"\b(?:another\s+(?:take|one|version|go|try|variation|attempt)|try\s+(?:it\s+)?(?:again|another)|do\s+it\s+again"
    r"|one\s+more\s+(?:time|take|try)|give\s+me\s+a\s+variation|variation|vary\s+it|vary|re-?roll|regenerate|redo\s+it"
    r"|redo|new\s+(?:take|version|seed|melody)|different\s+(?:take|version|melody)|something\s+different)\b", re.I)

_CONTINUE = re.compile(
    r"\b(?:continue|keep\s+(?:it\s+)?going|carry\s+on|go\s+on|extend|keep\s+playing|more\s+of\s+(?:this|that|it))\b"
    r"(?!\s+(?:it\s+|this\s+)?(?:out\s+)?to\b)"
    r"(?:\s+(?:it|this|the\s+(?:piece|tune|song|melody)))?"
    rf"(?:\s+(?:for|by|with)?\s*(?:another\s+|an?\s+(?:extra|further)\s+)?{_N}\s*(?:more\s+|extra\s+)?{_BARS})?", re.I)
_EXTEND = (
    re.compile(r"\b(?:extend|lengthen|stretch|expand|grow)\s+(?:it\s+|this\s+|the\s+(?:piece|tune|song)\s+)?by\s+"
               rf"{_N}\s*(?:more\s+|extra\s+)?{_BARS}?", re.I),
    re.compile(rf"\badd\s+(?:another\s+|an?\s+(?:extra|further)\s+)?{_N}\s*(?:more\s+|extra\s+|further\s+)?{_BARS}", re.I),
    re.compile(rf"(?<![\w/.]){_N}\s+(?:more|extra|additional|further)\s+{_BARS}", re.I),
    re.compile(rf"\banother\s+{_N}\s+{_BARS}", re.I),
)
_SHORTEN_BY = re.compile(
    rf"\b(?:shorten|trim|cut|reduce|remove|drop|lose)\s+(?:it\s+|this\s+)?(?:by\s+)?(?:the\s+last\s+)?{_N}\s*{_BARS}", re.I)
_LENGTH_SET = re.compile(
    r"(?:\b(?:make\s+it|make\s+this|set\s+(?:it\s+)?to|change\s+(?:it\s+)?to|(?:shorten|trim|cut|reduce|lengthen|extend"
    r"|stretch|expand|grow)\s+(?:it\s+|this\s+)?(?:down\s+)?to|to|just|only)\s+)?"
    rf"(?<![\w/.]){_N}\s*-?\s*{_BARS}(?:\s+(?:long|in\s+total|total))?\b", re.I)
_LENGTH_SCALE = (
    (re.compile(r"\b(?:half\s+as\s+long|half\s+the\s+length|halve\s+(?:it|the\s+length)|half\s+length|cut\s+it\s+in\s+half)\b", re.I), 0.5),
    (re.compile(r"\b(?:twice\s+as\s+long|double\s+(?:the\s+)?length|double\s+it|double\s+length)\b", re.I), 2.0),
    (re.compile(r"\b(?:(?:a\s+bit\s+|a\s+little\s+|much\s+)?longer|too\s+short)\b", re.I), 2.0),
    (re.compile(r"\b(?:(?:a\s+bit\s+|a\s+little\s+|much\s+)?shorter|too\s+long)\b", re.I), 0.5),
)
_HARMONISE = re.compile(
    r"\b(?P<counter>(?:add|with|write|give\s+(?:it|me))\s+(?:a\s+|an\s+|some\s+)?(?:counter[\s-]?melody|counter[\s-]?line"
    r"|second\s+(?:voice|line|melody)|descant|counterpoint|harmony\s+line))\b"
    r"|\b(?:re-?harmoni[sz]e(?:\s+it|\s+this)?|harmoni[sz]e(?:d)?(?:\s+it|\s+this|\s+the\s+melody)?"
    r"|(?:add|with)\s+(?:a\s+|some\s+)?harmon(?:y|ies)|harmonies|in\s+harmony)\b", re.I)
_DENSITY = (
    (re.compile(r"\b(?:simpler|sparser|less\s+busy|less\s+dense|fewer\s+notes|less\s+notes|thinner|more\s+sparse"
                r"|more\s+minimal|more\s+space|strip\s+(?:it\s+)?(?:back|down)|stripped[\s-]?(?:back|down)|less\s+cluttered"
                r"|simplify(?:\s+it)?|more\s+simple|less\s+complex|too\s+(?:busy|dense|complex|complicated|cluttered|many\s+notes))\b",
                re.I), -0.2),
    (re.compile(r"\b(?:busier|denser|more\s+notes|more\s+busy|more\s+dense|more\s+complex|more\s+intricate|fuller"
                r"|more\s+active|more\s+going\s+on|more\s+complicated|thicker|fancier|more\s+ornate|add\s+more\s+notes"
                r"|too\s+(?:sparse|simple|empty|thin|bare|boring))\b", re.I), 0.2),
)
_OCTAVE_VERB = r"(?:(?:transpose|shift|move|take|put|bring|play|pitch)\s+(?:it\s+|this\s+|everything\s+|the\s+melody\s+)?)?"
_OCTAVES = r"(?P<n>an?|one|two|1|2)\s+octaves?"
_REGISTER = (
    re.compile(rf"\b{_OCTAVE_VERB}(?P<dir>up|down|higher|lower)\s+(?:by\s+)?{_OCTAVES}", re.I),
    re.compile(rf"\b{_OCTAVE_VERB}{_OCTAVES}\s+(?P<dir>up|down|higher|lower)\b", re.I),
    re.compile(rf"\b(?P<dir>raise|drop|lower)\s+(?:it\s+|this\s+|the\s+melody\s+)?(?:by\s+)?{_OCTAVES}", re.I),
    re.compile(r"\b(?:in\s+a\s+)?(?P<dir>higher|lower)(?:\s+(?:register|pitched|octave|up|down))?\b"
               r"(?!\s+(?:the\s+)?(?:tempo|speed|bpm|pace|volume|density))", re.I),
    re.compile(r"\b(?P<dir>raise|lower)\s+the\s+(?:pitch|register|octave)\b", re.I),
    re.compile(r"\btoo\s+(?P<dir>high|low)(?:[\s-]+pitched)?\b", re.I),
)


def block(mask: TextMask, start: int, end: int) -> None:
    """Mark text[start:end] as understood with a filler that no phrase can span, so blanking "instead of"
    in "rhodes instead of piano" does not leave "rhodes piano" for the lexicon to read as one instrument."""
    mask.text = mask.text[:start] + "|" * (end - start) + mask.text[end:]


def take(mask: TextMask, match: re.Match[str], kind: str, params: dict[str, object]) -> Found:
    """Mark a match as understood and make it an Edit, remembering where it started."""
    block(mask, *match.span())
    return match.start(), Edit(kind, params, " ".join(match.group(0).split()))


def number(text: str) -> int:
    """The value of a number in digits or words; a clear error for anything else."""
    value = parse_number(text)
    if value is None:
        raise EditError(f"Motif could not read '{text}' as a number.")
    return value


def _factor(match: re.Match[str]) -> float:
    degree = match.group("deg") or match.group("deg2")
    return _DEGREE_WORDS.get(" ".join(degree.lower().split()), PLAIN) if degree else PLAIN


def stated_bpm(mask: TextMask, match: re.Match[str]) -> int:
    """The bpm a tempo match states, rounded ("120.5 bpm" is about 120); a negative tempo is refused rather
    than read without its sign (out-of-range positive tempi are clamped later, with a note)."""
    bpm = round(parse_decimal(match.group("n")))
    if written_negative(mask.text, match.start("n")):
        raise EditError(f"Tempo must be between {MIN_TEMPO_BPM} and {MAX_TEMPO_BPM} bpm; you asked for -{bpm}.")
    return bpm


def read_tempo(mask: TextMask, parent: Spec) -> list[Found]:
    """Stated tempi ("at 100 bpm", "speed it up to 140"), double/half time and "(much|a bit) faster/slower"."""
    found: list[Found] = []
    for pattern in _TEMPO_SET:
        for match in mask.finditer(pattern):
            found.append(take(mask, match, "tempo", {"op": "set", "bpm": stated_bpm(mask, match)}))
    for pattern, factor in ((_DOUBLE, 2.0), (_HALF, 0.5)):
        for match in mask.finditer(pattern):
            found.append(take(mask, match, "tempo", {"op": "scale", "factor": factor}))
    for match in mask.finditer(_COMPARATIVE):
        factor = _factor(match)
        factor = factor if match.group("up") else round(1 / factor, 4)
        found.append(take(mask, match, "tempo", {"op": "scale", "factor": factor}))
    return found


def read_meter_edit(mask: TextMask, parent: Spec) -> list[Found]:
    """A new time signature ("in 3/4", "in 6/8", "in three", "common time") via the prompt reader."""
    before = mask.text
    try:
        signature = read_meter(mask)
    except ParseError as exc:
        raise EditError(str(exc)) from None
    if signature is None:
        return []
    start, end = _changed_span(before, mask.text)
    return [(start, Edit("meter", {"time_signature": signature}, " ".join(before[start:end].split())))]


def _changed_span(before: str, after: str) -> tuple[int, int]:
    """Where a reader from another module blanked the mask (it does not report positions itself)."""
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    return (changed[0], changed[-1] + 1) if changed else (0, 0)


def read_length(mask: TextMask, parent: Spec) -> list[Found]:
    """Bar counts: "extend by 4 bars", "add 4 more bars", "shorten by 2 bars", "make it 16 bars", "half as long"."""
    found: list[Found] = []
    for pattern in _EXTEND:
        for match in mask.finditer(pattern):
            found.append(take(mask, match, "length", {"op": "extend", "bars": number(match.group("n"))}))
    for match in mask.finditer(_SHORTEN_BY):
        found.append(take(mask, match, "length", {"op": "extend", "bars": -number(match.group("n"))}))
    for match in mask.finditer(_LENGTH_SET):
        sign = -1 if written_negative(mask.text, match.start("n")) else 1  # "-4 bars" is refused, not read as 4
        found.append(take(mask, match, "length", {"op": "set", "bars": sign * number(match.group("n"))}))
    for pattern, factor in _LENGTH_SCALE:
        for match in mask.finditer(pattern):
            found.append(take(mask, match, "length", {"op": "scale", "factor": factor}))
    return found


def read_continuation(mask: TextMask, parent: Spec) -> list[Found]:
    """ "continue for 8 bars", "keep going", "extend" (no count: the default continuation length)."""
    found: list[Found] = []
    for match in mask.finditer(_CONTINUE):
        bars = number(match.group("n")) if match.group("n") else None
        found.append(take(mask, match, "continuation", {"bars": bars}))
    return found


def read_variation(mask: TextMask, parent: Spec) -> list[Found]:
    """ "vary bars 5-8", "redo bar 3", "vary the last 4 bars", and whole-piece "another take" / "variation"."""
    found: list[Found] = []
    for match in mask.finditer(_VARY_RANGE):
        first = number(match.group("a"))
        last = number(match.group("b")) if match.group("b") else first
        found.append(take(mask, match, "variation", {"bars": [first, last]}))
    for match in mask.finditer(_VARY_EDGE):
        count = number(match.group("n"))
        if match.group("edge").lower() in ("first", "opening"):
            bars = [1, count]
        else:
            bars = [parent.bars - count + 1, parent.bars]
        found.append(take(mask, match, "variation", {"bars": bars}))
    for match in mask.finditer(_VARIATION):
        found.append(take(mask, match, "variation", {"bars": None}))
    return found


def read_harmonise(mask: TextMask, parent: Spec) -> list[Found]:
    """ "harmonise", "add harmony", "add a counter-melody" (a second, independent line)."""
    return [take(mask, match, "harmonise", {"counter": bool(match.group("counter"))})
            for match in mask.finditer(_HARMONISE)]


def read_density(mask: TextMask, parent: Spec) -> list[Found]:
    """Relative texture: "simpler", "sparser", "busier", "more notes" (set words like "sparse" are phrases)."""
    found: list[Found] = []
    for pattern, delta in _DENSITY:
        for match in mask.finditer(pattern):
            found.append(take(mask, match, "density", {"op": "shift", "delta": delta}))
    return found


def read_register(mask: TextMask, parent: Spec) -> list[Found]:
    """Octave moves: "up an octave", "two octaves down", "raise it an octave", "higher", "lower"."""
    found: list[Found] = []
    for pattern in _REGISTER:
        for match in mask.finditer(pattern):
            groups = match.groupdict()
            count = 1 if groups.get("n") is None or groups["n"].lower() in ("a", "an") else number(groups["n"])
            sign = 1 if match.group("dir").lower() in ("up", "higher", "raise", "low") else -1
            found.append(take(mask, match, "register", {"op": "shift", "octaves": sign * count}))
    return found
