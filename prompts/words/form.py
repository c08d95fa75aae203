"""Form in a prompt: the sections a piece is made of, and how it ends.

"AABA", "ABAC form", "verse-chorus", "intro, verse, chorus, outro", "with an intro and an outro", "8-bar verse
and 8-bar chorus", "a 4-bar intro", "with a bridge"; "end on a half cadence"; "loopable" / "that loops" (the
last bar leads back into the first). `read_form` takes these words from the `TextMask` (before the bar-count
reader, so "8-bar verse" is a section's length, not the piece's); `fit_form` gives each section its bars,
sections of one name always alike in length so they can be played alike; "a key change (up a tone) for the
last chorus" moves the key from that section on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from prompts.scan import TextMask
from prompts.spec import Section
from prompts.words.chords import TOKEN, read_list
from prompts.words.intervals import AMOUNT_PATTERN, amount_semitones

NAMES: dict[str, str] = {
    "intro": "intro", "introduction": "intro", "verse": "verse", "verses": "verse", "prechorus": "pre-chorus",
    "chorus": "chorus", "choruses": "chorus", "refrain": "chorus", "bridge": "bridge", "middle eight": "bridge",
    "middle 8": "bridge", "outro": "outro", "coda": "outro",
}
"""The words for a section, as they are said, and the section they name."""
DEFAULT_BARS: dict[str, int] = {"intro": 4, "outro": 4, "pre-chorus": 4}
"""A section's bars when nothing says otherwise (the rest: 8, the usual phrase pair)."""
SECTION_BARS = 8

_SECTION = re.compile(
    r"\b(?:(?:an?|the)\s+)?(?:(?P<bars>\d{1,2})[- ]?bars?\s+(?:long\s+)?)?"
    r"(?P<name>pre[- ]?chorus|introduction|intro|verses|verse|choruses|chorus|refrain|bridge|middle\s+(?:eight|8)"
    r"|outro|coda)\b(?:\s+of\s+(?P<after>\d{1,2})\s+bars?\b)?", re.I)
_LETTERS = re.compile(r"(?<![\w'-])(?P<form>[A-D](?:-?[A-D]){2,7})(?![\w'-])")
_NAMED_LETTERS = re.compile(r"(?<![\w'-])(?P<form>[a-dA-D](?:-?[a-dA-D]){1,7})\s+(?:song\s+)?(?:form|structure)\b")
_SECTION_CHORDS = re.compile(
    r"\b(?:(?P<the>the|an?)\s+)?(?:(?P<name>pre[- ]?chorus|introduction|intro|verses|verse|choruses|chorus|refrain"
    r"|bridge|middle\s+(?:eight|8)|outro|coda)|(?-i:(?P<letter>[A-D])))(?P<part>\s+(?:section|part))?"
    r"(?P<marker>\s*:|\s+(?:is\s+|goes\s+|plays\s+|will\s+be\s+)?(?:over|on|uses?|using|with)"
    r"(?:\s+the)?(?:\s+chords?)?\b)", re.I)
_FORM_WORD = re.compile(r"\b(?:in\s+)?(?:(?:a|the)\s+)?(?:song\s+)?(?:form|structure)\b", re.I)
_HALF = re.compile(r"\b(?:(?:end(?:s|ing)?|clos(?:e|es|ing)|finish(?:es|ing)?)\s+(?:on|with)\s+)?(?:an?\s+)?"
                   r"half[- ]?cadence\b", re.I)
_LOOP = re.compile(r"\b(?:loop-?able|seamless(?:ly)?\s+loop(?:ing|s|ed)?|that\s+loops|(?:it\s+)?loops\s+"
                   r"(?:back|around|seamlessly)|make\s+it\s+loop|as\s+a\s+loop|looping)\b", re.I)
_KEY_CHANGE = re.compile(
    r"\b(?:with\s+)?(?:an?\s+)?(?:key\s+change|modulation|modulates?|modulating|truck\s+driver'?s?\s+(?:key\s+|gear\s+)?"
    r"change)(?:\s+(?P<dir>up|down))?"
    rf"(?:\s+(?:by\s+)?{AMOUNT_PATTERN})?(?:\s+(?:for|in|at|on|into|before)\s+(?:the\s+)?"
    r"(?:last|final)\s+(?P<target>chorus|refrain|verse|section|A))?", re.I)
KEY_CHANGE_SEMITONES = 2
"""A key change the user did not size: up a whole tone, the usual lift into a last chorus."""


@dataclass
class FormRequest:
    """What a prompt says about form: the sections in order (name, bars or None where unsaid), the ending
    ("half", "loop" or None) and whether it asked for a key change (heard, not yet played)."""

    sections: list[tuple[str, int | None]] = field(default_factory=list)
    ending: str | None = None
    key_change: int = 0
    """Semitones the key moves for the last chorus (or last section), 0: no change."""
    key_target: str | None = None
    said: str = ""
    chords: dict[str, list[str]] = field(default_factory=dict)
    """The chords the user gave a section ("verse over Am F C G"), by section name."""

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sections]


