"""Chord voicings that move smoothly: each chord is voiced close to the one before it.

Voice leading is what makes a comping part sound like a player rather than a chord chart: common
tones stay, other voices move by step. Here that is a small search over inversions and octaves.
"""

from __future__ import annotations

from composer.piece import Chord
from composer.theory import CHORD_INTERVALS


class VoicingError(ValueError):
    """Raised when no voicing of a chord fits the requested register."""


_PRIORITY = (3, 4, 0, 7, 6, 8, 10, 11, 9, 2, 14, 5, 17, 21)
"""Chord intervals in the order they are kept: the triad, the seventh, then colours."""
_QUALITY_PRIORITY = {"11": (0, 17, 7, 10, 14)}
"""Qualities whose character is not in the default order: an eleventh chord (no third) is its suspended
fourth over the root before its seventh and ninth (else four voices would be the minor chord a fifth up)."""


def voicing_pcs(chord: Chord, size: int) -> list[int]:
    """The pitch classes to voice, `size` of them, in chord order: the triad first, then the
    seventh, colour tones (9, 11, 13) only when there is room.

    Keeping the whole triad (the fifth included) under the colours keeps the key audible; a 9th
    chord gets its ninth from a five-note voicing.
    """
    intervals = CHORD_INTERVALS[chord.quality]
    priority = _QUALITY_PRIORITY.get(chord.quality, _PRIORITY)
    ranked = sorted(intervals, key=lambda i: priority.index(i) if i in priority else len(priority))
    chosen: list[int] = []
    for interval in ranked:
        pc = (chord.root_pc + interval) % 12
        if pc not in chosen and len(chosen) < size:
            chosen.append(pc)
    order = [(chord.root_pc + i) % 12 for i in intervals]
    chosen.sort(key=order.index)
    while len(chosen) < size:
        chosen.append(chosen[len(chosen) % len(order)] if len(order) > 1 else chosen[0])
    return chosen


def _close_voicing(pcs: list[int], distinct: int, bottom: int, low: int, high: int) -> list[int]:
    """Stack the first `distinct` pitch classes upward from `bottom`; each extra voice doubles the
    bottom note an octave up (or down), which spreads the weight over root, third and fifth as the
    inversions change instead of always piling it on the root."""
    notes = [bottom]
    for pc in pcs[1:distinct]:
        notes.append(notes[-1] + ((pc - notes[-1]) % 12 or 12))
    for _ in pcs[distinct:]:
        up, down = bottom + 12, bottom - 12
        while up in notes:
            up += 12
        while down in notes:
            down -= 12
        notes.append(up if up <= high else down if down >= low else up)
    return sorted(notes)


def voice_chord(chord: Chord, size: int, low: int, high: int, previous: list[int] | None,
                triad_bottom: bool = False) -> list[int]:
    """A close voicing of `chord` with `size` notes inside [low, high], nearest the previous voicing.

    A register too narrow for `size` notes gets fewer (down to the root alone). `triad_bottom` (a user's
    chords) keeps a root, third or fifth as the lowest voice, the one that is doubled: a doubled seventh or
    ninth at the bottom re-names the chord (Cmaj7 voiced B-C-E-G-B is heard as E minor).
    """
    if high - low < 11:
        raise VoicingError(f"register {low}-{high} is narrower than an octave")
    for count in range(size, 0, -1):
        bottoms = _triad_pcs(chord) if triad_bottom else None
        found = _best_voicing(voicing_pcs(chord, count), low, high, previous, bottoms)
        if found is not None:
            return found
    raise VoicingError(f"no voicing of {chord.symbol} fits {low}-{high}")


def _triad_pcs(chord: Chord) -> set[int]:
    """Root, third and fifth (or what stands for them) of a chord: its first three intervals."""
    return {(chord.root_pc + i) % 12 for i in CHORD_INTERVALS[chord.quality][:3]}


def _best_voicing(pcs: list[int], low: int, high: int, previous: list[int] | None,
                  bottoms: set[int] | None = None) -> list[int] | None:
    centre = (low + high) / 2
    best: tuple[float, list[int]] | None = None
    distinct = list(dict.fromkeys(pcs))
    doubled = list(pcs)
    for pc in distinct:
        doubled.remove(pc)
    for rotation in range(len(distinct)):
        order = distinct[rotation:] + distinct[:rotation] + doubled
        if bottoms is not None and order[0] not in bottoms and any(pc in bottoms for pc in distinct):
            continue
        for bottom in range(low, high + 1):
            if bottom % 12 != order[0]:
                continue
            notes = _close_voicing(order, len(distinct), bottom, low, high)
            if notes[-1] > high or notes[0] < low:
                continue
            mean = sum(notes) / len(notes)
            if previous and len(previous) == len(notes):
                cost = float(sum(abs(a - b) for a, b in zip(sorted(previous), notes, strict=True)))
            else:
                cost = abs(mean - centre) * 0.5
            cost += abs(mean - centre) * 0.15
            if best is None or cost < best[0]:
                best = (cost, notes)
    return None if best is None else best[1]


POWER_SHAPE = (0, 7, 12)
"""A power chord as a guitarist frets it: the root, the fifth over it and the root an octave up."""


def power_voicing(chord: Chord, size: int, low: int, high: int, previous: list[int] | None) -> list[int]:
    """A power chord of `chord` (root, fifth, octave; two notes where `size` is 2 or less) inside [low, high], its
    bottom nearest the previous shape's, else in the lower half of the register where a guitar riffs; where the
    octave does not fit, root and fifth, else the fifth under the root (a register of an octave always holds one).

    Why: through distortion a third's difference tones turn a triad to mud, while a fifth and an octave fuse into
    one thick note; rock and metal guitar comping is these shapes, the third left to the harmony around them. The
    fifth is the chord's own (a diminished chord's flat fifth), and the shape sits on the root whatever the bass
    plays, as a guitarist's does over an inversion.
    """
    intervals = CHORD_INTERVALS[chord.quality]
    fifth = 7 if 7 in intervals else next((i for i in intervals if i in (6, 8)), 7)
    anchor = min(previous) if previous else low + (high - low) / 4
    shapes = [(0, fifth, 12)[:2 if size <= 2 else 3], (0, fifth), (fifth - 12, 0)]  # the last: fifth under root
    for shape in shapes:
        roots = [r for r in range(low, high + 1)
                 if r % 12 == chord.root_pc and r + shape[0] >= low and r + shape[-1] <= high]
        if roots:
            root = min(roots, key=lambda r: (abs(r + shape[0] - anchor), r))
            return [root + i for i in shape]
    raise VoicingError(f"no power chord of {chord.symbol} fits {low}-{high}")
