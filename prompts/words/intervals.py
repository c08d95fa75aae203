"""Intervals in words: "a fifth", "a minor third", "a whole tone", "2 semitones", "three half steps".

One vocabulary for every reader that hears a distance between keys: a remix's transposition ("up a fifth"),
a remix's key change at a bar ("key change up a tone at bar 9") and a prompt's lift into the last chorus ("with
a key change up a minor third"), so the same words always move the music the same distance.
"""

from __future__ import annotations

import re

from prompts.words.numbers import NUMBER_PATTERN, parse_number

INTERVALS: dict[str, int] = {
    "second": 2, "third": 4, "fourth": 5, "fifth": 7, "sixth": 9, "seventh": 11, "octave": 12, "tritone": 6,
    "semitone": 1, "half step": 1, "half tone": 1, "whole step": 2, "whole tone": 2, "step": 2, "tone": 2,
}
"""Interval words in semitones; an unqualified "third", "sixth" or "seventh" is major (as musicians mean it
when they say "up a third" of a key). "octave" is counted but not read as an amount: "up an octave" is a
register change, read elsewhere."""
QUALITY: dict[tuple[str, str], int] = {
    ("minor", "second"): 1, ("minor", "third"): 3, ("minor", "sixth"): 8, ("minor", "seventh"): 10,
    ("augmented", "fourth"): 6, ("diminished", "fifth"): 6, ("augmented", "fifth"): 8,
}
"""Qualified intervals that differ from the plain word's size ("a minor third" is 3, "a third" 4)."""
UNIT_SIZE: dict[str, int] = {"semitone": 1, "half step": 1, "half tone": 1, "fret": 1, "whole step": 2,
                             "whole tone": 2, "step": 2, "tone": 2}
"""Counted units in semitones ("3 semitones", "two whole steps", "2 frets")."""

_IV = (r"(?P<iv>second|third|fourth|fifth|sixth|seventh|tritone|semitone|half[\s-]?step|half[\s-]?tone"
       r"|whole[\s-]?step|whole[\s-]?tone|step|tone)")
_QUAL = r"(?:(?P<q>perfect|major|minor|augmented|diminished)\s+)?"
UNIT_PATTERN = r"(?P<unit>semitones?|half[\s-]?steps?|half[\s-]?tones?|whole[\s-]?steps?|whole[\s-]?tones?|steps?|tones?|frets?)"
"""A regex fragment for a counted unit, in group `unit`."""
AMOUNT_PATTERN = rf"(?:(?P<n>{NUMBER_PATTERN})\s+{UNIT_PATTERN}|(?:an?\s+|one\s+)?{_QUAL}{_IV})"
"""A regex fragment for an interval's size, counted ("2 semitones": groups `n`, `unit`) or named ("a minor
third": groups `q`, `iv`); read it with `amount_semitones`. Use it once per pattern (its groups are named)."""


def _words(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def amount_semitones(match: re.Match[str]) -> int | None:
    """The size in semitones (unsigned) of what AMOUNT_PATTERN matched; a bare count with no unit (a
    `transpose 3`) counts semitones. None when the match holds no amount (an optional one left out)."""
    groups = match.groupdict()
    if groups.get("n"):
        unit = _words(groups.get("unit") or "semitone").rstrip("s")
        count = parse_number(groups["n"])
        return None if count is None else count * UNIT_SIZE.get(unit, 1)
    if groups.get("iv"):
        name = _words(groups["iv"])
        return QUALITY.get(((groups.get("q") or "").lower(), name), INTERVALS[name])
    return None


__all__ = ["AMOUNT_PATTERN", "INTERVALS", "QUALITY", "UNIT_PATTERN", "UNIT_SIZE", "amount_semitones"]
