"""Number words: "eight", "twenty-four", "a dozen" -> 8, 24, 12.

Prompts say bar counts and meters in words as often as in digits, so the bar and meter patterns accept
either; this module owns the word list and its conversion.
"""

from __future__ import annotations

import re

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
SPECIAL: dict[str, int] = {"a dozen": 12, "dozen": 12, "a single": 1, "single": 1, "a couple of": 2, "a couple": 2,
                           "couple of": 2, "hundred": 100, "a hundred": 100, "one hundred": 100}

_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
_TENS_ALT = "|".join(TENS)
_SPECIAL_ALT = "|".join(re.escape(word) for word in sorted(SPECIAL, key=len, reverse=True))

NUMBER_PATTERN = (
    rf"(?:[0-9]+|{_SPECIAL_ALT}|(?:{_TENS_ALT})(?:[\s-]?(?:{_UNIT_ALT}))?|{_UNIT_ALT})"
)
"""A regex fragment (no groups) matching a number in digits or words; wrap it in a named group to use."""


def parse_number(text: str) -> int | None:
    """The integer value of a number written in digits or English words, or None if it is not one."""
    cleaned = " ".join(text.lower().replace("-", " ").split())
    if cleaned.isascii() and cleaned.isdigit():
        return int(cleaned) if len(cleaned) <= 12 else 10**12
    if cleaned in SPECIAL:
        return SPECIAL[cleaned]
    if cleaned in UNITS:
        return UNITS[cleaned]
    parts = cleaned.split(" ")
    if parts[0] in TENS and len(parts) <= 2:
        rest = parts[1] if len(parts) == 2 else None
        if rest is None:
            return TENS[parts[0]]
        if rest in UNITS and 0 < UNITS[rest] < 10:
            return TENS[parts[0]] + UNITS[rest]
    return None


DECIMAL_PATTERN = r"[0-9]+(?:\.[0-9]+)?"
"""A regex fragment (no groups) for a number that may have a decimal part ("120", "120.5")."""


def parse_decimal(text: str) -> float:
    """The value of digits with an optional decimal part; anything over 12 whole digits reads as 10**12."""
    whole, _, fraction = text.partition(".")
    if len(whole) > 12:
        return float(10**12)
    return float(f"{whole}.{fraction or 0}")


def written_negative(text: str, start: int) -> bool:
    """True when the number starting at `text[start]` carries a minus sign ("-4 bars", "tempo=-120").

    A hyphen that joins words ("lofi-4") is not a sign, and neither is a dash standing between phrases
    with spaces around it ("lofi - 8 bars"), so only a minus touching the digits and not a word counts.
    """
    if start < 1 or text[start - 1] != "-":
        return False
    return start == 1 or not (text[start - 2].isalnum() or text[start - 2] == "-")
