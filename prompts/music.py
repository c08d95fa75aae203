"""Music facts: modes, their families, pitch classes and note names, chord qualities. One place for each.

These are facts of tonal music, not choices of Motif's style, so every reader (prompts), writer (composer)
and front end (bot) takes them from here instead of keeping its own copy; the architecture tests fail when a
module elsewhere lists the modes again. It sits at the bottom of `prompts` and imports nothing, so the
composer may import it without reaching the prompt readers. The two sums both sides need (a key's scale, a
chord's tones) are here too; the composer's other pitch arithmetic (nearest pitch, ranges) lives in
`composer.theory`.
"""

from __future__ import annotations

# -- Modes ---------------------------------------------------------------------------------------------

MODES: tuple[str, ...] = ("major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian")
"""The eight modes a Spec can be in, in the order the learned model's MODE_ attribute lists them.
"minor" is tonal minor (its melodies may raise the 6th and 7th); "aeolian" is the pure natural minor."""

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
"""Semitones above the tonic of each mode's seven degrees (minor is written as natural minor)."""

MODE_ROTATION: dict[str, int] = {
    "major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9, "aeolian": 9, "locrian": 11,
}
"""Semitones from the tonic of a mode's parent (relative) major up to the mode's own tonic: D dorian is the
notes of C major started on D, 2 semitones up. Used for relative keys and for key-signature spelling."""

MAJOR_THIRD_MODES: tuple[str, ...] = ("major", "lydian", "mixolydian")
"""Modes whose third is major: they sound "major", take a major tonic triad and a major key profile."""

MINOR_THIRD_MODES: tuple[str, ...] = ("minor", "dorian", "phrygian", "aeolian", "locrian")
"""Modes whose third is minor: they sound "minor", are spelled as minor keys (G# not Ab) and are heard
through the minor key profile. Every mode is in exactly one of the two third families."""

MODE_FAMILIES: tuple[str, ...] = ("major", "minor")
"""The two families a mode falls in by its third (see MAJOR_THIRD_MODES and MINOR_THIRD_MODES)."""

TONAL_MINOR_MODES: tuple[str, ...] = ("minor", "aeolian", "dorian")
"""Minor-third modes whose harmony works like common-practice minor (i-iv-V-i makes sense): their 2nd and
5th degrees are whole. Phrygian and locrian (flat 2nd) are deliberately not here: they are modal."""

MODAL_MODES: tuple[str, ...] = ("dorian", "phrygian", "lydian", "mixolydian", "locrian")
"""The modes that are neither major nor natural/tonal minor. Each differs from one of those by a note or
two, so harmony has to lean on the tonic (pedals, tonic-heavy vamps) for the mode to be heard as itself."""

# -- Pitch classes and note names ----------------------------------------------------------------------

PITCH_CLASSES: dict[str, int] = {
    "C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "E#": 5, "F": 5,
    "F#": 6, "Gb": 6, "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11,
}
"""Pitch class (0 = C) of every letter with at most one sharp or flat, the unusual spellings included."""

TONICS: tuple[str, ...] = (
    "C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B", "Cb",
)
"""The names a Spec's tonic may have: every spelling a key is written in (B#, E# and Fb are not)."""

TONIC_RESPELLING: dict[str, str] = {"E#": "F", "B#": "C", "Fb": "E"}
"""Note names no key is written in, to the name of the same pitch that is (a user's "E# major" is F)."""

NOTE_NAMES_SHARP: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
"""Pitch class -> name, black keys as sharps."""

NOTE_NAMES_FLAT: tuple[str, ...] = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
"""Pitch class -> name, black keys as flats."""

MAJOR_KEY_SPELLING: tuple[str, ...] = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""Pitch class -> the usual name of a major-third key's tonic (Db and Ab major, not C# and G#: fewer
accidentals in the signature; F# over Gb by custom)."""

MINOR_KEY_SPELLING: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
"""Pitch class -> the usual name of a minor-third key's tonic (C# and G# minor, but Eb and Bb minor)."""

FLAT_MAJOR_KEY_PCS: frozenset[int] = frozenset({5, 10, 3, 8, 1, 6})
"""Pitch classes of the major keys written with flats (F, Bb, Eb, Ab, Db, Gb); a mode is spelled like its
parent major (see MODE_ROTATION)."""

# -- Chords --------------------------------------------------------------------------------------------

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
    "aug7": (0, 4, 8, 10),
    "7b9": (0, 4, 7, 10, 13),
    "7#9": (0, 4, 7, 10, 15),
    "69": (0, 4, 7, 9, 14),
    "madd9": (0, 3, 7, 14),
    "11": (0, 7, 10, 14, 17),
}
"""Semitones above the root of each chord quality the harmony planner writes (keys are the quality names
a `Chord` carries; the order is the order chord matching tries them in, so qualities only a user's chord
symbol asks for come last)."""

