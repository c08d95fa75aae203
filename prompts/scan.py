"""A prompt being read: the text with the parts already understood blanked out.

Each reader (tempo, meter, bars, key, phrases) takes what it understands; blanking keeps positions stable
and stops a later reader from reading the same words twice ("12-bar blues" is a bar count, not a meter;
"drum and bass" is a genre, not two instruments). What is left at the end is what the rules did not know.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

SYMBOLS: dict[str, str] = {
    "\u266f": "#",  # sharp sign
    "\u266d": "b",  # flat sign
    "\u2669": "q",  # quarter note
    "\u2013": "-",
    "\u2014": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2044": "/",
    "\u2212": "-",  # minus sign
}

_TRANSLATION = str.maketrans(SYMBOLS)


def normalise(text: str) -> str:
    """The text every reader sees: NFKC first, so fullwidth and other compatibility forms ("ｊａｚｚ ｉｎ Ｄ",
    "＃", ligatures) are plain letters, then music symbols and typographic dashes/quotes as ASCII, so one set
    of patterns reads them all."""
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATION)


class TextMask:
    """The prompt as a reader sees it: `text` with consumed spans replaced by spaces (same length)."""

    def __init__(self, text: str) -> None:
        self.text = normalise(text)
        self.original = self.text
        """The normalised prompt before anything was taken (a reader may ask what stood beside its words)."""

    def take(self, start: int, end: int) -> None:
        """Mark text[start:end] as understood so no later reader sees it."""
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches of `pattern` in the current text (a snapshot: taking spans does not disturb iteration)."""
        return iter(list(pattern.finditer(self.text)))

    def before(self, index: int, chars: int = 24) -> str:
        """Up to `chars` characters of current text ending at `index` (for negation checks like "no drums")."""
        return self.text[max(0, index - chars):index]

    def words(self) -> list[str]:
        """The words nobody has understood yet, lower-cased, in order."""
        return [w.lower() for w in re.findall(r"[^\W_]+(?:['&+][^\W_]+)*", self.text)]
