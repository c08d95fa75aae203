"""Phrase-based edits: instruments, drums, styles, moods and the lexicon's tempo/length/texture words.

The lexicon (`prompts.words.lexicon`) finds every known phrase; what an instrument phrase *means* depends on the
operator word in front of it, within the same clause: "remove the piano and bass" removes both, "swap the
sax for a trumpet" pairs the two, "use rhodes instead of piano" pairs them the other way round, "piano
only" is postfix. Comparatives ("darker", "jazzier") are read here too, before the phrase pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prompts.edit.read import Found, block, take
from prompts.edit.types import Edit
from prompts.scan import TextMask
from prompts.spec import Spec
from prompts.words.instruments import SYNONYMS
from prompts.words.lexicon import PhraseHit, find_phrases
from prompts.words.timing import TEMPO_WORDS, tempo_in_range

_SYNTH_LEADS = sorted({word[: -len(" lead")] for word in SYNONYMS if word.endswith(" lead")})
LEAD_AFTER = ("".join(rf"(?<!\b{re.escape(name)}\s)" for name in _SYNTH_LEADS)
              + r"(?:leads?|leading|takes?\s+(?:over\s+)?the\s+(?:lead|melody|tune)|plays?\s+the\s+(?:lead|melody|tune)"
                r"|carr(?:y|ies)\s+the\s+(?:lead|melody|tune)|on\s+(?:the\s+)?(?:lead|melody|tune)|as\s+(?:the\s+)?lead)")
"""Words after an instrument that give it the tune ("let the flute lead", "the piano takes the melody", "sax on
the melody"); a synth lead's own name ("square lead") is an instrument, not this."""

OPERATORS: dict[str, str] = {
    "remove": r"no\s+more|no\s+longer|not\s+any|turn\s+off|switch\s+off|shut\s+off|remove|without|no|drop|lose|mute"
              r"|ditch|minus|kill|cut(?:\s+out)?|get\s+rid\s+of|take\s+(?:out|away)|leave\s+out|strip\s+out|silence|w/o|sans"
              r"|skip|delete|stop",
    "swap": r"swap(?:\s+out)?|switch(?:\s+out)?|replace|substitute|exchange|trade|change|turn",
    "instead": r"instead\s+of|rather\s+than|in\s+place\s+of",
    "less": r"less|fewer|not\s+so|not\s+as|too",
    "only": r"only|just|solo|alone|unaccompanied|by\s+itself|on\s+its\s+own|nothing\s+but",
    "lead_after": LEAD_AFTER,
    "lead": r"played\s+(?:on|by)|play\s+it\s+on|on|led\s+by|give\s+(?:the\s+)?(?:melody|tune|lead)\s+to"
            r"|hand\s+(?:the\s+)?(?:melody|tune|lead)\s+to",
    "add": r"add|adding|with|plus|include|including|bring\s+in|throw\s+in|put\s+in|feature|featuring|layer|more|some|&|\+",
}
"""Operator words by meaning; earlier entries win where they overlap ("turn off" before "turn")."""
_OPERATOR = re.compile(
    r"(?<![\w/])(?:" + "|".join(f"(?P<{name}>{alt})" for name, alt in OPERATORS.items()) + r")(?![\w/])", re.I)
_BOUNDARY = re.compile(r"[;.!?]|\b(?:then|but|also)\b", re.I)
"""Clause ends: an operator reaches no further. Commas are not ends, so "remove the piano, sax and bass" lists."""

COMPARATIVE_MOODS: dict[str, str] = {
    "darker": "dark", "darken": "dark", "gloomier": "dark", "grimmer": "dark", "happier": "happy",
    "brighter": "happy", "cheerier": "happy", "cheerful": "happy", "sunnier": "happy", "sadder": "sad",
    "calmer": "calm", "softer": "calm", "gentler": "calm", "quieter": "calm", "relaxed": "calm", "chiller": "chill",
    "mellower": "chill", "spookier": "spooky", "creepier": "spooky", "scarier": "spooky", "eerier": "spooky",
    "moodier": "moody", "dreamier": "dreamy", "angrier": "angry", "warmer": "warm", "sweeter": "warm",
    "jollier": "festive", "grander": "epic", "bigger": "epic", "livelier": "energetic", "lively": "energetic",
    "punchier": "energetic", "more energy": "energetic", "tenser": "tense", "more tension": "tense",
    "groovier": "groovy", "more hopeful": "hopeful", "sombre": "somber",
}
COMPARATIVE_STYLES: dict[str, str] = {
    "jazzier": "jazz", "funkier": "funk", "bluesier": "blues", "rockier": "rock", "folkier": "folk",
    "poppier": "pop", "more classical": "classical", "more cinematic": "cinematic",
}
OPPOSITE_MOODS: dict[str, str] = {
    "sad": "happy", "dark": "hopeful", "moody": "happy", "melancholic": "hopeful", "somber": "hopeful",
    "spooky": "peaceful", "tense": "calm", "angry": "calm", "energetic": "calm", "epic": "calm", "dramatic": "calm",
    "happy": "melancholic", "festive": "calm", "playful": "calm", "calm": "energetic", "chill": "energetic",
    "peaceful": "energetic", "dreamy": "energetic", "triumphant": "calm", "groovy": "calm",
}
"""What "less X" asks for: the mood pulling the other way."""

_DEGREE = r"(?:(?:a\s+(?:bit|little|lot)|much|even|way|slightly|somewhat)\s+)?"
_COMPARATIVE = re.compile(
    rf"\b{_DEGREE}(?P<w>" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                    for w in sorted({**COMPARATIVE_MOODS, **COMPARATIVE_STYLES}, key=len, reverse=True))
    + r")\b", re.I)
