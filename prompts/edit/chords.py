"""Chord edits in a remix: "change the chords to Am F C G", "use a ii-V-I", "play it over a 12-bar blues",
"two chords per bar", "jazzier chords", "simpler chords", "keep the chords".

The symbols, numerals and named progressions are read by the prompt's own readers (`prompts.words.chords`,
`prompts.words.progressions`), so a remix understands every chord a prompt does; numerals and named
progressions are realised in the key the remix is in. A chord edit keeps the melody's rhythm and contour
(the composer fits its pitches to the new chords: `composer.remix.refit`) and re-arranges the rest.
"""

from __future__ import annotations

import math
import re

from prompts.edit.draft import KEEP_MELODY, Draft
from prompts.edit.read import Found, block
from prompts.edit.types import Edit, EditError, recolour
from prompts.errors import ParseError
from prompts.limits import MAX_CHORDS
from prompts.scan import TextMask
from prompts.spec import Spec
from prompts.words.chords import (
    TOKEN,
    TOKEN_ANY_CASE,
    bar_rhythm,
    check_attempt,
    is_extended,
    read_list,
    read_per_bar,
)
from prompts.words.progressions import PROGRESSION_TRAIL, Progression, fits_key, named_at, numerals_at

WORDS: frozenset[str] = frozenset("""
reharmonise reharmonize reharmonised reharmonized jazzier richer lusher fancier colourful colorful jazzy triads
triad sevenths seventh 7ths extensions extended chord chords progression changes harmony harmonies plainer blues
""".split())
"""Words of chord edits, known to typo repair so "reharmonise" is never "corrected" into "harmonise"."""

_CHORDS = r"(?:chord\s+progression|progression|chords?|changes|harmony|harmonies)"
_STRONG_LEAD = re.compile(
    rf"\b(?:(?:change|switch|set|swap|replace|make|turn|alter)\s+(?:the\s+|its\s+)?{_CHORDS}\s*(?:to|into|with|for|:)?"
    r"|(?:use|try|with|using|over|on|play\s+(?:it\s+|this\s+)?(?:over|on|with))\s+(?:the\s+)?"
    r"(?:chords?|chord\s+progression|progression|changes)\b"
    rf"|(?:new\s+)?(?:chords?|chord\s+progression|progression)\s*(?::|=|\bshould\s+be\b|\bare\b|\bis\b))", re.I)
"""Words that name chords: what follows must be a progression, an unreadable symbol there is an error."""
_WEAK_LEAD = re.compile(
    r"\b(?:use|try|make\s+it|play\s+(?:it\s+|this\s+)?(?:over|on|as)|put\s+it\s+over|over|reharmoni[sz]e\s+"
    r"(?:it\s+|this\s+)?(?:as|with|over)|give\s+it)\b", re.I)
"""Words that may lead a progression ("use a ii-V-I", "play it over a 12-bar blues")."""
_ARTICLE = re.compile(r"\s*(?:of\s+)?(?:an?\s+|the\s+)?", re.I)
_RICHER = re.compile(
    r"\b(?:re-?harmoni[sz]e(?:\s+it|\s+this|\s+the\s+(?:chords|melody))?\s+(?:with\s+)?(?:jazzier|richer|lusher"
    r"|more\s+jazzy|more\s+colou?rful|jazz)(?:\s+(?:chords|harmony|harmonies))?"
    r"|(?:jazzier|richer|lusher|fancier|more\s+colou?rful|more\s+jazzy|jazz|extended|seventh|7th)\s+(?:chords|harmony"
    r"|harmonies|changes)|(?:make\s+)?(?:the\s+(?:chords|harmony)|them)\s+(?:jazzier|richer|lusher|fancier|more\s+colou?rful)"
    r"|(?:add|with|use)\s+(?:some\s+)?(?:sevenths|7ths|extensions))\b", re.I)
