"""Playable (sounding) ranges of the 128 General MIDI programs, and helpers to keep notes inside them.

A part written outside its instrument's range sounds wrong even when the synthesiser plays it (a tuba
at flute height, a violin below G3), so every pitched note the arranger writes goes through here.
Ranges are sounding MIDI pitches, by family with per-instrument exceptions where the family varies.
"""

from __future__ import annotations

from composer.theory import fit_range, nearest_pitch
from prompts.music import GM_FAMILY_SIZE

_FAMILY_RANGES: tuple[tuple[int, int], ...] = (
    (21, 108),  # 0-7 pianos
    (60, 96),  # 8-15 chromatic percussion
    (36, 96),  # 16-23 organs
    (40, 88),  # 24-31 guitars
    (28, 67),  # 32-39 basses
    (36, 96),  # 40-47 strings
    (36, 96),  # 48-55 ensembles
    (36, 84),  # 56-63 brass
    (49, 80),  # 64-71 reeds
    (60, 96),  # 72-79 pipes
    (36, 96),  # 80-87 synth leads
    (36, 96),  # 88-95 synth pads
    (36, 96),  # 96-103 synth effects
    (48, 84),  # 104-111 ethnic
    (48, 84),  # 112-119 percussive
    (36, 84),  # 120-127 sound effects
)

_PROGRAM_RANGES: dict[int, tuple[int, int]] = {
    4: (28, 100), 5: (28, 100), 6: (29, 89), 7: (29, 88),
    8: (60, 108), 9: (79, 108), 10: (60, 96), 11: (53, 89), 12: (45, 96), 13: (65, 108),
    14: (60, 77), 15: (48, 84),
    21: (41, 89), 22: (60, 84), 23: (41, 89),
    24: (40, 83), 25: (40, 86), 31: (52, 96),
    38: (24, 72), 39: (24, 72),
    40: (55, 100), 41: (48, 88), 42: (36, 76), 43: (28, 67), 44: (36, 96), 45: (28, 96),
    46: (23, 103), 47: (38, 57),
    48: (28, 96), 49: (28, 96), 52: (40, 81), 53: (40, 81), 54: (40, 84), 55: (48, 72),
    56: (54, 84), 57: (40, 72), 58: (28, 58), 59: (54, 82), 60: (34, 77), 61: (36, 84),
    64: (56, 87), 65: (49, 80), 66: (44, 75), 67: (36, 68), 68: (58, 91), 69: (52, 81),
    70: (34, 72), 71: (50, 91),
    72: (74, 108), 76: (60, 84), 77: (55, 84), 78: (74, 98), 79: (60, 84),
    87: (28, 84),
    104: (48, 84), 105: (50, 84), 106: (50, 84), 107: (55, 91), 108: (60, 84), 109: (60, 84),
    110: (55, 100), 111: (60, 84),
    112: (72, 96), 113: (60, 84), 114: (52, 88), 115: (60, 84), 116: (36, 60), 117: (36, 60),
    118: (36, 60), 119: (48, 72),
}

ROLE_WINDOWS: dict[str, tuple[int, int]] = {
    "melody": (60, 84),
    "counter": (52, 76),
    "chords": (48, 76),
    "pad": (48, 79),
    "bass": (28, 52),
    "left_hand": (36, 60),
}
"""Preferred register per role; intersected with the instrument's range when they overlap enough."""


class RangeError(ValueError):
    """Raised for a program outside General MIDI or an impossible range request."""


def instrument_range(program: int) -> tuple[int, int]:
    """Lowest and highest sounding MIDI pitch for a GM program, so parts stay idiomatic."""
    if not 0 <= program <= 127:
        raise RangeError(f"General MIDI program must be 0-127, got {program}")
    return _PROGRAM_RANGES.get(program, _FAMILY_RANGES[program // GM_FAMILY_SIZE])


def role_window(program: int, role: str) -> tuple[int, int]:
    """The register a role should use on this instrument: the role's window clipped to the range.

    Falls back to the full range (or its lowest/highest octave and a half) when the window and the
    instrument barely overlap, so a bass role on a flute still plays the flute's low notes.
    """
    low, high = instrument_range(program)
    if role not in ROLE_WINDOWS:
        raise RangeError(f"unknown role {role!r}")
    w_low, w_high = ROLE_WINDOWS[role]
    lo, hi = max(low, w_low), min(high, w_high)
    if hi - lo >= 14:
        return lo, hi
    if w_high <= low + 14:
        return low, min(high, low + 19)
    if w_low >= high - 14:
        return max(low, high - 19), high
    return low, high


def clamp_to_range(pitch: int, low: int, high: int) -> int:
    """Move a pitch by octaves into [low, high]; the range must span at least an octave."""
    if high - low < 11:
        raise RangeError(f"range {low}-{high} is narrower than an octave")
    return fit_range(pitch, low, high)


def place_pc(pc: int, target: int, low: int, high: int) -> int:
    """The pitch of class `pc` nearest `target` that lies in [low, high]."""
    return clamp_to_range(nearest_pitch(pc, target), low, high)


def best_octave_shift(pitches: list[int], low: int, high: int, playable: tuple[int, int] | None = None) -> int:
    """The whole-octave transposition that keeps the most of a line in range, moving it no further than that.

    Moving a melody as a block keeps its contour; only the few notes still outside afterwards are
    folded individually. Where `playable` (the instrument's whole range, around the preferred [low, high])
    is given, the notes a shift puts outside it count first: those are the ones folded alone, each turning
    the steps on both sides of it, while a note just past the preferred register still plays where it is
    (a tenor sax tune at 51-69 in a 60-75 window: up an octave, nine notes over the sax's E5 were folded).
    Among shifts that keep as many notes in, the smallest wins (the nearer the centre only between equal
    moves): a line already inside stays where it was written. Centring it instead moved a pop ballad's C4-C5
    piano tune (mean F4, 7 under the 60-84 window's C5) up to C5-C6 (5 over): 3 of the 5 seeds of 1-20 whose
    tune sat over a median of D5 (6 of 9 once phrase ends may lead on with a pickup), where a ballad is sung
    about A3-E5.
    """
    if not pitches:
        return 0
    centre = (low + high) / 2
    mean = sum(pitches) / len(pitches)
    play_low, play_high = playable if playable is not None else (low, high)
    best: tuple[int, int, int, float, int] | None = None
    for shift in range(-48, 49, 12):
        folded = sum(1 for p in pitches if not play_low <= p + shift <= play_high)
        outside = sum(1 for p in pitches if not low <= p + shift <= high)
        key = (folded, outside, abs(shift), abs(mean + shift - centre), shift)
        if best is None or key[:4] < best[:4]:
            best = key
    assert best is not None
    return best[4]
