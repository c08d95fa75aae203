"""The `Spec`: what a user asked for, as data.

Every front end (CLI, console chat, Discord) turns text into a `Spec`, and the composer turns a `Spec`
into music. It is frozen so a `Spec` can be shared, hashed and stored without surprises; edits make a
new one with `dataclasses.replace`. The modes and tonics it accepts are `prompts.music`'s, its tempo range
and MAX_PARTS `prompts.limits`' (importable from here too, beside the fields they check).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from prompts.limits import MAX_PARTS as MAX_PARTS
from prompts.limits import MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.music import MINOR_THIRD_MODES, MODES, TONICS, split_chord_symbol

ROLES: tuple[str, ...] = ("melody", "counter", "chords", "pad", "bass")
"""What an instrument does in the arrangement: lead line, second line, comping, sustained pad, bass."""
CHORDS_PER_BAR: tuple[float, ...] = (0.5, 1.0, 2.0)
"""Harmonic rhythms a user can ask for: a chord every two bars, one per bar (the default), two per bar."""

GROOVE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]{0,63}")
"""An MMA groove name as its library spells it ("SlowJazz1Walk", "rock1A", "68March")."""

TIME_SIGNATURES: tuple[str, ...] = ("2/4", "3/4", "4/4", "5/4", "6/8", "7/8", "9/8", "12/8", "2/2", "6/4", "7/4")

FIELDS: tuple[str, ...] = (
    "tonic", "mode", "tempo_bpm", "time_signature", "bars", "genre", "moods", "instruments", "drums",
    "density", "register", "chords", "form",
)
"""Musical fields that can be stated by the user (and so appear in `Spec.explicit`)."""


@dataclass(frozen=True)
class Instrument:
    """One part of the arrangement: a General MIDI program and the role it plays."""

    name: str
    program: int
    role: str = "chords"

    def __post_init__(self) -> None:
        if not 0 <= self.program <= 127:
            raise ValueError(f"General MIDI program must be 0-127, got {self.program}")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "program": self.program, "role": self.role}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instrument:
        return cls(name=str(data["name"]), program=int(data["program"]), role=str(data.get("role", "chords")))


SECTION_NAMES: tuple[str, ...] = ("intro", "verse", "pre-chorus", "chorus", "bridge", "outro")
"""Named sections a form may hold; single capital letters ("A", "B", ...) name the sections of a letter form."""
ENDINGS: tuple[str, ...] = ("tonic", "half", "loop")
"""How a piece ends: on the tonic, on a half cadence (V), or leading back into its first bar (loopable)."""


@dataclass(frozen=True)
class Section:
    """One section of a form: its name ("verse", or a letter "A"), its length in bars and, where the user
    gave them, its own chords. Sections with the same name are played alike (the same harmony and tune)."""

    name: str
    bars: int
    chords: tuple[str, ...] = ()
    shift: int = 0
    """Semitones above the piece's key this section is played in (a key change from it on); 0: the key."""

    def __post_init__(self) -> None:
        if not -11 <= self.shift <= 11:
            raise ValueError(f"a section's key change is -11..11 semitones, got {self.shift}")
        if self.name not in SECTION_NAMES and not (len(self.name) == 1 and self.name.isupper()):
            raise ValueError(f"unknown section {self.name!r}; expected one of {SECTION_NAMES} or a letter")
        if self.bars < 1:
            raise ValueError("a section needs at least 1 bar")
        for symbol in self.chords:
            split_chord_symbol(symbol)

    @property
    def label(self) -> str:
        """The rehearsal mark the score shows: "A", "Verse", "Pre-Chorus"."""
        return self.name if len(self.name) == 1 else self.name.title()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "bars": self.bars, "chords": list(self.chords), "shift": self.shift}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(str(data["name"]), int(data["bars"]), tuple(str(c) for c in data.get("chords", ())),
                   int(data.get("shift", 0)))


