"""Pitch, scale and chord arithmetic shared by the harmony planner, the melody source and the arranger.

The facts it computes with (mode intervals, pitch classes, note names, chord qualities) are `prompts.music`'s.
"""

from __future__ import annotations

from prompts.music import (
    CHORD_INTERVALS,
    MAJOR_THIRD_MODES,
    MINOR_THIRD_MODES,
    MODE_INTERVALS,
    NOTE_NAMES_FLAT,
    NOTE_NAMES_SHARP,
    PITCH_CLASSES,
    chord_pcs,
    scale_pcs,
)

__all__ = [
    "CHORD_INTERVALS", "MODE_INTERVALS", "NOTE_NAMES_FLAT", "NOTE_NAMES_SHARP", "PITCH_CLASSES", "chord_pcs",
    "fit_range", "mode_family", "mode_pcs", "nearest_pitch", "pc_name", "scale_pcs", "tonic_pc",
]
"""The tables, `scale_pcs` and `chord_pcs` are `prompts.music`'s (one source for each fact, shared with the
prompt readers); they are named here too because the composer's modules reach all pitch arithmetic through this
one module."""


def tonic_pc(tonic: str) -> int:
    """Pitch class of a tonic name such as "F#" or "Bb"."""
    return PITCH_CLASSES[tonic]


def mode_pcs(tonic: str, mode: str) -> set[int]:
    """Pitch classes that belong to a mode; "minor" also admits the raised 6th and 7th of melodic/harmonic minor."""
    pcs = set(scale_pcs(tonic, mode))
    if mode == "minor":
        pcs |= {(tonic_pc(tonic) + 9) % 12, (tonic_pc(tonic) + 11) % 12}
    return pcs


def pc_name(pc: int, prefer_flats: bool = False) -> str:
    """A readable name for a pitch class."""
    names = NOTE_NAMES_FLAT if prefer_flats else NOTE_NAMES_SHARP
    return names[pc % 12]


def nearest_pitch(pc: int, target: int) -> int:
    """The MIDI pitch of class `pc` closest to `target` (ties resolve downward)."""
    base = target - ((target - pc) % 12)
    return base if target - base <= (base + 12) - target else base + 12


def fit_range(pitch: int, low: int, high: int) -> int:
    """Move `pitch` by octaves until it lies within [low, high] (assumes high - low >= 11)."""
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def mode_family(mode: str) -> str:
    """"major" for modes with a major third, "minor" otherwise."""
    if mode in MAJOR_THIRD_MODES:
        return "major"
    if mode in MINOR_THIRD_MODES:
        return "minor"
    raise ValueError(f"unknown mode {mode!r}")