def read_section_chords(mask: TextMask) -> dict[str, list[str]]:
    """Chords given to a section ("verse over Am F C G, chorus over C G Am F", "the B section: F G Em Am"), read
    before the piece's progression so each list stays with its section. The marker and the chords leave the
    mask; a section's name stays for `read_form` to place it (a letter, which only points at a section of
    the letter form, leaves too)."""
    found: dict[str, list[str]] = {}
    for match in mask.finditer(_SECTION_CHORDS):
        letter = match.group("letter")
        if letter and not (match.group("the") or match.group("part")):
            continue  # a bare capital letter is a chord or a key more often than a section
        chords = read_list(mask.text, match.end(), TOKEN, words=True)
        if chords is None or chords.start - match.end() > 2:
            continue
        name = letter or NAMES[_word(match.group("name"))]
        found.setdefault(name, chords.symbols)
        mask.take(match.start() if letter else match.start("marker"), chords.end)
    return found


def _word(name: str) -> str:
    return re.sub(r"[\s-]+", " ", name.lower()).replace("pre chorus", "prechorus")


FRAMES = frozenset({"intro", "outro"})
_WITH_FRAME = re.compile(
    r"\b(?:with|add(?:ing)?|plus|and|then|before|after)\s+(?:an?\s+|the\s+|its\s+)?(?:[0-9]+[\s-]*bars?\s+)?"
    r"(?:intro|introduction|outro|coda|ending)\b", re.I)
"""An intro or outro the piece has ("with an intro and an outro"), rather than one the piece is."""


def read_form(mask: TextMask, chords: dict[str, list[str]] | None = None) -> FormRequest | None:
    """The form the prompt asks for (its words taken from `mask`), or None when it says nothing of form;
    `chords`: what `read_section_chords` found, given to the sections they name."""
    request = FormRequest(chords=dict(chords or {}))
    if _take(mask, _HALF):
        request.ending = "half"
    if _take(mask, _LOOP):
        request.ending = "loop"
    _read_key_change(request, _take(mask, _KEY_CHANGE))
    letters = _read_letters(mask)
    named = _read_named(mask)
    if not letters and named and {name for name, _ in named} <= FRAMES and not _WITH_FRAME.search(mask.original):
        named = []  # "an intro for my podcast", "an outro, 4 bars": the piece is one, not a piece with one
    if letters or named:
        request.sections = _arrange(letters, named)
        request.said = " ".join(name for name, _ in request.sections)
        _take(mask, _FORM_WORD)
    elif request.key_change and request.key_target == "chorus":
        request.sections = [("verse", None), ("chorus", None), ("chorus", None)]  # a last chorus: there are two
        request.said = "verse chorus chorus"
    if not request.sections and request.ending is None and not request.key_change and not request.chords:
        return None
    return request


def _read_key_change(request: FormRequest, found: list[re.Match[str]]) -> None:
    if not found:
        return
    match = found[0]
    size = max(1, min(amount_semitones(match) or KEY_CHANGE_SEMITONES, 11))
    request.key_change = -size if (match.group("dir") or "").lower() == "down" else size
    target = (match.group("target") or "").lower()
    request.key_target = {"refrain": "chorus", "a": "A", "section": None, "": None}.get(target, target)


