"""A form edit realised ("add a bridge", "repeat the chorus", "add an intro", "make it loop", "key change up a
tone at bar 9"): the parent's bars where the child keeps them, new bars only where the form is new.

`EditPlan.form_bars` gives for each bar of the child the parent's bar it plays (-1: new). The new bars, and
for a loop the last bar's harmony (V) and drums, come from a take of the whole child form composed with the
parent's seed; every kept bar is the parent's, note for note, moved to where it now stands and into the key
its section is played in (`Section.shift`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from composer.generate import compose_timed
from composer.harmony.form import key_tonic, section_spans
from composer.lines import EPS, transpose_chord
from composer.piece import Chord, Note, Piece, Track
from prompts.edit.types import EditPlan
from prompts.spec import Spec

if TYPE_CHECKING:
    from composer.melody.source import MelodySource


def at_parent_form(parent: Spec, child: Spec) -> Spec:
    """The child's Spec at the parent's length and form, for the edits a form edit comes with ("faster and add
    an intro"): those are made on the parent first, then the form is laid out."""
    return replace(child, bars=parent.bars, form=parent.form, ending=parent.ending)


def reform(kept: Piece, child: Spec, plan: EditPlan, source: MelodySource) -> Piece:
    """`kept` (the parent with the other edits made) laid out in the child's form."""
    bar_q = child.bar_quarters
    layout = list(plan.form_bars) or list(range(child.bars))
    fresh = compose_timed(child, source)[0] if (-1 in layout or plan.loop_bar) else None
    was, now = _shifts(kept.spec), _shifts(child)
    last = len(layout) - 1
    melody = kept.melody()
    tracks = []
    for track in kept.tracks:
        twin = _twin(fresh, track) if fresh is not None else None
        notes: list[Note] = []
        for bar, source_bar in enumerate(layout):
            new = source_bar < 0 or (plan.loop_bar and bar == last and track is not melody)
            if new:
                notes += _bar(twin.notes, bar, bar_q) if twin is not None else []
                continue
            joined = bar < last and layout[bar + 1] == source_bar + 1 and not (plan.loop_bar and bar + 1 == last)
            semitones = 0 if track.is_drum else now[bar] - was[source_bar]
            offset = (bar - source_bar) * bar_q
            for note in _bar(track.notes, source_bar, bar_q):
                end = note.end + offset if joined else min(note.end + offset, (bar + 1) * bar_q)
                pitch = min(127, max(0, note.pitch + semitones))
                notes.append(Note(pitch, note.start + offset, end - note.start - offset, note.velocity))
        tracks.append(Track(track.name, track.program, track.role, notes, track.is_drum))
    chords: list[Chord] = []
    for bar, source_bar in enumerate(layout):
        if source_bar < 0 or (plan.loop_bar and bar == last):
            chords += _bar(fresh.chords, bar, bar_q) if fresh is not None else []
            continue
        semitones = now[bar] - was[source_bar]
        joined = bar < last and layout[bar + 1] == source_bar + 1 and not (plan.loop_bar and bar + 1 == last)
        for chord in _bar(kept.chords, source_bar, bar_q):
            duration = chord.duration if joined else min(chord.duration, (source_bar + 1) * bar_q - chord.start)
            moved = replace(chord, start=chord.start + (bar - source_bar) * bar_q, duration=duration)
            chords.append(transpose_chord(moved, semitones, replace(child, tonic=key_tonic(child, now[bar])))
                          if semitones else moved)
    return Piece(child, tracks, chords, swing=kept.swing, engine=kept.engine)


def _shifts(spec: Spec) -> list[int]:
    """Semitones each bar of the piece is played above its key."""
    shifts = [0] * spec.bars
    for span in section_spans(spec):
        for bar in range(span.start_bar, min(span.end_bar, spec.bars)):
            shifts[bar] = span.section.shift
    return shifts


def _twin(fresh: Piece, track: Track) -> Track | None:
    """The fresh take's part for `track`: the drums for the drums (a part read back from MIDI may carry another
    role); else the same program and role, the same program, or the same role."""
    if track.is_drum:
        return next((t for t in fresh.tracks if t.is_drum), None)
    pitched = [t for t in fresh.tracks if not t.is_drum]
    for same in ((t for t in pitched if t.program == track.program and t.role == track.role),
                 (t for t in pitched if t.program == track.program), (t for t in pitched if t.role == track.role)):
        found = next(same, None)
        if found is not None:
            return found
    return None


def _bar(items: list, bar: int, bar_q: float) -> list:
    """The notes or chords that start in `bar` (0-based)."""
    return [item for item in items if bar * bar_q - EPS <= item.start < (bar + 1) * bar_q - EPS]