@dataclass(frozen=True)
class Spec:
    """A complete, resolved request: every field has a value; `explicit` says which ones the user stated.

    `density` (0 sparse .. 1 busy) and `register` (octave shift of the melody, -1/0/+1) carry what moods
    imply about texture. `notes` are short human-readable remarks on how the prompt was read (nearest
    genre for an unknown word, a capped bar count...), shown to the user so nothing is silently changed.
    `chords` is the user's progression as normalised symbols (`prompts.music.split_chord_symbol` reads
    them), in order, one per harmonic-rhythm slot (`chords_per_bar`); the harmony plan loops it over the
    piece. Empty: the style chooses the chords. `form` is the user's sections in order (their bars add up to
    `bars`; empty: the style's default shape), `ending` how the last bar closes (`ENDINGS`). `groove` is the
    MMA groove the prompt's free words chose (nearest by the text encoder; None: the style's table chooses).
    """

    prompt: str = ""
    tonic: str = "C"
    mode: str = "major"
    tempo_bpm: int = 110
    time_signature: str = "4/4"
    bars: int = 8
    genre: str | None = None
    moods: tuple[str, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    drums: bool = False
    density: float = 0.5
    register: int = 0
    seed: int = 0
    chords: tuple[str, ...] = ()
    chords_per_bar: float = 1.0
    form: tuple[Section, ...] = ()
    ending: str = "tonic"
    groove: str | None = None
    explicit: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; expected one of {MODES}")
        if self.tonic not in TONICS:
            raise ValueError(f"unknown tonic {self.tonic!r}")
        if self.time_signature not in TIME_SIGNATURES:
            raise ValueError(f"unsupported time signature {self.time_signature!r}")
        if self.bars < 1:
            raise ValueError("bars must be at least 1")
        if not MIN_TEMPO_BPM <= self.tempo_bpm <= MAX_TEMPO_BPM:
            raise ValueError(f"tempo {self.tempo_bpm} bpm is outside {MIN_TEMPO_BPM}-{MAX_TEMPO_BPM}")
        for symbol in self.chords:
            split_chord_symbol(symbol)  # a normalised symbol, or ValueError
        if self.chords_per_bar not in CHORDS_PER_BAR:
            raise ValueError(f"chords_per_bar must be one of {CHORDS_PER_BAR}, got {self.chords_per_bar}")
        if self.ending not in ENDINGS:
            raise ValueError(f"ending must be one of {ENDINGS}, got {self.ending!r}")
        if self.groove is not None and not (isinstance(self.groove, str) and GROOVE_NAME.fullmatch(self.groove)):
            raise ValueError(f"a groove is named by letters, digits, '_', '+' or '-' (up to 64), got {self.groove!r}")
        unknown = set(self.explicit) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown explicit fields {sorted(unknown)}")

    @property
    def meter(self) -> tuple[int, int]:
        """(numerator, denominator) of the time signature."""
        num, den = self.time_signature.split("/")
        return int(num), int(den)

    @property
    def bar_quarters(self) -> float:
        """Length of one bar in quarter notes (6/8 -> 3.0, 5/4 -> 5.0)."""
        num, den = self.meter
        return num * 4.0 / den

    def form_text(self) -> str:
        """The form as people read it on the card and at the terminal: "A 8 · A 8 · B 8 · A 8, ends on a half
        cadence", a section's own chords and key change in brackets; "" when the style shapes the piece."""
        parts = []
        for section in self.form:
            extra = [" ".join(section.chords)] if section.chords else []
            extra += [f"{section.shift:+d} semitones"] if section.shift else []
            parts.append(f"{section.label} {section.bars}" + (f" ({'; '.join(extra)})" if extra else ""))
        ending = {"half": "ends on a half cadence", "loop": "loops back to the start"}.get(self.ending)
        return ", ".join(filter(None, [" · ".join(parts), ending]))

    @property
    def is_minor_family(self) -> bool:
        """True for modes whose third is minor; used for key checks and harmony choices."""
        return self.mode in MINOR_THIRD_MODES

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["moods"] = list(self.moods)
        data["instruments"] = [inst.to_dict() for inst in self.instruments]
        data["chords"] = list(self.chords)
        data["form"] = [section.to_dict() for section in self.form]
        data["explicit"] = list(self.explicit)
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Spec:
        return cls(
            prompt=str(data.get("prompt", "")),
            tonic=str(data.get("tonic", "C")),
            mode=str(data.get("mode", "major")),
            tempo_bpm=int(data.get("tempo_bpm", 110)),
            time_signature=str(data.get("time_signature", "4/4")),
            bars=int(data.get("bars", 8)),
            genre=data.get("genre"),
            moods=tuple(data.get("moods", ())),
            instruments=tuple(Instrument.from_dict(i) for i in data.get("instruments", ())),
            drums=bool(data.get("drums", False)),
            density=float(data.get("density", 0.5)),
            register=int(data.get("register", 0)),
            seed=int(data.get("seed", 0)),
            chords=tuple(str(c) for c in data.get("chords", ())),
            chords_per_bar=float(data.get("chords_per_bar", 1.0)),
            form=tuple(Section.from_dict(s) for s in data.get("form", ())),
            ending=str(data.get("ending", "tonic")),
            groove=data.get("groove"),
            explicit=tuple(data.get("explicit", ())),
            notes=tuple(data.get("notes", ())),
        )
