"""A second voice for a kept piece: harmony a third or sixth under the tune, or an independent counter-melody.

The line goes on the part the user added with the request ("harmonise with strings"), else an existing
counter part, else a new string ensemble (or another default if that is taken). A new part is added to
the Spec too, so the written MIDI and the Spec agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from composer.arrange.accompaniment import Context
from composer.arrange.arranger import counter_line
from composer.lines import copy_track, melody_line
from composer.meter import meter_of
from composer.piece import Note, Piece, Track
from composer.ranges import role_window
from composer.theory import chord_pcs
from prompts.errors import UserError
from prompts.spec import Instrument, Spec
from prompts.words.instruments import gm_name

DEFAULT_PROGRAMS = (48, 40, 71, 73, 0)
"""String ensemble, violin, clarinet, flute, piano: the first the piece does not already use."""
MAX_PARTS = 8


class VoiceError(UserError):
    """The piece has no room (or no tune) for a second line."""


@dataclass(frozen=True)
class _Slot:
    start: float
    length: float
    last: bool


def pick_part(spec: Spec, parent_programs: set[int]) -> tuple[Spec, int]:
    """The Spec (with a default part added if needed) and the index of the instrument that plays the line."""
    parts = list(spec.instruments)
    fresh = [i for i, inst in enumerate(parts) if inst.program not in parent_programs and inst.role != "bass"
             and inst.role != "melody"]
    fresh.sort(key=lambda i: parts[i].role != "counter")
    if fresh:
        return spec, fresh[0]
    counters = [i for i, inst in enumerate(parts) if inst.role == "counter"]
    if counters:
        return spec, counters[0]
    if len(parts) >= MAX_PARTS:
        raise VoiceError(f"the piece already has {MAX_PARTS} parts; remove one to make room for a second line")
    used = {inst.program for inst in parts}
    program = next(p for p in DEFAULT_PROGRAMS if p not in used)
    parts.append(Instrument(gm_name(program), program, "counter"))
    note = f"second line on {gm_name(program)}"
    return replace(spec, instruments=tuple(parts), notes=(*spec.notes, note)), len(parts) - 1


def _slots(spec: Spec, line: list[Note]) -> list[_Slot]:
    """One note per beat group; two where the tune holds a long note, so the counter moves when it rests."""
    meter = meter_of(spec)
    starts = meter.group_starts() + [meter.bar_quarters]
    slots = []
    for bar in range(spec.bars):
        for a, b in zip(starts, starts[1:], strict=False):
            t, length = bar * meter.bar_quarters + a, b - a
            held = any(abs(n.start - t) < 1e-6 and n.duration >= length - 1e-6 for n in line)
            if held and length >= 1.0:
                slots += [_Slot(t, length / 2, False), _Slot(t + length / 2, length / 2, False)]
            else:
                slots.append(_Slot(t, length, False))
    if slots:
        slots[-1] = _Slot(slots[-1].start, slots[-1].length, True)
    return slots


def _sounding(line: list[Note], t: float) -> Note | None:
    current = None
    for note in line:
        if note.start <= t + 1e-6:
            current = note
    return current


def counter_melody(line: list[Note], ctx: Context, program: int) -> list[Note]:
    """An independent line of chord tones under the tune: smooth, mostly contrary to it, never above it."""
    low, high = role_window(program, "counter")
    notes: list[Note] = []
    previous, tune_before = (low + high) // 2, None
    for slot in _slots(ctx.spec, line):
        chord = ctx.chord_at(slot.start)
        tones = chord_pcs(chord.root_pc, chord.quality)[:4]
        tune = _sounding(line, slot.start)
        best, best_cost = None, 0.0
        for pitch in range(low, high + 1):
            if pitch % 12 not in tones:
                continue
            cost = 0.5 * abs(pitch - previous) + (2.0 if pitch == previous else 0.0) + 0.5 * ctx.rng.random()
            if tune is not None:
                cost += 8.0 if pitch > tune.pitch - 3 else 0.0
                cost += 3.0 if (tune.pitch - pitch) % 12 == 0 else 0.0
                if tune_before is not None and (pitch - previous) * (tune.pitch - tune_before) > 0:
                    cost += 2.0  # parallel motion: the lines should answer each other
            if slot.last and pitch % 12 not in tones[:2]:
                cost += 4.0
            if best is None or cost < best_cost:
                best, best_cost = pitch, cost
        if best is None:
            continue
        notes.append(Note(best, slot.start, slot.length * 0.95, 0))
        previous, tune_before = best, tune.pitch if tune is not None else tune_before
    return notes


def add_second_line(piece: Piece, counter: bool, parent_programs: set[int], rng: np.random.Generator) -> Piece:
    """`piece` with harmony under its tune (`counter` False) or a counter-melody, on a suitable part."""
    line = melody_line(piece.melody())
    if not line or not piece.chords:
        raise VoiceError("the piece has no melody to harmonise")
    spec, index = pick_part(piece.spec, parent_programs)
    inst = spec.instruments[index]
    ctx = Context(spec, meter_of(spec), list(piece.chords), rng)
    notes = counter_melody(line, ctx, inst.program) if counter else counter_line(line, ctx, inst.program)
    level = int(np.clip(sorted(n.velocity for n in line)[len(line) // 2] - 12, 30, 110))
    total = spec.bars * spec.bar_quarters
    for note in notes:
        note.velocity = level + (4 if abs(note.start / spec.bar_quarters - round(note.start / spec.bar_quarters)) < 1e-6 else 0)
        note.duration = min(note.duration, total - note.start)
    voice = Track(inst.name, inst.program, inst.role, [n for n in notes if n.duration > 1e-6])
    pitched = [copy_track(t) for t in piece.tracks if not t.is_drum]
    drums = [copy_track(t) for t in piece.tracks if t.is_drum]
    if index < len(pitched) and pitched[index].program == inst.program:
        pitched[index] = voice
    else:
        pitched.append(voice)
    return Piece(spec, pitched + drums, list(piece.chords), piece.swing, piece.engine)
