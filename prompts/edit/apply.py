"""Appliers: one function per edit kind, each changing a `Draft` (Spec + plan) the way that edit means.

Which level of the parent survives (`draft.KEEP_NOTES` / `KEEP_MELODY` / `REGENERATE`) is decided
here per kind: tempo, transposition, instruments, drums, register and length keep every note; style, mood
and mode changes keep the melody, as do chord edits (`prompts.edit.chords`: the tune fitted to the new
chords); meter and density rewrite the piece; variations ask for a new seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from prompts.edit.chords import apply_chords
from prompts.edit.draft import KEEP_MELODY, KEEP_NOTES, REGENERATE, Draft
from prompts.edit.ensemble import apply_drums, apply_instruments, instrument_names, restyle, roles_named
from prompts.edit.form import apply_form
from prompts.edit.types import Edit, EditError
from prompts.limits import MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.music import MINOR_THIRD_MODES, MODE_ROTATION, PITCH_CLASSES
from prompts.spec import Instrument, Spec
from prompts.words.genres import GENRES
from prompts.words.instruments import gm_name
from prompts.words.keys import spell
from prompts.words.moods import MOODS, MoodInfo
from prompts.words.timing import tempo_in_range

DEFAULT_CONTINUE_BARS = 4
MOOD_TEMPO_FACTOR = 1.1
METER_GENRES: frozenset[str] = frozenset({"waltz", "jazz_waltz", "jig"})
"""Genres whose meter is their identity: asking for one sets its meter even if the user stated another."""
COLOUR_MOODS: frozenset[str] = frozenset({
    "happy", "sad", "dark", "moody", "melancholic", "spooky", "somber", "hopeful", "triumphant", "festive", "angry",
})
"""Moods that are a harmonic colour: asking for one moves the mode into its family (parallel, same tonic)."""


def round_half_up(value: float) -> int:
    """Round .5 up (90 x 1.15 = 103.5 -> 104), forgiving float error, as a person would."""
    return math.floor(value + 0.5 + 1e-9)


def _key_name(spec: Spec) -> str:
    return f"{spec.tonic} {spec.mode}"


def apply_tempo(draft: Draft, edit: Edit) -> None:
    """A stated bpm or a factor of the current tempo, clamped to what the Spec allows (with a note)."""
    old = draft.spec.tempo_bpm
    params = edit.params
    wanted = int(params["bpm"]) if params["op"] == "set" else round_half_up(old * float(params["factor"]))
    bpm = min(MAX_TEMPO_BPM, max(MIN_TEMPO_BPM, wanted))
    if bpm != wanted:
        draft.note(f"tempo {wanted} bpm is outside {MIN_TEMPO_BPM}-{MAX_TEMPO_BPM}; using {bpm} bpm")
    if not draft.change("tempo_bpm", bpm, f"tempo {old} -> {bpm} bpm"):
        draft.note(f"tempo stays at {bpm} bpm")


def transpose(draft: Draft, semitones: int, tonic: str | None = None) -> None:
    """Move the key by `semitones` (notes kept and shifted); `tonic` keeps the user's spelling of the target."""
    before = _key_name(draft.spec)
    new_tonic = tonic or spell(PITCH_CLASSES[draft.spec.tonic] + semitones, draft.spec.mode)
    draft.plan.transpose_semitones += semitones
    way = f"{'up' if semitones >= 0 else 'down'} {abs(semitones)} semitone{'' if abs(semitones) == 1 else 's'}"
    if not draft.change("tonic", new_tonic, f"key {before} -> {new_tonic} {draft.spec.mode} ({way})"):
        if semitones == 0:
            draft.note(f"already in {before}")
    elif semitones == 0:
        draft.plan.summary[-1] = f"key {before} -> {_key_name(draft.spec)} (same pitch, new spelling)"


def set_mode(draft: Draft, mode: str) -> None:
    """A parallel mode change: same tonic, melody mapped by scale degree, harmony re-planned."""
    before = draft.spec.mode
    if draft.change("mode", mode, f"mode {before} -> {mode} (melody mapped by scale degree)"):
        draft.at_least(KEEP_MELODY)
    else:
        draft.note(f"already in {mode}")


def _nearest(distance: int, direction: str | None) -> int:
    """Signed semitones for an upward `distance` (0-11): the nearer way, or the way the user said."""
    if direction == "up":
        return distance
    if direction == "down":
        return distance - 12 if distance else 0
    return distance if distance <= 6 else distance - 12


def apply_key(draft: Draft, edit: Edit) -> None:
    """Transpose by an interval, to a tonic (nearer direction unless stated), to a mode, or to the relative key."""
    params, spec = edit.params, draft.spec
    op = params["op"]
    if op == "transpose":
        transpose(draft, int(params["semitones"]))
    elif op == "tonic":
        tonic = str(params["tonic"])
        distance = (PITCH_CLASSES[tonic] - PITCH_CLASSES[spec.tonic]) % 12
        transpose(draft, _nearest(distance, params.get("direction")), tonic)
        if params.get("mode"):
            set_mode(draft, str(params["mode"]))
    elif op == "mode":
        set_mode(draft, str(params["mode"]))
    else:
        _relative(draft, str(params["mode"]))


