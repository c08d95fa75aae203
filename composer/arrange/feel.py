"""Feel: the groove's parts played by people, with MMA's humanised timing and velocity.

Why: MMA's grooves are played with randomised timing and volume (`RTime`, `RVolume` on nearly every track of
its standard library), which is much of why they sound played rather than sequenced; the derived groove data
is rendered with that randomisation off (`composer.learn.grooves_mma`: `RTime/RVolume 0`, so the build is
reproducible), so it is put back here, seeded, at MMA's own values.

What moves: the velocity of every note the groove plays (drums, bass, chords, pads) by up to RVolume percent
either way, as MMA's `Pat.adjustVolume` does; and the timing of every hit of the drums, the bass and the chord
and pad parts (where they have a track of their own) by up to RTime ticks either way, one offset per hit (notes
struck together move together: a chord stays one chord, a kick and a hat on one beat stay one stroke). A hit
never leaves its cell of the GRID_PER_QUARTER grid (sixteenths and eighth triplets): it is heard a few ms early
or late, never on another position, so the groove signatures (backbeat on 2 and 4, clave, walking bass on the
beat) are read from the written MIDI with its onsets snapped to that grid (`composer.learn.groove_checks.on_grid`).
Where a piece swings, a hit that moves is placed swung here (the MIDI writer swings only notes exactly on the half
beat), so the band swings together. Grid styles (chiptune, techno, house, EDM, trap, synthwave) stay machine-exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer.files.midi import swing_time
from composer.piece import Note

GRID_PER_QUARTER = 12
"""The grid a groove is heard on: twelve points a quarter hold straight sixteenths, eighth triplets and the
swung off-beat (2/3 of a beat). Humanised timing keeps every hit in its cell of this grid, and the checks that read
positions from the MIDI snap to it."""
MMA_TICKS_PER_QUARTER = 192
"""MMA's MIDI resolution (gbl.BperQ): RTime counts these."""
PLACE_Q = 1.0 / 120
"""Where a moved hit lands: a grid of 1/120 quarter (4 ticks of the MIDI writer's 480, about 4 ms at 120 bpm), so
the file holds it exactly, a piece read back from its MIDI has it where it was written, and a time read to three
decimals of a quarter never sits on a rounding tie (odd multiples of 1/80 would)."""


@dataclass(frozen=True)
class Feel:
    """MMA's randomisation of one kind of part: onsets moved by up to `rtime_ticks` (of 192 a quarter) either way,
    velocities by up to `rvolume_pct` percent either way."""

    rtime_ticks: int
    rvolume_pct: int

    @property
    def rtime_q(self) -> float:
        return self.rtime_ticks / MMA_TICKS_PER_QUARTER


FEELS: dict[str, Feel] = {
    "chords": Feel(5, 10),
    "pad": Feel(5, 10),
    "bass": Feel(5, 10),
    "drums": Feel(5, 10),
    "hand": Feel(0, 10),
}
"""Per part, the median of MMA's standard library (21.09: RTime 5 on its Drum (335 settings), Chord (54), Bass
(48) and Walk (18) tracks, RVolume 10 on all of them): 5 ticks is 13 ms either way at 120 bpm, 6.5 ms on average.
A lead's left hand ("hand") keeps its timing: it shares a track with the tune."""

GRID_GENRES = frozenset({"chiptune", "techno", "house", "edm", "trap", "synthwave"})
"""Styles whose accompaniment is sequenced, not played: no humanisation."""


def humanised(genre: str | None) -> bool:
    """Whether a style's groove is played with MMA's humanised feel."""
    return genre not in GRID_GENRES


def humanise(notes: list[Note], feel: Feel, bar_quarters: float, total_quarters: float, swung: bool,
             rng: np.random.Generator) -> None:
    """Move `notes` (one part, in place) by `feel`: one timing offset per hit (notes struck together move
    together), one velocity change per note. A hit stays in its cell of the GRID_PER_QUARTER grid (`_in_cell`). A
    note on the first beat of the piece or in its final bar (the closing chord) only moves late; nothing moves past
    the end."""
    if feel.rvolume_pct:
        scale = 1.0 + rng.uniform(-feel.rvolume_pct, feel.rvolume_pct, len(notes)) / 100.0
        for note, factor in zip(notes, scale, strict=True):
            note.velocity = int(np.clip(round(note.velocity * factor), 1, 127))
    if not feel.rtime_ticks:
        return
    onsets = sorted({round(n.start, 6) for n in notes})
    offsets = dict(zip(onsets, rng.uniform(-feel.rtime_q, feel.rtime_q, len(onsets)), strict=True))
    for note in notes:
        shift = float(offsets[round(note.start, 6)])
        start, end = note.start, note.end
        if swung:
            start, end = swing_time(start, bar_quarters), swing_time(end, bar_quarters)
        if start < 1e-9 or start > total_quarters - bar_quarters - 1e-9:
            shift = abs(shift)  # the first beat and the final bar's hits stay in their bars
        moved = _in_cell(_placed(start + shift, bar_quarters, swung), start)
        moved = min(moved, _placed(total_quarters - PLACE_Q, bar_quarters, swung))
        shift = moved - start
        note.start, note.duration = moved, max(PLACE_Q, min(_placed(end + shift, bar_quarters, False), total_quarters) - moved)


CELL_REACH_Q = 1 / (2 * GRID_PER_QUARTER) - PLACE_Q
"""How far a hit may sit from its grid point: half a cell less one placement step, so it is never read as the
neighbouring point (a hit the groove itself places between points keeps to the cell it is in)."""


def _in_cell(moved: float, start: float) -> float:
    """`moved` kept in the grid cell of `start` (its nearest GRID_PER_QUARTER point), on the PLACE_Q grid."""
    point = round(start * GRID_PER_QUARTER) / GRID_PER_QUARTER
    if round(moved * GRID_PER_QUARTER) / GRID_PER_QUARTER == point:
        return moved
    return point + (CELL_REACH_Q if moved > point else -CELL_REACH_Q)


def _placed(t: float, bar_quarters: float, swung: bool) -> float:
    """`t` on the PLACE_Q grid; in a swung piece never exactly on a half beat (the writer would swing it again)."""
    placed = round(t / PLACE_Q) * PLACE_Q
    if swung and swing_time(placed, bar_quarters) != placed:
        placed += PLACE_Q
    return placed
