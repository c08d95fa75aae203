"""The data of a remix: one `Edit` per understood phrase, and the `EditPlan` the composer follows.

Kept apart from the readers and the appliers so both can import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prompts.errors import ParseError
from prompts.music import PITCH_CLASSES, TRIAD_OF, chord_symbol, scale_pcs, split_chord_symbol

EXAMPLES: tuple[str, ...] = (
    "faster",
    "in 3/4 with drums",
    "transpose to E minor",
    "swap piano for rhodes",
    "make it 16 bars",
    "make it bossa nova",
)
"""Instructions shown to a user whose reply Motif could not read."""

KINDS: tuple[str, ...] = (
    "tempo", "key", "meter", "length", "instruments", "drums", "style", "mood", "density", "register",
    "variation", "continuation", "harmonise", "chords", "form", "note",
)
"""Edit kinds. "note" carries a remark from reading (a corrected typo, ignored words) and changes nothing."""


class EditError(ParseError):
    """A remix instruction Motif cannot carry out; the message is written for the user who typed it.

    A `ParseError` (and so a `ValueError`) so a front end that already reports prompt errors reports these too.
    """


def examples_message(prefix: str) -> str:
    """`prefix` followed by a few instructions Motif understands, so a refusal always shows the way forward."""
    return f"{prefix} Try for example: " + ", ".join(f'"{example}"' for example in EXAMPLES[:5]) + "."


@dataclass(frozen=True)
class Edit:
    """One change the user asked for: its kind, JSON-able parameters, and the words it came from."""

    kind: str
    params: dict[str, Any]
    text: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown edit kind {self.kind!r}; expected one of {KINDS}")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params), "text": self.text}


@dataclass
class EditPlan:
    """What the composer must do to turn the parent piece into the remix.

    The three levels nest: `keep_notes` (every existing note stays; parts may be added, moved to another
    instrument, transposed by `transpose_semitones` + 12 * `octave_shift`, retimed, or the piece continued
    by `continue_bars` / cut to the new `bars`) implies `keep_melody` (the melody stays, everything around
    it is re-arranged; when the mode changed, melody notes are mapped by scale degree into the new mode),
    and `regenerate` (write the whole piece afresh from the new Spec) excludes both. `vary_bars` (1-based,
    inclusive) rewrites only those bars. `new_seed` tells the caller to pick a new seed (the user asked
    for different notes); otherwise the parent's seed is kept so results stay reproducible.

    `chords_from_parent` ("plain", "richer", "triads"; "" for none) asks the composer to take the parent
    piece's own plan chords as the child's progression (recoloured so: `recolour`), for a chord edit made
    to a parent whose chords the style chose ("jazzier chords", "two chords per bar"); `chords_changed`
    says a chord edit was made, so the melody is kept and fitted to the new chords.

    `form_bars` (a form edit: "add a bridge", "repeat the chorus") gives, for each bar of the child, the parent's
    bar (0-based) it plays, -1 for a bar composed new; `loop_bar` asks for the last bar's harmony and drums anew.
    """

    keep_notes: bool = True
    keep_melody: bool = True
    regenerate: bool = False
    new_seed: bool = False
    continue_bars: int = 0
    vary_bars: tuple[int, int] | None = None
    harmonise: bool = False
    counter_melody: bool = False
    transpose_semitones: int = 0
    octave_shift: int = 0
    chords_changed: bool = False
    chords_from_parent: str = ""
    form_bars: tuple[int, ...] = ()
    loop_bar: bool = False
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "keep_notes": self.keep_notes, "keep_melody": self.keep_melody, "regenerate": self.regenerate,
            "new_seed": self.new_seed, "continue_bars": self.continue_bars,
            "vary_bars": list(self.vary_bars) if self.vary_bars else None, "harmonise": self.harmonise,
            "counter_melody": self.counter_melody, "transpose_semitones": self.transpose_semitones,
            "octave_shift": self.octave_shift, "chords_changed": self.chords_changed,
            "chords_from_parent": self.chords_from_parent, "form_bars": list(self.form_bars), "loop_bar": self.loop_bar,
            "summary": list(self.summary), "notes": list(self.notes),
        }


COLOURS: tuple[str, ...] = ("plain", "richer", "triads")
"""What a chord-colour edit asks: the chords as they are, as sevenths (sevenths as ninths), or as triads."""
_RICHER = {"min": "m7", "dim": "m7b5", "sus4": "7sus4", "7": "9", "m7": "m9", "maj7": "maj9", "6": "69",
           "aug": "aug7"}


def recolour(symbols: tuple[str, ...], tonic: str, mode: str, colour: str) -> tuple[str, ...]:
    """A progression with the same roots (and basses) in another colour: "richer" stacks a seventh on each
    triad (C -> Cmaj7 in C, G -> G7, Dm -> Dm7: a major triad whose major seventh is outside the key is a
    dominant) and a ninth on each seventh; "triads" keeps the triad each chord is heard as.

    Shared by the edit language (the user's chords) and the composer (a plan's chords, `chords_from_parent`)."""
    if colour not in COLOURS:
        raise ValueError(f"unknown chord colour {colour!r}; expected one of {COLOURS}")
    scale = set(scale_pcs(tonic, mode))
    coloured = []
    for symbol in symbols:
        root, quality, bass = split_chord_symbol(symbol)
        if colour == "triads":
            quality = TRIAD_OF.get(quality, quality)
        elif colour == "richer" and quality == "maj":
            quality = "maj7" if (PITCH_CLASSES[root] + 11) % 12 in scale else "7"
        elif colour == "richer":
            quality = _RICHER.get(quality, quality)
        coloured.append(chord_symbol(root, quality, bass))
    return tuple(coloured)