def _relative(draft: Draft, target: str) -> None:
    spec = draft.spec
    major_pc = PITCH_CLASSES[spec.tonic] - MODE_ROTATION[spec.mode]
    tonic = spell(major_pc + (9 if target == "minor" else 0), target)
    if (tonic, target) == (spec.tonic, spec.mode):
        draft.note(f"already in {_key_name(spec)}")
        return
    before = _key_name(spec)
    draft.change("tonic", tonic)
    draft.change("mode", target, f"key {before} -> {tonic} {target} (relative {target}: same notes, new harmony)")
    draft.at_least(KEEP_MELODY)


def apply_meter(draft: Draft, edit: Edit) -> None:
    """A new time signature: the rhythm cannot be kept, so the piece is rewritten (same seed)."""
    old, new = draft.spec.time_signature, str(edit.params["time_signature"])
    if draft.change("time_signature", new, f"meter {old} -> {new} (new notes)"):
        draft.at_least(REGENERATE)
    else:
        draft.note(f"already in {new}")


def _set_bars(draft: Draft, bars: int, stated_number: bool) -> None:
    limit = draft.max_bars
    if bars < 1:
        raise EditError(f"A piece needs at least 1 bar; that would leave {bars}.")
    if bars > limit:
        if stated_number or draft.spec.bars >= limit:
            raise EditError(f"Motif writes at most {limit} bars at a time; that would make {bars}.")
        draft.note(f"{bars} bars is over the limit; using {limit}")
        bars = limit
    old = draft.spec.bars
    if not draft.change("bars", bars, f"bars {old} -> {bars}"):
        draft.note(f"the piece is already {bars} bars long")


def apply_length(draft: Draft, edit: Edit) -> None:
    """Set, extend/shorten by, or scale the bar count; longer keeps the notes and continues, shorter cuts."""
    params, old = edit.params, draft.spec.bars
    if params["op"] == "set":
        _set_bars(draft, int(params["bars"]), True)
    elif params["op"] == "extend":
        _set_bars(draft, old + int(params["bars"]), True)
    else:
        _set_bars(draft, max(1, round_half_up(old * float(params["factor"]))), False)


def apply_continuation(draft: Draft, edit: Edit) -> None:
    """Add bars after the end: the stated count, else `DEFAULT_CONTINUE_BARS` (or what room is left)."""
    stated = edit.params.get("bars")
    room = draft.max_bars - draft.spec.bars
    if stated is None and room <= 0:
        raise EditError(f"The piece is already {draft.spec.bars} bars, the most Motif writes at a time.")
    count = int(stated) if stated is not None else min(DEFAULT_CONTINUE_BARS, room)
    if count < 1:
        raise EditError("Continue by at least 1 bar.")
    _set_bars(draft, draft.spec.bars + count, stated is not None)


def apply_style(draft: Draft, edit: Edit) -> None:
    """A new genre around the same melody; its tempo/meter/instrument/drum defaults fill only unstated fields."""
    genre = GENRES[str(edit.params["genre"])]
    old = draft.spec.genre
    if not draft.change("genre", genre.id, f"genre {old or 'none'} -> {genre.id}"):
        draft.note(f"already {genre.id}")
        return
    draft.at_least(KEEP_MELODY)
    stated = draft.explicit()
    if "tempo_bpm" not in stated:
        moods = [MOODS[m] for m in draft.spec.moods if m in MOODS]
        tendency = sum(m.tempo for m in moods) / len(moods) if moods else 0.0
        bpm, before = tempo_in_range(*genre.tempo_bpm, tendency), draft.spec.tempo_bpm
        draft.change("tempo_bpm", bpm, f"tempo {before} -> {bpm} bpm ({genre.id} default)", stated=False)
    if genre.id in METER_GENRES or "time_signature" not in stated:
        before_meter = draft.spec.time_signature
        if draft.change("time_signature", genre.meter, f"meter {before_meter} -> {genre.meter} ({genre.id})",
                        stated=False):
            draft.at_least(REGENERATE)
    if "instruments" not in stated:
        parts = tuple(Instrument(gm_name(p), p, role) for p, role in genre.instruments)
        draft.change("instruments", parts, f"instruments {instrument_names(draft.spec.instruments)} -> {instrument_names(parts)}",
                     stated=False)
    else:
        parts = restyle(draft.spec.instruments, old, genre.id)
        draft.change("instruments", parts, f"roles {roles_named(draft.spec.instruments)} -> {roles_named(parts)} "
                     f"({genre.id})", stated=False)
    if "drums" not in stated:
        draft.change("drums", genre.drums, f"drums {'on' if genre.drums else 'off'} ({genre.id})", stated=False)



