"""Instrument and drum edits on a Draft: add, remove, swap, only, lead; drums on and off.

Parts are resolved here, at apply time, so a plain "bass" or "guitar" takes the kind the (possibly just
changed) genre uses, exactly as in a prompt. Roles come from the one rule a prompt's line-up gets
(`prompts.resolve.style_roles`, issue 13 section 2): after any instrument edit or a change of style, the
line-up has the roles a prompt naming it in that genre would give (a sax added to a piano trio leads and the
piano comps; a trumpet added over a tenor sax answers it), except that

- a lead the user chose stays the lead ("let the piano lead", or any lead the rule would not have picked,
  which only the user can have set): later edits and style changes keep it while that part plays;
- a swap puts the new instrument in the old one's place: the bass line passes to whoever replaces the bass
  player, and the tune to the newcomer when the rule picks it there (a flute or a rhodes swapped for the sax
  leads); otherwise the style says otherwise and the newcomer takes its instrument's role (a trumpet swapped
  for the comping piano answers in a counter line, it does not comp; a rhodes swapped for the sax beside a
  trumpet comps while the trumpet leads);
- parts already playing keep their role unless the lead moves (the displaced lead takes its own
  instrument's role: a piano comps, a sax answers).
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.edit.draft import Draft
from prompts.edit.types import Edit, EditError
from prompts.limits import MAX_PARTS
from prompts.music import GM_FAMILY_SIZE
from prompts.resolve import lead_index, style_roles
from prompts.spec import Instrument
from prompts.words.genres import GENRES, JAZZ_CONTEXT
from prompts.words.instruments import GENERIC_BY_GENRE, GROUPS, family_role, gm_name


def resolve_part(part: dict[str, object], genre: str | None) -> list[tuple[int, str | None]]:
    """(program, role hint) for one part of an edit: a group's members, or one program in genre context."""
    group = part.get("group")
    if isinstance(group, str):
        if group == "piano trio" and genre in JAZZ_CONTEXT:
            group = "jazz trio"
        return list(GROUPS[group].members)
    word = str(part.get("word", ""))
    program = int(str(part.get("program", 0)))
    return [(GENERIC_BY_GENRE.get(word, {}).get(genre or "", program), None)]


def instrument_names(instruments: tuple[Instrument, ...] | list[Instrument]) -> str:
    """The parts' General MIDI names for a summary line ("none" when empty)."""
    return ", ".join(inst.name for inst in instruments) or "none"


def roles_named(instruments: tuple[Instrument, ...] | list[Instrument]) -> str:
    """The parts with their roles, for a summary line where only the roles changed."""
    return ", ".join(f"{inst.name} {inst.role}" for inst in instruments)