_SIMPLER = re.compile(
    r"\b(?:(?:simpler|plainer|plain|basic|simple)\s+(?:chords|harmony|harmonies|changes)"
    r"|(?:make\s+)?the\s+(?:chords|harmony)\s+(?:simpler|plainer)|simplify\s+the\s+(?:chords|harmony)"
    r"|(?:just|only|plain)\s+triads|triads\s+only)\b", re.I)
_KEEP = re.compile(
    r"\b(?:keep|leave|don'?t\s+change|do\s+not\s+change)\s+(?:the\s+|its\s+)?(?:same\s+)?(?:chords?|harmony|progression"
    r"|changes)(?:\s+(?:the\s+same|as\s+(?:they\s+are|it\s+is)|alone))?\b", re.I)


def read_chord_edits(mask: TextMask, parent: Spec) -> list[Found]:
    """Chord edits, read before every other reader ("simpler chords" is no density, "reharmonise it jazzier"
    no style, "a 12-bar blues" no length): keep, colour, harmonic rhythm, then the progression itself."""
    found: list[Found] = []
    for pattern, params in ((_KEEP, {"op": "keep"}), (_RICHER, {"op": "colour", "colour": "richer"}),
                            (_SIMPLER, {"op": "colour", "colour": "triads"})):
        for match in mask.finditer(pattern):
            block(mask, *match.span())
            found.append((match.start(), Edit("chords", dict(params), " ".join(match.group(0).split()))))
    before = mask.text
    per_bar = read_per_bar(mask, [])
    if per_bar is not None:
        start = next(i for i, (a, b) in enumerate(zip(before, mask.text, strict=True)) if a != b)
        end = len(before) - next(i for i, (a, b) in enumerate(zip(before[::-1], mask.text[::-1], strict=True)) if a != b)
        found.append((start, Edit("chords", {"op": "per_bar", "per_bar": per_bar}, " ".join(before[start:end].split()))))
    progression = _progression(mask)
    if progression is not None:
        found.append(progression)
    return found


def _progression(mask: TextMask) -> Found | None:
    """The first progression after a lead ("change the chords to", "use a", "chords:")."""
    leads = [(m, True) for m in mask.finditer(_STRONG_LEAD)] + [(m, False) for m in mask.finditer(_WEAK_LEAD)]
    for lead, strong in sorted(leads, key=lambda hit: (hit[0].start(), not hit[1])):
        article = _ARTICLE.match(mask.text, lead.end())
        pos = article.end() if article else lead.end()
        found = named_at(mask.text, pos) or _numerals(mask.text, pos) or _symbols(mask.text, pos, strong)
        if found is not None:
            progression, end = found
            trail = PROGRESSION_TRAIL.match(mask.text, end)
            end = trail.end() if trail else end
            said = " ".join(mask.text[lead.start():end].split())
            block(mask, lead.start(), end)
            count = len(progression.symbols or progression.numerals)
            if count > MAX_CHORDS:
                raise EditError(f"Motif plays a progression of at most {MAX_CHORDS} chords; that one has {count}.")
            params: dict[str, object] = {"op": "set", "chords": progression.symbols} if progression.symbols else {
                "op": "set", "numerals": progression.numerals,
                "minor_numerals": progression.minor_numerals or progression.numerals}
            params["per_bar"] = progression.per_bar
            return lead.start(), Edit("chords", params, said)
        if strong:
            try:
                check_attempt(mask.text, lead.end(), mask.text[lead.start():lead.end() + 24])
            except ParseError as exc:
                raise EditError(str(exc)) from None
    return None


def _numerals(text: str, pos: int) -> tuple[Progression, int] | None:
    found = numerals_at(text, pos)
    if found is None or len(found[0]) < 2:
        return None
    return Progression(numerals=found[0]), found[1]


def _symbols(text: str, pos: int, strong: bool) -> tuple[Progression, int] | None:
    found = read_list(text, pos, TOKEN_ANY_CASE if strong else TOKEN, words=strong)
    if found is None or (not strong and (len(found.symbols) < 2 and not is_extended(found.symbols[0]))):
        return None
    if not strong and text[found.start].islower():
        return None
    if strong:
        try:
            check_attempt(text, found.end, text[pos:found.end + 24])
        except ParseError as exc:
            raise EditError(str(exc)) from None
    symbols, per_bar, _ = bar_rhythm(found)
    return Progression(symbols=symbols, per_bar=per_bar), found.end


