"""Remixes that keep every note of the parent: transposition, register, instruments, drums, truncation.

Parts of the parent are matched to the child Spec's instruments by program first (the part stays), then
by role (a swap: same notes on the new program), and whatever is left over on the child's side is a new
part arranged from the parent's chords; a parent part with no match was removed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.arrange.arranger import arrange
from composer.arrange.drums import drum_track
from composer.lines import (
    EPS,
    clip_chords,
    copy_track,
    fit_notes,
    line_indices,
    melody_line,
    transpose_chords,
)
from composer.piece import Note, Piece, Track
from composer.ranges import instrument_range
from composer.styles import Style
from composer.theory import fit_range
from prompts.spec import Instrument, Spec


def transpose_piece(piece: Piece, semitones: int, spec: Spec) -> Piece:
    """Every pitched note moved by `semitones`, each part kept in its instrument's range by octaves."""
    tracks = [copy_track(t) for t in piece.tracks]
    for track in tracks:
        if track.is_drum or not semitones:
            continue
        for note in track.notes:
            note.pitch += semitones
        fit_notes(track.notes, track.program)
    chords = transpose_chords(piece.chords, semitones, spec) if semitones else list(piece.chords)
    return Piece(spec, tracks, chords, piece.swing, piece.engine)


def shift_melody(piece: Piece, octaves: int) -> None:
    """Move the melody line (not a solo keyboard's left hand) by octaves, inside the instrument's range."""
    track = piece.melody()
    if track is None or not octaves:
        return
    low, high = instrument_range(track.program)
    for index in line_indices(track):
        note = track.notes[index]
        note.pitch = fit_range(note.pitch + 12 * octaves, low, high)


def _match_parts(pitched: list[Track], instruments: tuple[Instrument, ...]) -> list[Track | None]:
    """For each child instrument, the parent part it continues (None: a new part)."""
    used: set[int] = set()
    matched: list[Track | None] = [None] * len(instruments)
    passes = (
        lambda t, inst: t.program == inst.program and t.name == inst.name,
        lambda t, inst: t.program == inst.program,
        lambda t, inst: t.role == inst.role,
    )
    for same in passes:
        for i, inst in enumerate(instruments):
            if matched[i] is not None:
                continue
            found = next((j for j, t in enumerate(pitched) if j not in used and same(t, inst)), None)
            if found is not None:
                used.add(found)
                matched[i] = pitched[found]
    return matched


def regroup_parts(piece: Piece, spec: Spec, style: Style, rng: np.random.Generator) -> list[Track]:
    """The parent's pitched parts re-dealt to the child's instruments (order and roles from the child).

    A swapped part keeps its notes, moved by octaves into the new instrument's range; a new part, and a part
    the tune moves to or from (a piano that comps once a sax is added to lead, `prompts.edit.ensemble`), is
    arranged from the parent's chords around the parent's melody line.
    """
    pitched = [t for t in piece.tracks if not t.is_drum]
    instruments = spec.instruments
    matched = _match_parts(pitched, instruments)
    fresh: list[Track] | None = None
    tracks: list[Track] = []
    for i, (inst, parent_track) in enumerate(zip(instruments, matched, strict=True)):
        if parent_track is not None and (parent_track.role == "melody") == (inst.role == "melody"):
            track = copy_track(parent_track, name=inst.name, program=inst.program, role=inst.role)
            if inst.program != parent_track.program:
                fit_notes(track.notes, inst.program)
        else:
            if fresh is None:
                fresh = arrange(replace(spec, drums=False), style, piece.chords,
                                melody_line(piece.melody()), rng)
            track = fresh[i]
        tracks.append(track)
    return tracks


def set_drums(piece: Piece, tracks: list[Track], spec: Spec, style: Style, rng: np.random.Generator) -> list[Track]:
    """Drum parts as the child asks: the parent's kept, a new groove added, or all removed."""
    drums = [copy_track(t) for t in piece.tracks if t.is_drum]
    if not spec.drums:
        return tracks
    if not drums:
        drums = [drum_track(spec, style, rng)]
    return tracks + drums


def truncate(piece: Piece, bars: int) -> Piece:
    """The piece cut at the end of bar `bars`: later notes and chords dropped, notes across the cut shortened."""
    spec = replace(piece.spec, bars=bars)
    end = spec.bars * spec.bar_quarters
    tracks = []
    for track in piece.tracks:
        notes = [Note(n.pitch, n.start, min(n.duration, end - n.start), n.velocity)
                 for n in track.notes if n.start < end - EPS]
        tracks.append(Track(track.name, track.program, track.role, notes, track.is_drum))
    return Piece(spec, tracks, clip_chords(piece.chords, 0.0, end), piece.swing, piece.engine)


def keep_notes(parent: Piece, spec: Spec, transpose_semitones: int, octave_shift: int, style: Style,
               rng: np.random.Generator) -> Piece:
    """The parent with the keep-notes edits applied, at the parent's length (continuation comes later)."""
    bars = min(parent.spec.bars, spec.bars)
    at_length = replace(spec, bars=parent.spec.bars)
    moved = transpose_piece(parent, transpose_semitones, at_length)
    tracks = regroup_parts(moved, at_length, style, rng)
    piece = Piece(at_length, set_drums(moved, tracks, at_length, style, rng), moved.chords, moved.swing,
                  moved.engine)
    shift_melody(piece, octave_shift)
    return truncate(piece, bars) if bars < parent.spec.bars else piece

