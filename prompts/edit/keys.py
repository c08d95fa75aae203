"""Key changes in a remix instruction: intervals ("up a fifth", "down 2 semitones"), target keys
("transpose to E", "in Bb minor"), modes ("to minor", "make it dorian") and relative keys.

Targets and modes are read with the prompt reader's key grammar (`prompts.words.keys`) once the edit-only
phrasings are taken, so "in Bb", "B flat minor" and "key of G" mean the same here as in a prompt.
"""

from __future__ import annotations

import re

from prompts.edit.read import Found, take
from prompts.edit.types import Edit, EditError
from prompts.scan import TextMask
from prompts.spec import Spec
from prompts.words.intervals import AMOUNT_PATTERN, amount_semitones
from prompts.words.keys import MODE_WORDS, mode_name, read_key, tonic_name

MAX_TRANSPOSE = 24
"""Largest transposition (semitones) an edit may ask for; beyond two octaves the ranges break."""

_VERB = r"(?:(?:transpose|shift|move|take|put|bring|pitch|modulate)\s+(?:it\s+|this\s+|everything\s+|the\s+(?:whole\s+)?(?:piece|thing|key|tune)\s+)?)?"
_INTERVAL = (
    re.compile(rf"\b{_VERB}(?P<dir>up|down)\s+(?:by\s+)?{AMOUNT_PATTERN}\b", re.I),
    re.compile(rf"\b{_VERB}(?:by\s+)?{AMOUNT_PATTERN}\s+(?P<dir>up|down|higher|lower)\b", re.I),
    re.compile(r"\btranspose\s+(?:it\s+|this\s+)?(?:by\s+)?(?P<sign>[+-])?(?P<n>[0-9]+)(?:\s*semitones?)?(?![\w/])", re.I),
)
_NOTE = r"(?<![\w#])(?P<letter>[A-Ga-g])(?P<acc>\s?-?\s?(?:sharp|flat)\b|#|b(?![a-ln-z]))?"
_MODE_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(MODE_WORDS, key=len, reverse=True))
_TARGET = re.compile(
    r"\b(?:transpose|move|shift|change|put|modulate|switch|take|bring|go(?:\s+back)?|return|back)\s+(?:it\s+|this\s+|everything\s+|the\s+key\s+)?"
    r"(?:(?P<dir>up|down)\s+)?(?:to|into|in)\s+(?:the\s+key\s+of\s+)?"
    rf"{_NOTE}(?:\s*-?\s*(?P<mode>{_MODE_ALT})\b|(?P<minor>m)(?![\w#-]))?(?![\w#-])", re.I)
_RELATIVE = re.compile(r"\b(?:the\s+|its\s+)?relative\s+(?P<mode>major|minor)\b", re.I)


def _interval(match: re.Match[str]) -> int:
    semitones = amount_semitones(match)
    if semitones is None:
        raise EditError(f"Motif could not read '{match.group(0)}' as an interval.")
    groups = match.groupdict()
    sign = groups.get("sign") or groups.get("dir") or "+"
    return -semitones if sign.lower() in ("-", "down", "lower") else semitones


def read_intervals(mask: TextMask, parent: Spec) -> list[Found]:
    """Transpositions by an interval: "up a fifth", "down 2 semitones", "a whole step up", "transpose -3"."""
    found: list[Found] = []
    for pattern in _INTERVAL:
        for match in mask.finditer(pattern):
            semitones = _interval(match)
            if abs(semitones) > MAX_TRANSPOSE:
                raise EditError(f"Motif transposes by at most {MAX_TRANSPOSE} semitones; you asked for {abs(semitones)}.")
            found.append(take(mask, match, "key", {"op": "transpose", "semitones": semitones}))
    return found


def read_targets(mask: TextMask, parent: Spec) -> list[Found]:
    """ "transpose to E", "move it up to G minor", "the relative minor", then any key the prompt grammar reads."""
    found: list[Found] = []
    for match in mask.finditer(_TARGET):
        mode = "minor" if match.group("minor") else mode_name(match.group("mode"))  # "to dm", "to f#m"
        if match.group("letter") == "a" and not match.group("acc") and not mode:
            continue
        params: dict[str, object] = {"op": "tonic", "tonic": tonic_name(match.group("letter"), match.group("acc")),
                                     "mode": mode}
        if match.group("dir"):
            params["direction"] = match.group("dir").lower()
        found.append(take(mask, match, "key", params))
    for match in mask.finditer(_RELATIVE):
        found.append(take(mask, match, "key", {"op": "relative", "mode": match.group("mode").lower()}))
    found += _read_named_key(mask)
    return found


def _read_named_key(mask: TextMask) -> list[Found]:
    """A key or mode said the way a prompt says it ("in Bb", "D minor", "to minor", "make it dorian")."""
    before = mask.text
    reading = read_key(mask)
    if reading.tonic is None and reading.mode is None:
        return []
    changed = [i for i, (a, b) in enumerate(zip(before, mask.text, strict=True)) if a != b]
    start, end = changed[0], changed[-1] + 1
    text = " ".join(before[start:end].split())
    if reading.tonic is None:
        return [(start, Edit("key", {"op": "mode", "mode": reading.mode}, text))]
    return [(start, Edit("key", {"op": "tonic", "tonic": reading.tonic, "mode": reading.mode}, text))]
