"""The data of a remix: one `Edit` per understood phrase, and the `EditPlan` the composer follows.

Kept apart from the readers and the appliers so both can import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prompts.errors import ParseError

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
    "variation", "continuation", "harmonise", "note",
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
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "keep_notes": self.keep_notes, "keep_melody": self.keep_melody, "regenerate": self.regenerate,
            "new_seed": self.new_seed, "continue_bars": self.continue_bars,
            "vary_bars": list(self.vary_bars) if self.vary_bars else None, "harmonise": self.harmonise,
            "counter_melody": self.counter_melody, "transpose_semitones": self.transpose_semitones,
            "octave_shift": self.octave_shift, "summary": list(self.summary), "notes": list(self.notes),
        }
