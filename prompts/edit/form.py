"""Form edits in a remix: "add a bridge", "repeat the chorus", "add an intro", "add an outro", "make it loop",
"key change up a tone at bar 9", "modulate up a semitone for the last chorus".

Each keeps what it does not name: the applier builds the child's form and, in `EditPlan.form_bars`, says for
each bar of the child which bar of the parent it plays (-1: a bar composed new), so the composer
(`composer.remix.form`) copies the parent's bars and composes only the new sections. `EditPlan.loop_bar` asks
for the last bar's harmony (V) and drums to be played anew, leading back to the first bar.
"""

from __future__ import annotations

import re

from prompts.edit.draft import KEEP_NOTES, Draft
from prompts.edit.read import Found, block
from prompts.edit.types import Edit, EditError
from prompts.scan import TextMask
from prompts.spec import Section, Spec
from prompts.words.intervals import AMOUNT_PATTERN, amount_semitones

WORDS: frozenset[str] = frozenset("bridge chorus intro outro loop loopable modulate modulation".split())
"""Words of form edits, known to typo repair."""

FRAME_BARS = 4
"""Bars of an added intro or outro."""

_ADD = r"(?:add|insert|put\s+in|include|give\s+it|with)\s+(?:an?\s+|the\s+)?(?:new\s+|short\s+)?"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_ADD}bridge\b", re.I), "bridge"),
    (re.compile(r"\b(?:repeat|play)\s+(?:the\s+)?(?:last\s+)?chorus(?:\s+again)?(?:\s+at\s+the\s+end)?\b"
                r"|\b(?:another|one\s+more)\s+chorus(?:\s+at\s+the\s+end)?\b", re.I), "repeat"),
    (re.compile(rf"\b{_ADD}intro\b", re.I), "intro"),
    (re.compile(rf"\b{_ADD}outro\b", re.I), "outro"),
    (re.compile(r"\bmake\s+(?:it|this)\s+(?:loop(?:able)?|seamlessly\s+loop(?:able)?)\b|\bloopable\b", re.I), "loop"),
)
_SHIFT = re.compile(
    rf"\b(?:(?:a\s+)?key\s+change|modulate|modulation|change\s+key|shift\s+the\s+key)\s+(?:(?P<dir>up|down)\s+)?"
    rf"(?:by\s+)?{AMOUNT_PATTERN}\s+(?:(?:at|from)\s+bar\s+(?P<bar>\d+)|(?:for|at|from|in)\s+the\s+last\s+chorus)\b", re.I)


def read_form_edits(mask: TextMask, parent: Spec) -> list[Found]:
    """Form edits, read before every other reader ("up a tone at bar 9" is no transposition, "8 bars" no length)."""
    found: list[Found] = []
    for match in mask.finditer(_SHIFT):
        steps = amount_semitones(match) or 0
        if not 0 < steps <= 11:
            raise EditError(f"A key change moves by a semitone to a major seventh; '{match.group(0)}' does not.")
        steps = -steps if (match.group("dir") or "up").lower() == "down" else steps
        bar = int(match.group("bar")) if match.group("bar") else 0
        found.append((match.start(), Edit("form", {"op": "shift", "semitones": steps, "bar": bar},
                                          " ".join(match.group(0).split()))))
        block(mask, *match.span())
    for pattern, op in _PATTERNS:
        for match in mask.finditer(pattern):
            found.append((match.start(), Edit("form", {"op": op}, " ".join(match.group(0).split()))))
            block(mask, *match.span())
    return found


