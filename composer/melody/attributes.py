"""Measurable attributes of a melody, the conditioning the learned model is trained and asked with.

The same function bands a corpus melody (training) and a user's Spec (inference), so the two meet in one
vocabulary: mode, meter, tempo band, note density, pitch range, dance or genre family, and bar count.
Captions put the same facts into varied words for the text encoder, which is how free words in a prompt
("moody", "noir") reach the model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from prompts.limits import MAX_BARS
from prompts.music import MODES

ANY = "any"
KINDS: tuple[str, ...] = ("mode", "meter", "tempo", "density", "range", "family", "bars")
METERS = ("2/4", "3/4", "4/4", "5/4", "6/4", "7/4", "2/2", "3/8", "6/8", "7/8", "9/8", "12/8")
TEMPOS = ("slow", "moderate", "lively", "fast")
DENSITIES = ("sparse", "medium", "busy", "very_busy")
RANGES = ("narrow", "medium", "wide")
FAMILIES = (
    "reel", "jig", "slip_jig", "hornpipe", "polka", "waltz", "march", "slide", "strathspey", "air",
    "folk_song", "fiddle_tune", "chorale", "renaissance", "classical", "romantic", "ragtime",
)
VALUES: dict[str, tuple[str, ...]] = {
    "mode": MODES, "meter": METERS, "tempo": TEMPOS, "density": DENSITIES, "range": RANGES,
    "family": FAMILIES, "bars": tuple(str(n) for n in range(1, MAX_BARS + 1)),
}

SOURCE_FAMILY: dict[str, str] = {
    "essenFolksong": "folk_song", "oneills1850": "fiddle_tune", "ryansMammoth": "fiddle_tune",
    "airdsAirs": "air", "miscFolk": "folk_song", "nottingham-dataset": "fiddle_tune", "bach": "chorale",
    "palestrina": "renaissance", "monteverdi": "renaissance", "josquin": "renaissance", "trecento": "renaissance",
    "ciconia": "renaissance", "luca": "renaissance", "lusitano": "renaissance", "joplin": "ragtime",
    "chopin": "romantic", "schumann_robert": "romantic", "schumann_clara": "romantic", "schubert": "romantic",
    "beach": "romantic", "verdi": "romantic", "weber": "romantic",
}


@dataclass(frozen=True)
class Attributes:
    """One value per kind; `ANY` where unknown or deliberately left free (attribute dropout)."""

    mode: str = ANY
    meter: str = ANY
    tempo: str = ANY
    density: str = ANY
    range: str = ANY
    family: str = ANY
    bars: str = ANY

    def tokens(self) -> list[str]:
        """Attribute tokens in a fixed order, e.g. ["MODE_minor", "METER_6/8", ...]."""
        return [f"{kind.upper()}_{getattr(self, kind)}" for kind in KINDS]

    def dropped(self, rng: random.Random, p: float) -> Attributes:
        """A copy with each attribute set to ANY with probability p, so the model also learns to fill gaps."""
        values = {kind: (ANY if rng.random() < p else getattr(self, kind)) for kind in KINDS}
        return Attributes(**values)


def band(value: float, edges: tuple[tuple[float, str], ...], top: str) -> str:
    """The name of the first band whose upper edge `value` stays below, else `top`."""
    return next((name for edge, name in edges if value < edge), top)


TEMPO_BANDS = ((76, "slow"), (108, "moderate"), (150, "lively"))
DENSITY_BANDS = ((0.75, "sparse"), (1.25, "medium"), (2.0, "busy"))
RANGE_BANDS = ((10, "narrow"), (17, "medium"))
"""Upper edges (exclusive) of the attribute bands the model was trained on: bpm, notes per quarter note and
the span in semitones (a span of 9 is narrow, 16 medium). Changing one changes what the checkpoint was
conditioned on: retrain."""


def tempo_band(tempo_bpm: float) -> str:
    return band(tempo_bpm, TEMPO_BANDS, "fast")


def density_band(notes_per_quarter: float) -> str:
    return band(notes_per_quarter, DENSITY_BANDS, "very_busy")


def range_band(span_semitones: int) -> str:
    return band(span_semitones, RANGE_BANDS, "wide")


def family_of(source: str, dance: str | None) -> str:
    """Dance type when the tune names one, else the collection's family."""
    if dance in FAMILIES:
        return dance
    return SOURCE_FAMILY.get(source, "classical")


def known(kind: str, value: str) -> str:
    """`value` if the vocabulary has it, else ANY (an unseen meter or a 100-bar piece must not break encoding)."""
    return value if value in VALUES[kind] else ANY


def melody_attributes(
    mode: str, meter: str, tempo_bpm: float, notes: list[tuple[int, float, float]], bars: int,
    source: str, dance: str | None,
) -> Attributes:
    """Attributes measured from a melody's notes and metadata."""
    pitches = [p for p, _, _ in notes] or [60]
    quarters = max(1.0, bars * _bar_quarters(meter))
    return Attributes(
        mode=known("mode", mode),
        meter=known("meter", meter),
        tempo=tempo_band(tempo_bpm),
        density=density_band(len(notes) / quarters),
        range=range_band(max(pitches) - min(pitches)),
        family=family_of(source, dance),
        bars=known("bars", str(bars)),
    )


def _bar_quarters(meter: str) -> float:
    num, den = meter.split("/")
    return int(num) * 4.0 / int(den)


TEMPO_WORDS = {"slow": ["slow", "gentle", "unhurried"], "moderate": ["moderate", "walking-pace", "steady"],
               "lively": ["lively", "brisk", "upbeat"], "fast": ["fast", "quick", "driving"]}
DENSITY_WORDS = {"sparse": ["sparse", "spacious", "simple"], "medium": ["flowing", "singable", "even"],
                 "busy": ["busy", "ornate", "running"], "very_busy": ["dense", "virtuosic", "rapid-fire"]}
RANGE_WORDS = {"narrow": ["narrow-ranged", "close"], "medium": ["", "arching"], "wide": ["wide-ranging", "leaping"]}
FAMILY_WORDS = {
    "reel": "reel", "jig": "jig", "slip_jig": "slip jig", "hornpipe": "hornpipe", "polka": "polka",
    "waltz": "waltz", "march": "march", "slide": "slide", "strathspey": "strathspey", "air": "slow air",
    "folk_song": "folk song", "fiddle_tune": "fiddle tune", "chorale": "chorale melody",
    "renaissance": "renaissance vocal line", "classical": "classical melody", "romantic": "romantic melody",
    "ragtime": "ragtime tune",
}


def caption(attrs: Attributes, rng: random.Random) -> str:
    """A sentence describing the attributes in varied wording, as a user might type it."""
    words = []
    if attrs.tempo != ANY:
        words.append(rng.choice(TEMPO_WORDS[attrs.tempo]))
    if attrs.density != ANY:
        words.append(rng.choice(DENSITY_WORDS[attrs.density]))
    if attrs.range != ANY:
        words.append(rng.choice(RANGE_WORDS[attrs.range]))
    noun = FAMILY_WORDS.get(attrs.family, "melody")
    head = " ".join(w for w in words if w)
    text = f"a {head} {noun}" if head else f"a {noun}"
    if attrs.mode != ANY:
        text += rng.choice([f" in a {attrs.mode} key", f" in {attrs.mode}", f", {attrs.mode} mode"])
    if attrs.meter != ANY:
        text += rng.choice([f" in {attrs.meter}", f", {attrs.meter} time"])
    if attrs.bars != ANY:
        text += rng.choice([f", {attrs.bars} bars", f", {attrs.bars} measures long"])
    return text
