"""The remix edit language: a reply such as "faster and in 3/4 with drums" -> edits -> a new Spec + plan.

`parse_edits` reads the instruction into `Edit`s (readers in `read`, `keys`, `parts`);
`apply_edits` folds them over the parent Spec (appliers in `apply`, `ensemble`) and says in an
`EditPlan` how much of the parent piece the composer can keep. Conflicting edits of one field ("faster
and slower", "no drums ... add drums") are settled by word order: the later one wins, with a note.
"""

from __future__ import annotations

from dataclasses import replace

from prompts.edit.apply import APPLIERS, check_vary_bars
from prompts.edit.chords import read_chord_edits
from prompts.edit.draft import KEEP_MELODY, KEEP_NOTES, REGENERATE, Draft
from prompts.edit.ensemble import check_instruments
from prompts.edit.form import read_form_edits
from prompts.edit.keys import read_intervals, read_targets
from prompts.edit.parts import read_comparatives, read_phrases
from prompts.edit.read import (
    Found,
    Reader,
    read_continuation,
    read_density,
    read_harmonise,
    read_length,
    read_meter_edit,
    read_register,
    read_tempo,
    read_variation,
)
from prompts.edit.types import EXAMPLES, Edit, EditError, EditPlan, examples_message
from prompts.edit.words import correct_typos, leftovers
from prompts.limits import MAX_BARS, MAX_PROMPT_CHARS
from prompts.scan import TextMask, normalise
from prompts.spec import FIELDS, Spec

__all__ = ["EXAMPLES", "MAX_BARS", "Edit", "EditError", "EditPlan", "apply_edits", "parse_edits", "read_instruction"]

NOTHING_CHANGED = "nothing changed"
"""The plan's summary for an understood edit that leaves the piece as it was ("jazz" for a jazz piece); never
the answer to words Motif did not understand, which are refused with "did not understand" instead."""

READERS: tuple[Reader, ...] = (
    read_form_edits, read_chord_edits, read_variation, read_continuation, read_length, read_meter_edit, read_tempo,
    read_harmonise, read_density, read_intervals, read_register, read_targets, read_comparatives, read_phrases,
)
"""In order: form edits first ("up a tone at bar 9" is no transposition), chord edits next ("simpler chords" is no
density, "a 12-bar blues" no length), then specific phrasings before general ones ("extend by 4 bars" before
"4 bars", "up a minor third" before "minor", "slow it down" before the tempo word "slow")."""


def parse_edits(text: str, parent: Spec, max_bars: int = MAX_BARS) -> list[Edit]:
    """The edits an instruction asks for, in the order written; raises EditError when none is understood, or
    when the words understood change nothing and others were not understood ("make the bass louder").

    The edits are also applied once to `parent`, so an impossible request (100 bars, bars 9-12 of an
    8-bar piece) is refused here, before any work is queued.
    """
    return _read(text, parent, max_bars)[0]


def read_instruction(text: str, parent: Spec, max_bars: int = MAX_BARS) -> tuple[Spec, EditPlan]:
    """The remixed Spec and plan of an instruction, read once: the application that validates it (see
    `parse_edits`, whose errors it raises) is the one the remix is made from, never a second one."""
    _, spec, plan = _read(text, parent, max_bars)
    return spec, plan


def _read(text: str, parent: Spec, max_bars: int) -> tuple[list[Edit], Spec, EditPlan]:
    """The edits of an instruction and their application to `parent` (validated as `parse_edits` says)."""
    if not isinstance(text, str):
        raise EditError(f"An instruction must be text, not {type(text).__name__}.")
    if not text.strip():
        raise EditError(examples_message("Tell Motif what to change."))
    if len(text) > MAX_PROMPT_CHARS:
        raise EditError(f"The instruction is {len(text)} characters long; Motif reads at most {MAX_PROMPT_CHARS}.")
    corrected, typo_notes = correct_typos(normalise(text))
    mask = TextMask(corrected)
    found: list[Found] = []
    for reader in READERS:
        found += reader(mask, parent)
    edits = [edit for _, edit in sorted(found, key=lambda item: item[0])]
    unknown = leftovers(mask.words())
    shown = " ".join(unknown[:6]) or " ".join(text.split())[:60]
    if not any(edit.kind != "note" for edit in edits):
        raise EditError(examples_message(f"Motif did not understand '{shown}' as a change to the piece."))
    notes = [Edit("note", {"message": message}, "") for message in typo_notes]
    if unknown:
        notes.append(Edit("note", {"message": f"did not understand '{' '.join(unknown)}' (ignored)"}, " ".join(unknown)))
    edits = notes + edits
    spec, plan = apply_edits(parent, edits, max_bars=max_bars)
    if unknown and plan.summary == [NOTHING_CHANGED]:
        understood = "; ".join(note for note in plan.notes if not note.startswith("did not understand"))
        raise EditError(examples_message(
            f"Motif did not understand '{shown}', and the rest of the instruction changes nothing ({understood})."
        ))
    return edits, spec, plan