def apply_chords(draft: Draft, edit: Edit) -> None:
    """Set the progression (numerals in the remix's key), its harmonic rhythm or its colour; the melody is
    kept and fitted to the new chords. A parent whose chords the style chose lends its plan's chords
    (`EditPlan.chords_from_parent`), which only the composer holds."""
    params, spec, plan = edit.params, draft.spec, draft.plan
    op = params["op"]
    if op == "keep":
        draft.note("the chords stay as they are")
        return
    if op == "set":
        _set(draft, params)
    elif op == "per_bar":
        per_bar = float(params["per_bar"])
        if not draft.change("chords_per_bar", per_bar, f"harmonic rhythm {_rhythm(spec.chords_per_bar)} -> "
                                                      f"{_rhythm(per_bar)}"):
            draft.note(f"the chords already change {_rhythm(per_bar)}")
            return
        if not draft.spec.chords:
            plan.chords_from_parent = plan.chords_from_parent or "plain"
            draft.stated.append("chords")
    else:
        colour = str(params["colour"])
        if draft.spec.chords:
            coloured = recolour(draft.spec.chords, draft.spec.tonic, draft.spec.mode, colour)
            if not draft.change("chords", coloured, f"chords {' '.join(spec.chords)} -> {' '.join(coloured)}"):
                draft.note(f"the chords are already {'triads' if colour == 'triads' else 'as rich as Motif plays'}")
                return
        else:
            plan.chords_from_parent = colour
            plan.summary.append(f"the piece's own chords as {'triads' if colour == 'triads' else 'sevenths'}")
            draft.stated.append("chords")
    plan.chords_changed = True
    draft.at_least(KEEP_MELODY)
    _note_length(draft)


def _set(draft: Draft, params: dict[str, object]) -> None:
    spec = draft.spec
    minor = params.get("minor_numerals")
    progression = Progression(symbols=list(params.get("chords") or ()),  # type: ignore[call-overload]
                              numerals=list(params.get("numerals") or ()),  # type: ignore[call-overload]
                              minor_numerals=list(minor) if minor else None)  # type: ignore[call-overload]
    try:
        symbols = tuple(progression.realise(spec.tonic, spec.mode))
    except (KeyError, ValueError) as exc:
        raise EditError(f"Motif could not read the chords in '{params}': {exc}") from None
    draft.plan.chords_from_parent = ""
    before = " ".join(spec.chords) or "(the style's)"
    if not draft.change("chords", symbols, f"chords {before} -> {' '.join(symbols)} (melody kept, fitted to them)"):
        draft.note(f"the chords are already {' '.join(symbols)}")
    if params.get("per_bar") is not None:
        draft.change("chords_per_bar", float(params["per_bar"]))  # type: ignore[arg-type]
    if not fits_key(list(symbols), spec.tonic, spec.mode):
        draft.note(f"{' '.join(symbols)} is mostly outside {spec.tonic} {spec.mode}; the key stays (say 'in ...' "
                   "to move it)")


def _rhythm(per_bar: float) -> str:
    return {2.0: "twice a bar", 0.5: "every two bars"}.get(per_bar, "once a bar")


def _note_length(draft: Draft) -> None:
    """A remark when the piece is too short to play the whole progression once (a 12-bar blues in 8 bars)."""
    spec = draft.spec
    slots = math.ceil(spec.bars * spec.chords_per_bar)
    if spec.chords and len(spec.chords) > slots:
        bars = math.ceil(len(spec.chords) / spec.chords_per_bar)
        draft.note(f"the progression has {len(spec.chords)} chords and {spec.bars} bars hold {slots} of them "
                   f"(ask for {bars} bars to hear them all)")