def find_matches(instruments: list[Instrument], program: int, word: str, loose: bool = True) -> list[int]:
    """Indices of the parts a word refers to: same program, else the word in the GM name ("sax" is the
    Tenor Sax), else (when `loose`) the bass role for "bass" or the same GM family."""
    words = [w.rstrip("s") for w in word.lower().split()]
    last = words[-1] if words else ""
    tiers = [
        [i for i, inst in enumerate(instruments) if inst.program == program],
        [i for i, inst in enumerate(instruments) if words and all(w in inst.name.lower() for w in words)],
    ]
    if loose:
        tiers.append([i for i, inst in enumerate(instruments) if last == "bass" and inst.role == "bass"])
        tiers.append([i for i, inst in enumerate(instruments) if inst.program // GM_FAMILY_SIZE == program // GM_FAMILY_SIZE])
    return next((tier for tier in tiers if tier), [])


def _resolve_all(raw: list[dict[str, object]], current: list[Instrument], genre: str | None) -> list[tuple[int, str | None]]:
    """Programs for the parts named; a word that names a part already playing means that part ("only sax"
    keeps the Tenor Sax rather than swapping in an Alto)."""
    resolved: list[tuple[int, str | None]] = []
    for part in raw:
        members = resolve_part(part, genre)
        same = find_matches(current, members[0][0], str(part.get("word", "")), loose=False)
        if "group" not in part and same:
            members = [(current[same[0]].program, None)]
        resolved += members
    return resolved


@dataclass
class _Part:
    """A part of the line-up being edited: its program, the role it keeps (None: the one its instrument has
    in the style, or the lead), and whether it holds a lead that stays (the user's, or one a swap passed on)."""

    program: int
    hint: str | None = None
    keeps_lead: bool = False


def user_lead(instruments: tuple[Instrument, ...] | list[Instrument], genre: str | None) -> int | None:
    """The part whose lead the user chose: the melody, where the rule (`prompts.resolve.lead_index`) would give
    it to another part ("let the piano lead" over a sax); None when the rule's own lead plays it."""
    lead = next((i for i, inst in enumerate(instruments) if inst.role == "melody"), None)
    if lead is None or len(instruments) < 2:
        return None
    named = [(inst.program, "bass" if inst.role == "bass" else None) for inst in instruments]
    return None if lead_index(named, GENRES.get(genre or "")) == lead else lead


def _parts_of(instruments: tuple[Instrument, ...] | list[Instrument], genre: str | None) -> list[_Part]:
    """The playing line-up as parts: each keeps its role, but the lead's is the rule's to give again, unless
    the user chose it (`user_lead`)."""
    chosen = user_lead(instruments, genre)
    return [_Part(inst.program, None if inst.role == "melody" else inst.role, i == chosen)
            for i, inst in enumerate(instruments)]


def _roles(parts: list[_Part], genre: str | None) -> list[Instrument]:
    """The line-up's roles by the prompt's rule (`style_roles`), the lead staying where it is kept."""
    kept = next((i for i, part in enumerate(parts) if part.keeps_lead), None)
    return list(style_roles([(part.program, part.hint) for part in parts], GENRES.get(genre or ""), kept))


def restyle(instruments: tuple[Instrument, ...], old_genre: str | None, new_genre: str | None) -> tuple[Instrument, ...]:
    """A stated line-up's roles in a new style, as a prompt naming it in that style has them ("make it gospel"
    gives a named choir the tune, its style's lead, and the piano comps); a lead the user chose stays."""
    return tuple(_roles(_parts_of(instruments, old_genre), new_genre))


def _add(draft: Draft, parts: list[_Part], added: list[tuple[int, str | None]]) -> None:
    for program, hint in added:
        if any(part.program == program for part in parts):
            draft.note(f"the piece already has {gm_name(program)}")
            continue
        parts.append(_Part(program, hint))


def _remove(draft: Draft, current: list[Instrument], parts: list[_Part], part: dict[str, object]) -> None:
    program = resolve_part(part, draft.spec.genre)[0][0] if "group" not in part else -1
    matches = find_matches(current, program, str(part.get("word", "")))
    if not matches:
        draft.note(f"there is no {part.get('word')} in the piece to remove")
    for index in reversed(matches):
        del current[index]
        del parts[index]


def _swap(draft: Draft, current: list[Instrument], parts: list[_Part], old: dict[str, object],
          new: dict[str, object]) -> None:
    """The newcomer in the old part's place: the bass line and a kept lead pass to it; otherwise it takes its
    instrument's role, and the tune goes where the rule puts it (see the module's docstring)."""
    incoming = resolve_part(new, draft.spec.genre)
    old_program = resolve_part(old, draft.spec.genre)[0][0]
    matches = find_matches(current, old_program, str(old.get("word", "")))
    if not matches:
        draft.note(f"there is no {old.get('word')} in the piece; adding {new.get('word')} instead")
        _add(draft, parts, incoming)
        return
    program = incoming[0][0]
    for index in matches:
        before = parts[index]
        keeps = before.keeps_lead and family_role(program) != "bass"
        parts[index] = _Part(program, "bass" if before.hint == "bass" else None, keeps)


def _only(parts: list[_Part], wanted: list[tuple[int, str | None]]) -> list[_Part]:
    """Exactly the parts named; a chosen lead among them stays the lead."""
    kept = next((part.program for part in parts if part.keeps_lead), None)
    result = [_Part(program, hint) for program, hint in wanted]
    index = next((i for i, part in enumerate(result) if part.program == kept), None)
    if index is not None:
        result[index].keeps_lead = True
    return result


def _lead(parts: list[_Part], wanted: list[tuple[int, str | None]]) -> None:
    """The tune to a part already playing ("let the flute lead": the old lead takes its instrument's role), else
    the lead played on a new instrument ("play it on a flute")."""
    program = wanted[0][0]
    for part in parts:
        part.keeps_lead = False
    index = next((i for i, part in enumerate(parts) if part.program == program), None)
    if index is not None:
        parts[index].hint, parts[index].keeps_lead = None, True
        return
    lead = next((i for i, part in enumerate(parts) if part.hint is None), None)  # the lead: the only part without a role
    if lead is None:
        parts.insert(0, _Part(program, None, True))
    else:
        parts[lead] = _Part(program, None, True)


def apply_instruments(draft: Draft, edit: Edit) -> None:
    """Add, remove, swap, keep only, or change the lead instrument; the notes stay (parts are re-voiced), and
    the roles are the ones a prompt naming the new line-up in this style gets (module docstring)."""
    params, genre = edit.params, draft.spec.genre
    current = list(draft.spec.instruments)
    same_parts = draft.spec.instruments == draft.parent.instruments
    lineup = _parts_of(current, draft.parent.genre if same_parts else genre)
    op = params["op"]
    wanted = _resolve_all(list(params.get("parts", [])), current, genre)
    for part in [*params.get("parts", []), params.get("new") or {}]:
        if part.get("approximate"):
            program = resolve_part(part, genre)[0][0]
            draft.note(f"'{part['word']}' is not a General MIDI instrument; using {gm_name(program)}")
    if op == "add":
        _add(draft, lineup, wanted)
    elif op == "remove":
        for part in params["parts"]:
            _remove(draft, current, lineup, part)
    elif op == "swap":
        _swap(draft, current, lineup, params["old"], params["new"])
    elif op == "only":
        lineup = _only(lineup, wanted)
        _only_drums(draft, params["parts"])
    elif op == "lead":
        _lead(lineup, wanted)
    else:
        raise EditError(f"unknown instrument edit {op!r}")
    _commit(draft, _roles(lineup, genre))


def _only_drums(draft: Draft, parts: list[dict[str, object]]) -> None:
    """ "only piano" means nothing else, drums included; an ensemble word brings its own drums."""
    groups = [GROUPS[str(p["group"])] for p in parts if isinstance(p.get("group"), str)]
    wanted = any(g.drums for g in groups)
    draft.change("drums", wanted, f"drums {'on' if wanted else 'off'}")


def _commit(draft: Draft, current: list[Instrument]) -> None:
    if len(current) > MAX_PARTS:
        raise EditError(f"Motif arranges at most {MAX_PARTS} instruments; that would make {len(current)}.")
    before = draft.spec.instruments
    if instrument_names(before) == instrument_names(current):
        summary = f"roles {roles_named(before)} -> {roles_named(current)}"
    else:
        summary = f"instruments {instrument_names(before)} -> {instrument_names(current)}"
    draft.change("instruments", tuple(current), summary)


def apply_drums(draft: Draft, edit: Edit) -> None:
    """Drums on or off; the pitched notes are untouched."""
    on = bool(edit.params["on"])
    if not draft.change("drums", on, f"drums {'on' if on else 'off'}"):
        draft.note(f"drums were already {'on' if on else 'off'}")


def check_instruments(draft: Draft) -> None:
    """A remix must leave something to play."""
    if not draft.spec.instruments:
        raise EditError("That would leave no instruments; swap one instead, e.g. \"swap piano for rhodes\".")