def settle_conflicts(edits: list[Edit]) -> tuple[list[Edit], list[str]]:
    """Keep the last edit of each field ("faster and slower" -> slower); a note for each one overruled."""
    last: dict[str, int] = {}
    for index, edit in enumerate(edits):
        slot = _slot(edit)
        if slot:
            last[slot] = index
    kept: list[Edit] = []
    notes: list[str] = []
    for index, edit in enumerate(edits):
        slot = _slot(edit)
        if slot and last[slot] != index:
            winner = edits[last[slot]]
            if winner.params != edit.params:
                notes.append(f"'{edit.text}' and '{winner.text}' disagree; using the later '{winner.text}'")
            continue
        kept.append(edit)
    return kept, notes


def _slot(edit: Edit) -> str | None:
    """The field an edit sets outright (None for cumulative edits: instruments, moods, harmony, notes)."""
    if edit.kind == "key":
        return "mode" if edit.params.get("op") in ("mode", "relative") else "tonic"
    if edit.kind in ("length", "continuation"):
        return "length"
    if edit.kind in ("tempo", "drums", "register", "density", "meter", "style", "variation"):
        return edit.kind
    return None


def apply_edits(parent: Spec, edits: list[Edit], max_bars: int = MAX_BARS) -> tuple[Spec, EditPlan]:
    """The remixed Spec and what the composer must do; raises EditError when the result is impossible.

    Style edits go first (a new genre resets unstated defaults), then the rest in the order written.
    Changed fields join `explicit` (genre defaults do not: they stay inferred, so a later style change can
    update them). The seed is kept; `EditPlan.new_seed` says when the caller should draw a new one.
    """
    kept, conflict_notes = settle_conflicts(list(edits))
    draft = Draft(parent=parent, spec=parent, max_bars=max_bars)
    for message in conflict_notes:
        draft.note(message)
    for edit in sorted(kept, key=lambda e: e.kind != "style"):
        try:
            APPLIERS[edit.kind](draft, edit)
        except EditError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise EditError(f"Motif could not apply '{edit.text}': {exc}") from exc
    check_instruments(draft)
    check_vary_bars(draft)
    return _finish(draft, kept), _plan(draft)


def _finish(draft: Draft, edits: list[Edit]) -> Spec:
    stated = set(draft.parent.explicit) | set(draft.stated)
    said = "; ".join(edit.text for edit in edits if edit.kind != "note" and edit.text)
    prompt = f"{draft.parent.prompt} | {said}" if draft.parent.prompt else said
    return replace(
        draft.spec,
        prompt=prompt[-MAX_PROMPT_CHARS:],
        explicit=tuple(name for name in FIELDS if name in stated),
        notes=tuple(draft.plan.notes),
    )


def _plan(draft: Draft) -> EditPlan:
    plan = draft.plan
    plan.regenerate = draft.level >= REGENERATE
    if plan.regenerate:
        plan.vary_bars, plan.transpose_semitones, plan.octave_shift = None, 0, 0
    plan.keep_melody = draft.level <= KEEP_MELODY and plan.vary_bars is None
    plan.keep_notes = draft.level == KEEP_NOTES and plan.vary_bars is None
    plan.continue_bars = 0 if plan.regenerate else max(0, draft.spec.bars - draft.parent.bars)
    if plan.form_bars:
        plan.continue_bars = 0  # the new bars are the form's, composed where they stand
    if not plan.summary:
        plan.summary.append(NOTHING_CHANGED)
    return plan
