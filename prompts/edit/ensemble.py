"""Instrument and drum edits on a Draft: add, remove, swap, only, lead; drums on and off.

Parts are resolved here, at apply time, so a plain "bass" or "guitar" takes the kind the (possibly just
changed) genre uses, exactly as in a prompt. Roles stay sensible: a swapped-in instrument inherits the
role it replaces, a removed lead hands the melody to the next melodic part, an added one fills a free role.
"""

from __future__ import annotations

from prompts.edit.draft import Draft
from prompts.edit.types import Edit, EditError
from prompts.limits import MAX_PARTS
from prompts.music import GM_FAMILY_SIZE
from prompts.spec import Instrument
from prompts.words.genres import JAZZ_CONTEXT
from prompts.words.instruments import GENERIC_BY_GENRE, GROUPS, assign_roles, family_role, gm_name


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


def ensure_melody(instruments: list[Instrument]) -> list[Instrument]:
    """Give the melody to the first non-bass part when no part carries it (after a removal)."""
    if not instruments or any(inst.role == "melody" for inst in instruments):
        return instruments
    index = next((i for i, inst in enumerate(instruments) if inst.role != "bass"), 0)
    lead = instruments[index]
    instruments[index] = Instrument(lead.name, lead.program, "melody")
    return instruments


def _new_part(program: int, hint: str | None, current: list[Instrument]) -> Instrument:
    role = hint or family_role(program)
    if role != "bass" and not any(inst.role == "melody" for inst in current):
        role = "melody"
    elif role == "melody":
        role = "counter"
    return Instrument(gm_name(program), program, role)


def _add(draft: Draft, current: list[Instrument], parts: list[tuple[int, str | None]]) -> None:
    for program, hint in parts:
        if any(inst.program == program for inst in current):
            draft.note(f"the piece already has {gm_name(program)}")
            continue
        current.append(_new_part(program, hint, current))


def _remove(draft: Draft, current: list[Instrument], part: dict[str, object]) -> None:
    program = resolve_part(part, draft.spec.genre)[0][0] if "group" not in part else -1
    matches = find_matches(current, program, str(part.get("word", "")))
    if not matches:
        draft.note(f"there is no {part.get('word')} in the piece to remove")
    for index in reversed(matches):
        del current[index]


def _swap(draft: Draft, current: list[Instrument], old: dict[str, object], new: dict[str, object]) -> None:
    incoming = resolve_part(new, draft.spec.genre)
    old_program = resolve_part(old, draft.spec.genre)[0][0]
    matches = find_matches(current, old_program, str(old.get("word", "")))
    if not matches:
        draft.note(f"there is no {old.get('word')} in the piece; adding {new.get('word')} instead")
        _add(draft, current, incoming)
        return
    program = incoming[0][0]
    for index in matches:
        current[index] = Instrument(gm_name(program), program, current[index].role)


def _only(draft: Draft, parts: list[tuple[int, str | None]]) -> list[Instrument]:
    if len(parts) == 1:
        return [Instrument(gm_name(parts[0][0]), parts[0][0], "melody")]
    return list(assign_roles(parts))


def _lead(current: list[Instrument], parts: list[tuple[int, str | None]]) -> None:
    program = parts[0][0]
    index = next((i for i, inst in enumerate(current) if inst.role == "melody"), None)
    if index is None:
        current.insert(0, Instrument(gm_name(program), program, "melody"))
    else:
        current[index] = Instrument(gm_name(program), program, "melody")


def apply_instruments(draft: Draft, edit: Edit) -> None:
    """Add, remove, swap, keep only, or change the lead instrument; the notes stay (parts are re-voiced)."""
    params, genre = edit.params, draft.spec.genre
    current = list(draft.spec.instruments)
    op = params["op"]
    parts = _resolve_all(list(params.get("parts", [])), current, genre)
    for part in [*params.get("parts", []), params.get("new") or {}]:
        if part.get("approximate"):
            program = resolve_part(part, genre)[0][0]
            draft.note(f"'{part['word']}' is not a General MIDI instrument; using {gm_name(program)}")
    if op == "add":
        _add(draft, current, parts)
    elif op == "remove":
        for part in params["parts"]:
            _remove(draft, current, part)
    elif op == "swap":
        _swap(draft, current, params["old"], params["new"])
    elif op == "only":
        current = _only(draft, parts)
        _only_drums(draft, params["parts"])
    elif op == "lead":
        _lead(current, parts)
    else:
        raise EditError(f"unknown instrument edit {op!r}")
    _commit(draft, ensure_melody(current))


def _only_drums(draft: Draft, parts: list[dict[str, object]]) -> None:
    """ "only piano" means nothing else, drums included; an ensemble word brings its own drums."""
    groups = [GROUPS[str(p["group"])] for p in parts if isinstance(p.get("group"), str)]
    wanted = any(g.drums for g in groups)
    draft.change("drums", wanted, f"drums {'on' if wanted else 'off'}")


def _commit(draft: Draft, current: list[Instrument]) -> None:
    if len(current) > MAX_PARTS:
        raise EditError(f"Motif arranges at most {MAX_PARTS} instruments; that would make {len(current)}.")
    before = draft.spec.instruments
    draft.change("instruments", tuple(current), f"instruments {instrument_names(before)} -> {instrument_names(current)}")


def apply_drums(draft: Draft, edit: Edit) -> None:
    """Drums on or off; the pitched notes are untouched."""
    on = bool(edit.params["on"])
    if not draft.change("drums", on, f"drums {'on' if on else 'off'}"):
        draft.note(f"drums were already {'on' if on else 'off'}")


def check_instruments(draft: Draft) -> None:
    """A remix must leave something to play."""
    if not draft.spec.instruments:
        raise EditError("That would leave no instruments; swap one instead, e.g. \"swap piano for rhodes\".")
