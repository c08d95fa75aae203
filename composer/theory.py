"""Pitch, scale and chord arithmetic shared by the harmony planner, the melody source and the arranger."""

from __future__ import annotations

PITCH_CLASSES: dict[str, int] = {
    "C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "E#": 5, "F": 5,
    "F#": 6, "Gb": 6, "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11,
}

MODE_INTERVALS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}

CHORD_INTERVALS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "5": (0, 7),
    "6": (0, 4, 7, 9),
    "m6": (0, 3, 7, 9),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "m7b5": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "mmaj7": (0, 3, 7, 11),
    "9": (0, 4, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14),
    "m9": (0, 3, 7, 10, 14),
    "7sus4": (0, 5, 7, 10),
    "add9": (0, 4, 7, 14),
    "m11": (0, 3, 7, 10, 14, 17),
    "13": (0, 4, 7, 10, 14, 21),
}

MAJOR_LIKE: tuple[str, ...] = ("major", "lydian", "mixolydian")
MINOR_LIKE: tuple[str, ...] = ("minor", "dorian", "phrygian", "aeolian", "locrian")

NOTE_NAMES_SHARP = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
NOTE_NAMES_FLAT = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def tonic_pc(tonic: str) -> int:
    """Pitch class of a tonic name such as "F#" or "Bb"."""
    return PITCH_CLASSES[tonic]


def scale_pcs(tonic: str, mode: str) -> tuple[int, ...]:
    """The seven pitch classes of `tonic` `mode`, starting from the tonic."""
    root = tonic_pc(tonic)
    return tuple((root + step) % 12 for step in MODE_INTERVALS[mode])


def mode_pcs(tonic: str, mode: str) -> set[int]:
    """Pitch classes that belong to a mode; "minor" also admits the raised 6th and 7th of melodic/harmonic minor."""
    pcs = set(scale_pcs(tonic, mode))
    if mode == "minor":
        pcs |= {(tonic_pc(tonic) + 9) % 12, (tonic_pc(tonic) + 11) % 12}
    return pcs


def chord_pcs(root_pc: int, quality: str) -> tuple[int, ...]:
    """Pitch classes of a chord, root first."""
    return tuple((root_pc + step) % 12 for step in CHORD_INTERVALS[quality])


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
    if mode in MAJOR_LIKE:
        return "major"
    if mode in MINOR_LIKE:
        return "minor"
    raise ValueError(f"unknown mode {mode!r}")