CHORD_SUFFIX: dict[str, str] = {
    "maj": "", "min": "m", "dim": "dim", "aug": "+", "sus2": "sus2", "sus4": "sus4", "5": "5", "6": "6",
    "m6": "m6", "7": "7", "maj7": "maj7", "m7": "m7", "m7b5": "m7b5", "dim7": "dim7", "mmaj7": "m(maj7)",
    "9": "9", "maj9": "maj9", "m9": "m9", "7sus4": "7sus4", "add9": "add9", "m11": "m11", "13": "13",
    "aug7": "7#5", "7b9": "7b9", "7#9": "7#9", "69": "69", "madd9": "madd9", "11": "11",
}
"""How each quality is written after its root in a normalised chord symbol ("Bb" + "maj7", "F#" + "m7b5").
`Spec.chords` holds symbols in exactly this form, with an optional "/Bass" ("C/E"): `split_chord_symbol`
reads them back without any of the leniency of the prompt reader (which accepts Δ, ø, °, -7, M7 ...)."""

TRIAD_OF: dict[str, str] = {
    "maj": "maj", "7": "maj", "maj7": "maj", "9": "maj", "maj9": "maj", "6": "maj", "add9": "maj", "13": "maj",
    "69": "maj", "7b9": "maj", "7#9": "maj", "min": "min", "m7": "min", "m9": "min", "m6": "min", "mmaj7": "min",
    "m11": "min", "madd9": "min", "dim": "dim", "m7b5": "dim", "dim7": "dim", "aug": "aug", "aug7": "aug",
    "sus4": "sus4", "7sus4": "sus4", "11": "sus4", "sus2": "sus2", "5": "5",
}
"""The triad each quality is named by (its root, third and fifth: Am9 is an A minor, C7#9 a C major, D11 a
Dsus4; a suspension or a power chord as it is). What a chord becomes when a style or an edit asks for triads,
and what a listener checks for (`composer.harmony.given.heard_triad` keeps a dim7 whole there)."""

def scale_pcs(tonic: str, mode: str) -> tuple[int, ...]:
    """The seven pitch classes of `tonic` `mode`, starting from the tonic."""
    root = PITCH_CLASSES[tonic]
    return tuple((root + step) % 12 for step in MODE_INTERVALS[mode])


def chord_pcs(root_pc: int, quality: str) -> tuple[int, ...]:
    """Pitch classes of a chord, root first."""
    return tuple((root_pc + step) % 12 for step in CHORD_INTERVALS[quality])


_QUALITY_OF_SUFFIX = {suffix: quality for quality, suffix in CHORD_SUFFIX.items()}


def chord_symbol(root: str, quality: str, bass: str | None = None) -> str:
    """The normalised symbol of a chord: root spelling, the quality's suffix, then "/bass" when it differs."""
    if root not in PITCH_CLASSES or quality not in CHORD_SUFFIX or (bass is not None and bass not in PITCH_CLASSES):
        raise ValueError(f"not a chord: root {root!r}, quality {quality!r}, bass {bass!r}")
    slash = f"/{bass}" if bass is not None and PITCH_CLASSES[bass] != PITCH_CLASSES[root] else ""
    return f"{root}{CHORD_SUFFIX[quality]}{slash}"


def split_chord_symbol(symbol: str) -> tuple[str, str, str | None]:
    """(root, quality, bass or None) of a normalised symbol such as "F#m7b5" or "C/E"; ValueError otherwise."""
    head, _, bass = symbol.partition("/")
    root = head[:2] if head[1:2] in ("b", "#") else head[:1]
    quality = _QUALITY_OF_SUFFIX.get(head[len(root):])
    if root not in PITCH_CLASSES or quality is None or (bass and bass not in PITCH_CLASSES) or symbol.endswith("/"):
        raise ValueError(f"not a normalised chord symbol: {symbol!r}")
    return root, quality, bass or None

# -- General MIDI --------------------------------------------------------------------------------------

DRUM_CHANNEL = 9
"""The channel General MIDI reserves for percussion, counted from zero as MIDI files store it (the
musicians' "channel 10")."""

GM_FAMILY_SIZE = 8
"""General MIDI programs come in sixteen families of eight (0-7 pianos, 32-39 basses, 40-47 strings...), so
`program // GM_FAMILY_SIZE` names a program's family."""


SAMBA_WORDS: tuple[str, ...] = ("samba", "carnival", "carnaval", "batucada")
"""Words that mean samba, the latin style's Brazilian sub-style: the composer plays the samba groove where the
prompt holds one (`composer.styles.GROOVE_FITS`), so Rio's carnival is not played as a salsa."""