def apply_mood(draft: Draft, edit: Edit) -> None:
    """Lean toward a mood around the same melody: its colour (mode family), tempo, register and density."""
    mood = MOODS[str(edit.params["mood"])]
    spec = draft.spec
    kept = tuple(m for m in spec.moods if m in MOODS and m != mood.id and not _clashes(MOODS[m], mood))
    moods = (mood.id, *kept)
    draft.change("moods", moods, f"moods {', '.join(spec.moods) or 'none'} -> {', '.join(moods)}")
    draft.at_least(KEEP_MELODY)
    if mood.id in COLOUR_MOODS and mood.mode is not None and (spec.mode in MINOR_THIRD_MODES) != (mood.family == "minor"):
        set_mode(draft, mood.mode)
    if mood.tempo:
        old = draft.spec.tempo_bpm
        bpm = min(MAX_TEMPO_BPM, max(MIN_TEMPO_BPM, round_half_up(old * MOOD_TEMPO_FACTOR ** mood.tempo)))
        draft.change("tempo_bpm", bpm, f"tempo {old} -> {bpm} bpm ({mood.id})")
    if mood.register:
        shift_register(draft, mood.register, quiet=True)
    old_density = draft.spec.density
    density = round((old_density + mood.density) / 2, 3)
    draft.change("density", density, f"density {old_density:.2f} -> {density:.2f} ({mood.id})")


def _clashes(old: MoodInfo, new: MoodInfo) -> bool:
    """True when an existing mood pulls against a new one (opposite colour or opposite tempo)."""
    colour = old.family is not None and new.family is not None and old.family != new.family
    return colour or old.tempo * new.tempo < 0


def apply_density(draft: Draft, edit: Edit) -> None:
    """Sparser or busier: note density is decided while generating, so the piece is rewritten (same seed)."""
    old = draft.spec.density
    params = edit.params
    wanted = float(params["density"]) if params["op"] == "set" else old + float(params["delta"])
    density = round(min(1.0, max(0.05, wanted)), 3)
    if draft.change("density", density, f"density {old:.2f} -> {density:.2f} (new notes, same seed)"):
        draft.at_least(REGENERATE)
    else:
        draft.note(f"density is already {density:.2f}")


def shift_register(draft: Draft, octaves: int, quiet: bool = False) -> None:
    """Move the melody by octaves within the -1..+1 register the Spec allows; the notes are kept and shifted."""
    old = draft.spec.register
    new = min(1, max(-1, old + octaves))
    if new == old:
        if not quiet:
            draft.note(f"the melody is already in the {'highest' if octaves > 0 else 'lowest'} register Motif uses")
        return
    draft.plan.octave_shift += new - old
    draft.change("register", new, f"register {old:+d} -> {new:+d} ({'up' if new > old else 'down'} "
                                  f"{abs(new - old)} octave{'s' if abs(new - old) > 1 else ''})")


def apply_register(draft: Draft, edit: Edit) -> None:
    """ "up an octave", "lower", "high register"."""
    params = edit.params
    octaves = int(params["octaves"]) if params["op"] == "shift" else int(params["register"]) - draft.spec.register
    if octaves == 0:
        draft.note(f"the melody is already in register {draft.spec.register:+d}")
        return
    shift_register(draft, octaves)


def apply_variation(draft: Draft, edit: Edit) -> None:
    """A new take of the whole piece, or of some bars only; either way the caller picks a new seed."""
    bars = edit.params.get("bars")
    draft.plan.new_seed = True
    if bars is None:
        draft.at_least(REGENERATE)
        draft.plan.summary.append("a new take (new seed)")
        return
    first, last = sorted(int(b) for b in bars)
    draft.plan.vary_bars = (first, last)
    draft.plan.summary.append(f"vary bars {first}-{last} (new seed)")


def check_vary_bars(draft: Draft) -> None:
    """Bars to vary must exist in the remix (checked last: "vary bars 5-8" with "half as long" cannot)."""
    if draft.plan.vary_bars is None:
        return
    first, last = draft.plan.vary_bars
    total = draft.spec.bars
    if first < 1 or last > total:
        raise EditError(f"The piece has {total} bars; bars {first}-{last} are not all in it.")


def apply_harmonise(draft: Draft, edit: Edit) -> None:
    """Add harmony under the melody, or an independent counter-melody; the existing notes stay."""
    draft.at_least(KEEP_NOTES)
    if edit.params.get("counter"):
        draft.plan.counter_melody = True
        draft.plan.summary.append("add a counter-melody")
    else:
        draft.plan.harmonise = True
        draft.plan.summary.append("harmonise the melody")


def apply_note(draft: Draft, edit: Edit) -> None:
    """A remark from reading the instruction (a corrected typo, ignored words)."""
    draft.note(str(edit.params["message"]))


APPLIERS: dict[str, Callable[[Draft, Edit], None]] = {
    "tempo": apply_tempo, "key": apply_key, "meter": apply_meter, "length": apply_length,
    "continuation": apply_continuation, "instruments": apply_instruments, "drums": apply_drums,
    "style": apply_style, "mood": apply_mood, "density": apply_density, "register": apply_register,
    "variation": apply_variation, "harmonise": apply_harmonise, "chords": apply_chords,
    "form": apply_form, "note": apply_note,
}
"""Edit kind -> the function that applies it."""