_INSTRUMENT_KINDS = ("instrument", "approx", "group")
_POSTFIX_OFF = re.compile(r"\s*(?:off|out|gone)\b", re.I)


@dataclass
class Operator:
    """An operator word in the instruction, the clause it is in, and the hits it has claimed."""

    name: str
    start: int
    end: int
    text: str
    clause: int


def read_comparatives(mask: TextMask, parent: Spec) -> list[Found]:
    """ "darker", "a bit happier", "jazzier": a mood (or style) edit each."""
    found: list[Found] = []
    for match in mask.finditer(_COMPARATIVE):
        word = " ".join(match.group("w").lower().split())
        if word in COMPARATIVE_STYLES:
            found.append(take(mask, match, "style", {"genre": COMPARATIVE_STYLES[word]}))
        else:
            found.append(take(mask, match, "mood", {"mood": COMPARATIVE_MOODS[word]}))
    return found


def read_phrases(mask: TextMask, parent: Spec) -> list[Found]:
    """Every lexicon phrase left in the instruction, read with the operator in front of it."""
    boundaries = [m.start() for m in _BOUNDARY.finditer(mask.text)]
    original = mask.text
    operators = []
    for match in mask.finditer(_OPERATOR):
        name = next(key for key, value in match.groupdict().items() if value)
        clause = sum(1 for b in boundaries if b < match.start())
        operators.append(Operator(name, match.start(), match.end(), " ".join(match.group(0).split()), clause))
        block(mask, *match.span())
    hits = find_phrases(mask)
    clauses = {id(hit): sum(1 for b in boundaries if b < hit.start) for hit in hits}
    found, claimed = _pair_swaps(hits, operators, clauses, original)
    groups: dict[tuple[int, str], list[PhraseHit]] = {}
    for hit in hits:
        if id(hit) in claimed:
            continue
        operator = _operator_for(hit, operators, clauses[id(hit)], original)
        if hit.phrase.kind in _INSTRUMENT_KINDS:
            key = (operators.index(operator) if operator else -1 - hit.start, operator.name if operator else "")
            groups.setdefault(key, []).append(hit)
        else:
            found += _other_edit(hit, operator, original)
    for (index, name), members in groups.items():
        found.append(_instrument_edit(members, name, operators[index] if index >= 0 else None, original))
    return found


def _operator_for(hit: PhraseHit, operators: list[Operator], clause: int, text: str) -> Operator | None:
    """A postfix "only" / "off" right after the hit, else the nearest operator before it in its clause."""
    postfix = _POSTFIX_OFF.match(text, hit.end)
    if postfix:
        return Operator("remove", postfix.start(), postfix.end(), postfix.group(0).strip(), clause)
    for op in operators:
        if op.name in ("only", "lead_after") and op.start >= hit.end and not text[hit.end:op.start].strip():
            return op
    before = [op for op in operators if op.end <= hit.start and op.clause == clause
              and op.name not in ("instead", "lead_after")]
    return before[-1] if before else None