def _take(mask: TextMask, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = list(mask.finditer(pattern))
    for match in found:
        mask.take(match.start(), match.end())
    return found


NOT_FORMS: frozenset[str] = frozenset({"ABBA"})
"""Letter strings that name something else when "form" does not follow ("a disco song like ABBA"); with
"form" after them any letters are the user's form ("AAC form")."""


def labels_in_order(letters: str) -> bool:
    """Whether a letter string is labelled as forms are: from A, each new section the next letter (AABA,
    ABAC), so words and names made of A-D ("DAD", "ADD", "CAB") are not read as forms."""
    seen = ""
    for letter in letters:
        if letter not in seen:
            if letter != "ABCD"[len(seen)]:
                return False
            seen += letter
    return True


def _read_letters(mask: TextMask) -> list[tuple[str, int | None]]:
    """A letter form ("AABA", "A-B-A", "abac form"): the first one said."""
    for pattern in (_NAMED_LETTERS, _LETTERS):
        for match in mask.finditer(pattern):
            letters = match.group("form").replace("-", "").upper()
            if pattern is _LETTERS and (not labels_in_order(letters) or letters in NOT_FORMS):
                continue  # without "form" after it, only a string labelled as forms are is one
            mask.take(match.start("form"), match.end("form"))
            return [(letter, None) for letter in letters]
    return []


def _read_named(mask: TextMask) -> list[tuple[str, int | None]]:
    """Named sections in the order said, with their bars where said ("an 8-bar verse", "a verse of 8 bars")."""
    named: list[tuple[str, int | None]] = []
    for match in _take(mask, _SECTION):
        bars = match.group("bars") or match.group("after")
        named.append((NAMES[_word(match.group("name"))], int(bars) if bars else None))
    return named


def _arrange(letters: list[tuple[str, int | None]], named: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """The sections in playing order: an intro first and an outro last; the body is the letter form, else the
    named sections as said, else one section ("A") the style fills; a bridge alone sits between two As."""
    intro = [s for s in named if s[0] == "intro"][:1]
    outro = [s for s in named if s[0] == "outro"][:1]
    body = letters or [s for s in named if s[0] not in ("intro", "outro")]
    if letters:
        body = letters
    elif [name for name, _ in body] == ["bridge"]:
        body = [("A", None), body[0], ("A", None)]
    elif [name for name, _ in body] == ["chorus"]:
        body = [("verse", None), body[0]]
    if not body:
        body = [("A", None)]
    return intro + body + outro


def fit_form(request: FormRequest, total: int | None, max_bars: int, notes: list[str]) -> tuple[Section, ...]:
    """Each section's bars: as said; else shared out of the total the user stated (in proportion to the usual
    lengths: an intro half a verse); else the usual lengths. Sections of one name get one length, so a total
    that cannot be shared that way is moved to the nearest that can, with a note, as is a form longer than
    `max_bars` (shrunk to fit)."""
    said: dict[str, int] = {}
    for name, bars in request.sections:
        if bars is not None:
            said.setdefault(name, bars)
    names = list(dict.fromkeys(request.names))
    count = {name: request.names.count(name) for name in names}
    usual = {name: said.get(name, DEFAULT_BARS.get(name, SECTION_BARS)) for name in names}
    target = total
    if target is None and sum(count[n] * usual[n] for n in names) > max_bars:
        target = max_bars
    lengths = dict(usual) if target is None else _share(names, count, usual, said, target)
    given = {name: tuple(chords) for name, chords in request.chords.items()}
    sections = tuple(Section(name, min(lengths[name], max_bars), given.get(name, ())) for name in request.names)
    got = sum(s.bars for s in sections)
    if got > max_bars:
        lengths = _share(names, count, usual, {}, max_bars)
        sections = tuple(Section(name, lengths[name], given.get(name, ())) for name in request.names)
        got = sum(s.bars for s in sections)
    shape = ", ".join(f"{s.label} {s.bars}" for s in sections)
    if total is not None and got != total:
        notes.append(f"the form {request.said} holds {got} bars, not {total} (sections of one name keep one "
                     f"length): {shape}")
    elif total is None:
        notes.append(f"{got} bars: {shape}")
    return _change_key(request, sections, notes) if request.key_change else sections


def _change_key(request: FormRequest, sections: tuple[Section, ...], notes: list[str]) -> tuple[Section, ...]:
    """The sections with the key moved from the last chorus (or the section named, else the last one before an
    outro) to the end."""
    names = [s.name for s in sections]
    target = request.key_target if request.key_target in names else "chorus" if "chorus" in names else None
    body = [i for i, name in enumerate(names) if name != "outro"] or [len(names) - 1]
    first = max(i for i, name in enumerate(names) if name == target) if target else body[-1]
    if first == 0:
        notes.append("a key change needs a section before it: the piece stays in one key")
        return sections
    shift = request.key_change
    notes.append(f"key change: from the last {sections[first].name} (bar "
                 f"{sum(s.bars for s in sections[:first]) + 1}) {'up' if shift > 0 else 'down'} {abs(shift)} "
                 f"semitone{'s' if abs(shift) > 1 else ''}")
    return tuple(replace(s, shift=shift) if i >= first else s for i, s in enumerate(sections))


def _share(names: list[str], count: dict[str, int], usual: dict[str, int], said: dict[str, int],
           total: int) -> dict[str, int]:
    """Lengths for the sections not said, out of what the said ones leave of `total`."""
    lengths = {name: said[name] for name in names if name in said}
    free = [name for name in names if name not in said]
    if not free:
        return lengths
    rest = total - sum(count[n] * lengths[n] for n in lengths)
    weight = sum(count[n] * usual[n] for n in free)
    unit = max(rest, 0) / weight
    for name in free:
        lengths[name] = max(1, math.floor(usual[name] * unit))
    left = total - sum(count[n] * lengths[n] for n in names)
    order = sorted(free, key=lambda n: (count[n], -usual[n], names.index(n)))
    while left > 0:
        name = next((n for n in order if count[n] <= left), None)
        if name is None:
            break
        lengths[name] += 1
        left -= count[name]
        order = order[1:] + order[:1]
    return lengths


__all__ = ["FormRequest", "fit_form", "read_form", "read_section_chords"]