def apply_form(draft: Draft, edit: Edit) -> None:
    """Change the form; `plan.form_bars` says where each bar of the child comes from in the parent."""
    spec = draft.spec
    sections = list(spec.form) if sum(s.bars for s in spec.form) == spec.bars else []
    bars = list(draft.plan.form_bars) or list(range(spec.bars))
    had_form = bool(sections)
    sections = sections or [Section("A", spec.bars)]
    op = edit.params["op"]
    summary = ""
    if op == "bridge":
        if any(s.name == "bridge" for s in sections):
            raise EditError("The piece already has a bridge.")
        size = max(4, min(8, sections[-1].bars))
        bridge = Section("bridge", size)
        if not had_form:
            sections, bars = [sections[0], bridge, sections[0]], bars + [-1] * size + bars
        else:
            head = sum(s.bars for s in sections[:-1])
            sections = [*sections[:-1], bridge, sections[-1]]
            bars = bars[:head] + [-1] * size + bars[head:]
        summary = f"add {'an' if size == 8 else 'a'} {size}-bar bridge"
    elif op == "repeat":
        index = next((i for i in range(len(sections) - 1, -1, -1) if sections[i].name == "chorus"), None)
        if index is None or not had_form:
            raise EditError("The piece has no chorus to repeat; try \"add a bridge\" or \"add an outro\".")
        start = sum(s.bars for s in sections[:index])
        sections.append(sections[index])
        bars = bars + bars[start:start + sections[index].bars]
        summary = "repeat the chorus at the end"
    elif op in ("intro", "outro"):
        if any(s.name == op for s in sections):
            raise EditError(f"The piece already has an {op}.")
        frame = Section(op, FRAME_BARS)
        if op == "intro":
            sections, bars = [frame, *sections], [-1] * FRAME_BARS + bars
        else:
            sections, bars = [*sections, frame], bars + [-1] * FRAME_BARS
        summary = f"add a {FRAME_BARS}-bar {op}"
    elif op == "loop":
        if spec.ending == "loop":
            draft.note("it already loops")
            return
        draft.change("ending", "loop", "make it loop: the last bar leads back to the first")
        draft.plan.loop_bar = True
    elif op == "shift":
        sections = _shifted(sections, int(edit.params["semitones"]), int(edit.params["bar"]), len(bars))
        where = f"at bar {edit.params['bar']}" if edit.params["bar"] else "for the last chorus"
        summary = f"key change {edit.params['semitones']:+d} semitones {where}"
    if len(bars) > draft.max_bars:
        raise EditError(f"That makes {len(bars)} bars; Motif writes at most {draft.max_bars}.")
    draft.at_least(KEEP_NOTES)
    draft.plan.form_bars = tuple(bars)
    if op != "loop" or had_form:
        draft.change("form", tuple(sections), summary or None)
    draft.change("bars", len(bars), None)


def _shifted(sections: list[Section], semitones: int, bar: int, total: int) -> list[Section]:
    """The form with a key change from bar `bar` (1-based; a section split there) or from the last chorus on."""
    if bar:
        if not 2 <= bar <= total:
            raise EditError(f"A key change at bar {bar} needs a piece of at least {bar} bars; this one has {total}.")
        out, start = [], 0
        for section in sections:
            cut = bar - 1 - start
            if 0 < cut < section.bars:
                rest = section.bars - cut
                name = section.name if rest == cut else _free_letter([*sections, *out])
                out += [Section(section.name, cut, section.chords, section.shift),
                        Section(name, rest, section.chords, section.shift)]
            else:
                out.append(section)
            start += section.bars
        first = next(i for i in range(len(out)) if sum(s.bars for s in out[:i]) == bar - 1)
    else:
        first = next((i for i in range(len(sections) - 1, -1, -1) if sections[i].name == "chorus"), -1)
        if first < 0:
            raise EditError("The piece has no chorus to change key for; try \"key change up a tone at bar 9\".")
        out = list(sections)
    for i in range(first, len(out)):
        moved = out[i].shift + semitones
        if not -11 <= moved <= 11:
            raise EditError("That key change goes more than an octave away.")
        out[i] = Section(out[i].name, out[i].bars, out[i].chords, moved)
    return out


def _free_letter(sections: list[Section]) -> str:
    used = {s.name for s in sections}
    return next(letter for letter in "BCDEFGHIJKLMNOPQRSTUVWXYZ" if letter not in used)