def _pair_swaps(hits: list[PhraseHit], operators: list[Operator], clauses: dict[int, int],
                text: str) -> tuple[list[Found], set[int]]:
    """ "swap/replace X for/with Y" and "Y instead of X": (old, new) instrument pairs, claimed before the rest."""
    found: list[Found] = []
    claimed: set[int] = set()
    for op in operators:
        if op.name not in ("swap", "instead"):
            continue
        same = [h for h in hits if h.phrase.kind in _INSTRUMENT_KINDS and clauses[id(h)] == op.clause
                and id(h) not in claimed]
        after = [h for h in same if h.start >= op.end]
        if op.name == "swap":
            pair = (after[0], after[1]) if len(after) >= 2 else None
        else:
            before = [h for h in same if h.end <= op.start]
            pair = (after[0], before[-1]) if after and before else (after[0], after[1]) if len(after) >= 2 else None
        if pair is None:
            continue
        old, new = pair
        claimed |= {id(old), id(new)}
        start, end = min(op.start, old.start, new.start), max(op.end, old.end, new.end)
        params = {"op": "swap", "old": _part(old), "new": _part(new)}
        found.append((start, Edit("instruments", params, " ".join(text[start:end].split()))))
    return found, claimed


def _part(hit: PhraseHit) -> dict[str, object]:
    phrase = hit.phrase
    if phrase.kind == "group":
        return {"word": phrase.text, "group": str(phrase.value)}
    return {"word": phrase.text, "program": int(phrase.value), "approximate": phrase.kind == "approx"}


def _span_text(text: str, members: list[PhraseHit], operator: Operator | None) -> tuple[int, str]:
    start = min([m.start for m in members] + ([operator.start] if operator else []))
    end = max([m.end for m in members] + ([operator.end] if operator else []))
    return start, " ".join(text[start:end].split())


def _instrument_edit(members: list[PhraseHit], name: str, operator: Operator | None, text: str) -> Found:
    """One Edit for the instruments an operator governs ("remove the piano and bass" -> one removal)."""
    start, words = _span_text(text, members, operator)
    if name == "less":
        return start, Edit("note", {"message": f"did not understand '{words}' (try 'remove the piano')"}, words)
    parts = [_part(m) for m in members]
    ensemble = all(m.phrase.kind == "group" for m in members)
    op = {"remove": "remove", "only": "only", "lead": "lead", "lead_after": "lead"}.get(name)
    if name in ("swap", "instead"):
        op = "only" if ensemble else "lead"
    elif op is None:
        op = "only" if not name and ensemble else "add"
    return start, Edit("instruments", {"op": op, "parts": parts}, words)


def _other_edit(hit: PhraseHit, operator: Operator | None, text: str) -> list[Found]:
    """Drums, genres, moods and the lexicon's tempo/length/density/register words."""
    phrase, name = hit.phrase, operator.name if operator else ""
    start, words = _span_text(text, [hit], operator if name in ("remove", "less", "add", "only") else None)
    negated = name in ("remove", "less")
    if phrase.kind in ("drums", "no_drums"):
        return [(start, Edit("drums", {"on": phrase.kind == "drums" and not negated}, words))]
    if phrase.kind == "mood" and negated:
        opposite = OPPOSITE_MOODS.get(str(phrase.value))
        if opposite is None:
            return [(start, Edit("note", {"message": f"ignored '{words}'"}, words))]
        return [(start, Edit("mood", {"mood": opposite}, words))]
    if negated or phrase.kind == "solo":
        return [(start, Edit("note", {"message": f"ignored '{words}'"}, words))]
    value = phrase.value
    if phrase.kind == "genre":
        return [(start, Edit("style", {"genre": str(value)}, words))]
    if phrase.kind == "mood":
        return [(start, Edit("mood", {"mood": str(value)}, words))]
    if phrase.kind == "tempo":
        low, high = TEMPO_WORDS[str(value)]
        return [(start, Edit("tempo", {"op": "set", "bpm": tempo_in_range(low, high)}, words))]
    if phrase.kind == "length":
        return [(start, Edit("length", {"op": "set", "bars": int(value)}, words))]
    if phrase.kind == "density":
        return [(start, Edit("density", {"op": "set", "density": float(value)}, words))]
    return [(start, Edit("register", {"op": "set", "register": int(value)}, words))]
