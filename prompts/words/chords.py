"""Chord symbols as people type them, and the progressions they write in prose.

A symbol is read leniently ("BbΔ7", "B♭M7", "Bbmaj7" are all "Bbmaj7"; "Fø", "Fm7b5", "F-7b5" are "Fm7b5") and
written back in the one normalised form `prompts.music.chord_symbol` makes. Tensions Motif has no quality for
("C7#11", "Cmaj13") are read as the nearest quality below them, with a note.

As with keys, the hard part is not inventing chords: "a song", "A jazz tune", "in A minor", "Be happy" and
"add drums" hold chord letters. A chord is read only inside a list: after a marker ("chords:", "the chord
progression is", "over", "alternates between", "revolves around", "built around the chords"), or a run of at
least three symbols one of which is more than a bare letter ("Am F C G", "Dm7 | G7 | Cmaj7"). A marker that
names chords ("chords:", "the progression is") makes an unreadable symbol an error (`ParseError`) naming it.
Bars written with "|" ("| C G | Am F |") set the harmonic rhythm, as do the words for it ("two chords per
bar").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prompts.errors import ParseError
from prompts.music import chord_symbol, split_chord_symbol
from prompts.scan import TextMask, normalise
from prompts.words.lexicon import lookup, phrase_at
from prompts.words.numbers import NUMBER_PATTERN

SUFFIXES: dict[str, str] = {
    "": "maj", "M": "maj", "maj": "maj", "Maj": "maj", "MAJ": "maj", "ma": "maj",
    "m": "min", "mi": "min", "min": "min", "-": "min",
    "dim": "dim", "°": "dim", "o": "dim",
    "aug": "aug", "+": "aug", "+5": "aug", "#5": "aug",
    "sus2": "sus2", "2": "sus2", "sus4": "sus4", "sus": "sus4", "4": "sus4",
    "5": "5", "6": "6", "m6": "m6", "mi6": "m6", "min6": "m6", "-6": "m6",
    "7": "7", "dom7": "7",
    "maj7": "maj7", "Maj7": "maj7", "MAJ7": "maj7", "ma7": "maj7", "M7": "maj7", "Δ7": "maj7", "Δ": "maj7",
    "∆7": "maj7", "∆": "maj7", "^7": "maj7", "^": "maj7",
    "m7": "m7", "mi7": "m7", "min7": "m7", "-7": "m7",
    "m7b5": "m7b5", "mi7b5": "m7b5", "min7b5": "m7b5", "m7-5": "m7b5", "-7b5": "m7b5", "ø": "m7b5",
    "ø7": "m7b5", "Ø": "m7b5", "Ø7": "m7b5",
    "dim7": "dim7", "°7": "dim7", "o7": "dim7",
    "mmaj7": "mmaj7", "mMaj7": "mmaj7", "mM7": "mmaj7", "minmaj7": "mmaj7", "-maj7": "mmaj7", "-Δ7": "mmaj7",
    "mΔ7": "mmaj7", "-Δ": "mmaj7", "mΔ": "mmaj7",
    "9": "9", "maj9": "maj9", "Maj9": "maj9", "M9": "maj9", "Δ9": "maj9", "m9": "m9", "mi9": "m9",
    "min9": "m9", "-9": "m9",
    "7sus4": "7sus4", "7sus": "7sus4", "sus7": "7sus4",
    "add9": "add9", "add2": "add9", "m11": "m11", "min11": "m11", "-11": "m11", "13": "13",
    "7#5": "aug7", "7+5": "aug7", "+7": "aug7", "aug7": "aug7", "7aug": "aug7",
    "7b9": "7b9", "7-9": "7b9", "7#9": "7#9", "7+9": "7#9", "7alt": "7#9", "alt": "7#9",
    "69": "69", "6/9": "69", "6add9": "69",
    "madd9": "madd9", "madd2": "madd9", "minadd9": "madd9", "-add9": "madd9", "11": "11",
}
"""What people write after a chord's root -> the quality (`prompts.music.CHORD_INTERVALS`), parentheses
dropped ("Cm(maj7)" is "Cmmaj7"). Every normalised suffix (`CHORD_SUFFIX`) is here, so normalised symbols read
back."""

NEAREST: dict[str, str] = {
    "maj13": "maj9", "maj11": "maj9", "M13": "maj9", "Δ13": "maj9", "maj7#11": "maj7", "Δ7#11": "maj7",
    "m13": "m11", "-13": "m11", "min13": "m11", "m7b9": "m7", "9sus4": "7sus4", "9sus": "7sus4",
    "13sus4": "7sus4", "m69": "m6", "m6/9": "m6", "7b5": "7", "9#11": "9", "13#11": "13", "7b13": "7",
    "7#11": "7", "9b5": "9", "dim9": "dim7", "7b9b13": "7b9", "7#9b13": "7#9", "7#9#5": "7#9", "7b9#5": "7b9",
    "madd11": "min", "add11": "maj",
}
"""Tensions Motif has no quality for -> the nearest quality it has (read with a note). Anything else with
extra digits falls back to the longest known start of its suffix ("C7#11b13" is C7)."""

_PIECES = (r"6/9|maj|Maj|MAJ|min|mi|ma|dim|aug|sus|add|alt|dom|M|m|ø|Ø|°|o|Δ|∆|\^|\+|#|b|-(?![A-Ga-g])"
           r"|[0-9]+|\(|\)")
_ROOT_UPPER = r"[A-G]"
_ROOT_ANY = r"[A-Ga-g]"
_TOKEN_TAIL = rf"(?P<acc>#|b)?(?P<suffix>(?:{_PIECES})*)(?:/(?P<bass>[A-G](?:#|b)?))?(?![\w#+°øØΔ∆^(/])"
TOKEN = re.compile(rf"(?<![\w#/])(?P<root>{_ROOT_UPPER}){_TOKEN_TAIL}")
"""One chord symbol with an upper-case root (the only kind read outside a marker that names chords)."""
TOKEN_ANY_CASE = re.compile(rf"(?<![\w#/])(?P<root>{_ROOT_ANY}){_TOKEN_TAIL}")
"""One chord symbol, the root in either case ("chords: am f c g")."""

SEPARATOR = re.compile(r"(?:\s*(?:\|+|,|->|→|>|/|-)\s*|\s+)+(?:(?:and|then|or|to)\s+)?", re.I)
"""What stands between the chords of a list: spaces, commas, bar lines, dashes, arrows, "and", "then"."""
_LEAD = re.compile(r"\s*(?::|=)?\s*(?:\|+\s*)?")
_TRAIL = re.compile(r"\s*\|+|\s+(?:chords?|changes|progression|sequence)\b", re.I)
_NOT_CHORDS = re.compile(
    r"\s*(?:-\s*)?(?:sections?|parts?|themes?|sides?|strings?|flats?|sharps?|keys?|notes?|naturals?|horns?|"
    r"clarinets?|trumpets?|cornets?|saxes|saxophones?|alto|tenor|tubas?|instruments?)\b", re.I
)
"""Words after a list of letters that say they are not chords ("A and B sections", "the G and D strings",
"Eb, Bb and F horns")."""
_MODE_WORD = re.compile(r"\s+(?P<word>major|minor)\b(?!\s+(?:key|scale|mode|tonality)\b)", re.I)
_ATTEMPT = re.compile(
    r"(?P<item>[A-Z][#b]?(?=[^\s,|.;:!?]*[0-9#+°øØΔ∆()/^])[^\s,|.;:!?]{0,12}|[H-Z][#b]?m)(?![^\s,|.;:!?])"
)
"""An item that was meant as a chord symbol (a capital and chord signs, or "Hm", "Xm") but is not one."""

_CHORDS_WORD = r"(?:chord\s+)?(?:progression|sequence|changes)|(?:main\s+)?chords?"
STRONG_MARKERS = re.compile(
    rf"\b(?:(?:{_CHORDS_WORD})\s*(?::|=|\b(?:is|are|was|were|goes|go|used\s+are|include|includes|of|like)\b)"
    r"|(?:with|using|over|on|from|in|to)\s+(?:the|a|this)\s+chord\s+(?:progression|sequence|changes)\b:?"
    rf"|(?:with|using|over|on|from|in)\s+(?:the\s+)?(?:(?:following|main)\s+)?chords?\b:?"
    r"|(?:built|based|centred|centered|set|written)\s+(?:around|on|over)\s+the\s+chords?\b)",
    re.I,
)
"""Markers that name chords: what follows is a list (one chord is enough), an unreadable symbol an error."""
WEAK_MARKERS = re.compile(
    r"\b(?:over|using|uses|use|chords|alternat(?:es|ing|e)\s+between(?:\s+the)?|revolv(?:es|ing|e)\s+around"
    r"(?:\s+the)?|(?:built|based|centred|centered)\s+(?:around|on)(?:\s+the)?|moves?\s+between(?:\s+the)?"
    r"|(?:vamps?|jams?|grooves?|drones?|riffs?)\s+(?:on|over|in))\b",
    re.I,
)
"""Markers that may lead a list ("over Am F C G"): two chords make one, or one that is more than a triad
("vamp on E7", "over Dm7"; "over Am" stays a key)."""
_VAMP = re.compile(r"\s+(?:vamp|jam|groove|drone|pedal|ostinato|chord|riff|loop|pad)\b", re.I)
"""Words after a lone chord that make it the harmony ("E7 vamp", "an E7#9 chord riff")."""
_TENSIONS = re.compile(r"(?:[#b+-]?(?:5|9|11|13)|add[0-9]+|sus[24]?|alt|maj|M|Δ|[()])+")
"""What may follow a known quality in a symbol Motif reads approximately ("7#11", "m13", "maj7#11b13")."""

_PER_BAR: tuple[tuple[re.Pattern[str], float], ...] = tuple((re.compile(p, re.I), v) for p, v in (
    (r"\b(?:two|2)\s+(?:chords?\s+)?(?:per|a|each|every|in\s+each|to\s+a|to\s+the|in\s+a)\s+"
     r"(?:bar|measure)\b", 2.0),
    (r"\b(?:a\s+|one\s+)?chords?\s+(?:change\s+|changes\s+)?every\s+half[\s-]*(?:a\s+)?(?:bar|measure)\b",
     2.0),
    (r"\b(?:chords?\s+)?(?:changes?|changing)\s+twice\s+(?:per|a|each)\s+(?:bar|measure)\b", 2.0),
    (r"\b(?:a|one|1)\s+chord\s+every\s+(?:two|2|other|second)\s+(?:bars?|measures?)\b", 0.5),
    (r"\b(?:each|every)\s+chord\s+(?:lasts\s+|lasting\s+|for\s+|held\s+for\s+|holds\s+for\s+)?(?:two|2)"
     r"\s+(?:bars|measures)\b", 0.5),
    (r"\b(?:two|2)\s+(?:bars|measures)\s+(?:per|a|each|for\s+each)\s+chord\b", 0.5),
    (r"\bchords?\s+(?:change|changes|changing)\s+every\s+(?:two|2|other)\s+(?:bars?|measures?)\b", 0.5),
    (rf"\b(?:a|one|1)\s+chord\s+(?:every|per|each)\s+(?:{NUMBER_PATTERN})\s+(?:bars|measures)\b", 0.25),
    (rf"\b(?:each|every)\s+chord\s+(?:lasts\s+|lasting\s+|for\s+|held\s+for\s+)?(?:{NUMBER_PATTERN})"
     r"\s+(?:bars|measures)\b", 0.25),
    (r"\b(?:one|1|a\s+single|a)\s+chord\s+(?:per|a|each|every|in\s+each)\s+(?:bar|measure)\b", 1.0),
    (r"\bchords?\s+(?:change|changes|changing)\s+every\s+(?:bar|measure)\b", 1.0),
))
"""The words for a harmonic rhythm -> chords per bar (`prompts.spec.CHORDS_PER_BAR`); 0.25 stands for a
chord held longer than two bars, which Motif plays as two (with a note)."""


@dataclass
class ChordList:
    """A list of chords found in the prompt: the symbols (normalised), their span, the chords in each bar."""

    symbols: list[str]
    start: int
    end: int
    bars: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> str:
        return " ".join(self.symbols)


def read_symbol(token: str) -> tuple[str, str | None]:
    """The normalised symbol of one chord as typed ("B♭Δ7" -> "Bbmaj7") and a note when it was approximated
    ("C7#11" -> "C7"); ValueError when `token` is not a chord symbol at all."""
    match = TOKEN_ANY_CASE.fullmatch(normalise(token.strip()))
    if match is None:
        raise ValueError(f"not a chord symbol: {token!r}")
    return symbol_of(match)


def symbol_of(match: re.Match[str]) -> tuple[str, str | None]:
    """The normalised symbol of a TOKEN match (see `read_symbol`)."""
    root = match.group("root").upper() + (match.group("acc") or "")
    written = match.group("suffix").replace("(", "").replace(")", "")
    quality = SUFFIXES.get(written)
    if quality is None and written in NEAREST:
        quality = NEAREST[written]
    elif quality is None:
        prefix = next((written[:n] for n in range(len(written) - 1, -1, -1) if written[:n] in SUFFIXES), "")
        if not _TENSIONS.fullmatch(written[len(prefix):]) or not any(c.isdigit() for c in written[len(prefix):]):
            raise ValueError(f"not a chord symbol: {match.group(0)!r}")
        quality = SUFFIXES[prefix]
    symbol = chord_symbol(root, quality, match.group("bass"))
    dropped = f"read {match.group(0)} as {symbol} (its extra tensions dropped)"
    return symbol, None if written in SUFFIXES else dropped


def read_list(text: str, start: int, token: re.Pattern[str] = TOKEN, words: bool = False) -> ChordList | None:
    """The chords written from `start` on (a marker's end or a symbol), or None when no chord stands there
    (`words`: a marker's list, where "C major" and "A minor" are chords too)."""
    lead = _LEAD.match(text, start)
    pos = lead.end() if lead else start
    symbols: list[str] = []
    bars: list[int] = [0]
    notes: list[str] = []
    first = end = pos
    while True:
        match = token.match(text, pos)
        if match is None or _starts_phrase(text, match):
            break
        try:
            symbol, note = symbol_of(match)
        except ValueError:
            break
        end = match.end()
        word = _MODE_WORD.match(text, end) if words and match.group(0) == match.group("root") + (
            match.group("acc") or "") else None
        if word is not None:
            symbol = chord_symbol(symbol, "min" if word.group("word").lower() == "minor" else "maj")
            end = word.end()
        if not symbols:
            first = match.start()
        symbols.append(symbol)
        notes += [note] if note else []
        bars[-1] += 1
        gap = SEPARATOR.match(text, end)
        if gap is None or gap.end() == end:
            break
        if "|" in gap.group(0) and bars[-1]:
            bars.append(0)
        pos = gap.end()
    if not symbols or _NOT_CHORDS.match(text, end):
        return None
    trail = _TRAIL.match(text, end)
    return ChordList(symbols, first, trail.end() if trail else end, [b for b in bars if b], notes)


def _starts_phrase(text: str, match: re.Match[str]) -> bool:
    """A bare letter that starts a known longer phrase ("E piano") is not a chord."""
    if match.group(0) != match.group("root"):
        return False
    phrase = phrase_at(text, match.start())
    return phrase is not None and len(phrase.text) > 1


def bar_rhythm(found: ChordList) -> tuple[list[str], float | None, str | None]:
    """The chords and chords per bar that "|" bar lines say ("| C G | Am F |" is two a bar, "C | G Am" is C
    held for the bar); (symbols, None, None) when no bar lines were written or every bar holds one chord."""
    if len(found.bars) < 2:
        return found.symbols, None, None
    most = max(found.bars)
    if most <= 1:
        return found.symbols, None, None
    if most > 2:
        return found.symbols, 2.0, f"Motif plays at most two chords a bar; playing {found.written} two a bar"
    symbols: list[str] = []
    index = 0
    for size in found.bars:
        chunk = found.symbols[index:index + size]
        symbols += chunk * 2 if size == 1 else chunk
        index += size
    return symbols, 2.0, None


def is_rich(symbol: str) -> bool:
    """More than a bare letter: an accidental, a quality or a bass ("Am", "Bb", "C/E"), rare in English."""
    return len(symbol) > 1


def is_extended(symbol: str) -> bool:
    """More than a major or minor triad ("E7", "Dm7", "C/E"): a chord even alone, where "Am" may be a key."""
    _, quality, bass = split_chord_symbol(symbol)
    return quality not in ("maj", "min") or bass is not None


def check_attempt(text: str, end: int, said: str) -> None:
    """Raise ParseError when the item after a chord list (or a marker) was meant as a chord but is not one."""
    gap = SEPARATOR.match(text, end)
    attempt = _ATTEMPT.match(text, gap.end() if gap else end)
    if attempt is None:
        return
    item = attempt.group("item")
    try:
        read_symbol(item)
    except ValueError:
        raise ParseError(
            f"Motif could not read the chord '{item}' in '{said.strip()}'. Write chords like C, Am, F#m7b5, "
            "Bbmaj7, G7/B, or Roman numerals like I-V-vi-IV."
        ) from None


def read_per_bar(mask: TextMask, notes: list[str]) -> float | None:
    """The harmonic rhythm the words state ("two chords per bar" is 2.0), taken from the mask, or None."""
    for pattern, value in _PER_BAR:
        for match in mask.finditer(pattern):
            mask.take(*match.span())
            if value < 0.5:
                notes.append(f"Motif holds a chord for at most two bars; read '{match.group(0)}' as two bars")
            return max(value, 0.5)
    return None


def find_marked(mask: TextMask) -> tuple[ChordList | None, bool, int]:
    """The first chord list after a marker: (list, whether the marker names chords, the marker's start)."""
    hits = [(m, True) for m in mask.finditer(STRONG_MARKERS)]
    hits += [(m, False) for m in mask.finditer(WEAK_MARKERS)]
    for marker, strong in sorted(hits, key=lambda hit: (hit[0].start(), not hit[1])):
        found = read_list(mask.text, marker.end(), TOKEN_ANY_CASE if strong else TOKEN, words=True)
        if found is not None and not strong and len(found.symbols) < 2 and not is_extended(found.symbols[0]):
            found = None
        if found is not None and strong and mask.text[found.start].islower() and (
                len(found.symbols) < 2 or mask.text[found.start:found.start + 2] == "a "):
            found = None
        if found is not None:
            return found, strong, marker.start()
        if strong:
            check_attempt(mask.text, marker.end(), mask.text[marker.start():marker.end() + 24])
    return None, False, -1


def find_bare(mask: TextMask) -> ChordList | None:
    """A run of chords without a marker: three or more symbols, at least one more than a bare letter, or two
    rich ones ("Am7 D7 groove"), or any written with bar lines."""
    past = 0
    for match in mask.finditer(TOKEN):
        if match.start() < past:
            continue  # inside a list already refused: no part of it is a better one
        found = read_list(mask.text, match.start())
        if found is None:
            continue
        past = found.end
        rich = sum(map(is_rich, found.symbols))
        lined = "|" in mask.text[found.start:found.end]
        if (len(found.symbols) >= 3 and rich) or rich >= 2 or (lined and len(found.symbols) >= 2):
            return found
        vamp = _VAMP.match(mask.text, found.end)
        if len(found.symbols) == 1 and is_extended(found.symbols[0]) and vamp:
            found.end = found.end if lookup(vamp.group(0)) else vamp.end()  # "groove" stays a mood
            return found
    return None


def find_chords(mask: TextMask) -> ChordList | None:
    """The prompt's chord list (a marked one first, else a bare run); its span and marker leave the mask."""
    found, strong, marker = find_marked(mask)
    if found is None:
        found = find_bare(mask)
        marker = found.start if found else -1
    if found is None:
        return None
    if strong:
        check_attempt(mask.text, found.end, mask.text[marker:found.end + 24])
    mask.take(min(marker, found.start), found.end)
    return found
