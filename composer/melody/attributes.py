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
KINDS: tuple[str, ...] = ("mode", "meter", "tempo", "density", "range", "family", "bars", "genre")
KINDS_V1: tuple[str, ...] = KINDS[:7]
"""The kinds of the checkpoints trained before the genre family existed (they still load and sample)."""
METERS = ("2/4", "3/4", "4/4", "5/4", "6/4", "7/4", "2/2", "3/8", "6/8", "7/8", "9/8", "12/8")
TEMPOS = ("slow", "moderate", "lively", "fast")
DENSITIES = ("sparse", "medium", "busy", "very_busy")
RANGES = ("narrow", "medium", "wide")
FAMILIES = (
    "reel", "jig", "slip_jig", "hornpipe", "polka", "waltz", "march", "slide", "strathspey", "air",
    "folk_song", "fiddle_tune", "chorale", "renaissance", "classical", "romantic", "ragtime",
)
GENRES: tuple[str, ...] = ("folk", "classical", "jazz", "blues", "rock", "electronic", "cinematic", "pop", "latin")
"""Genre families: few enough that each has real data and a listener (or a classifier) tells them apart."""
VALUES: dict[str, tuple[str, ...]] = {
    "mode": MODES, "meter": METERS, "tempo": TEMPOS, "density": DENSITIES, "range": RANGES,
    "family": FAMILIES, "bars": tuple(str(n) for n in range(1, MAX_BARS + 1)), "genre": GENRES,
}

SOURCE_FAMILY: dict[str, str] = {
    "essenFolksong": "folk_song", "oneills1850": "fiddle_tune", "ryansMammoth": "fiddle_tune",
    "airdsAirs": "air", "miscFolk": "folk_song", "nottingham-dataset": "fiddle_tune", "bach": "chorale",
    "palestrina": "renaissance", "monteverdi": "renaissance", "josquin": "renaissance", "trecento": "renaissance",
    "ciconia": "renaissance", "luca": "renaissance", "lusitano": "renaissance", "joplin": "ragtime",
    "chopin": "romantic", "schumann_robert": "romantic", "schumann_clara": "romantic", "schubert": "romantic",
    "beach": "romantic", "verdi": "romantic", "weber": "romantic",
}


GENRE_OF: dict[str, str] = {
    # Motif's styles (composer.styles.STYLES keys)
    "folk": "folk", "celtic": "folk", "reel": "folk", "jig": "folk", "hornpipe": "folk", "polka": "folk",
    "waltz": "folk", "march": "folk", "klezmer": "folk", "sea_shanty": "folk", "lullaby": "folk",
    "chorale": "classical", "baroque": "classical", "medieval": "classical", "classical": "classical",
    "romantic": "classical",
    "jazz": "jazz", "swing": "jazz", "jazz_waltz": "jazz", "ragtime": "jazz", "neo_soul": "jazz",
    "blues": "blues", "gospel": "blues",
    "rock": "rock", "metal": "rock", "funk": "rock",
    "edm": "electronic", "house": "electronic", "trance": "electronic", "techno": "electronic",
    "synthwave": "electronic", "chiptune": "electronic", "trap": "electronic", "lofi": "electronic",
    "hip_hop": "electronic",
    "game": "cinematic", "cinematic": "cinematic", "ambient": "cinematic",
    "pop": "pop",
    "latin": "latin", "reggae": "latin", "bossa_nova": "latin", "tango": "latin", "flamenco": "latin",
    # the corpus melodies' families (FAMILIES): dance tunes and songs are folk, art music classical
    "slip_jig": "folk", "slide": "folk", "strathspey": "folk", "air": "folk", "folk_song": "folk",
    "fiddle_tune": "folk", "renaissance": "classical",
}
"""The one table from a name to its genre family: every Motif style id, every lead family of the Debian data
(game, rock, ... chiptune) and every corpus family, so training and requests meet in the same nine values."""


def genre_of(name: str | None) -> str:
    """The genre family of a style id or a data family; ANY for a name the table lacks (or none)."""
    return GENRE_OF.get(name or "", ANY)


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
    genre: str = ANY

    def tokens(self, kinds: tuple[str, ...] = KINDS) -> list[str]:
        """Attribute tokens in a fixed order, e.g. ["MODE_minor", "METER_6/8", ...]; `kinds`: the checkpoint's."""
        return [f"{kind.upper()}_{getattr(self, kind)}" for kind in kinds]

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


def family_of(source: str, dance: str | None, family: str | None = None) -> str:
    """Dance type when the tune names one, else the collection's family; ANY for a lead line (its `family`
    is a genre, which the genre attribute carries)."""
    if dance in FAMILIES:
        return dance
    if family is not None:
        return ANY
    return SOURCE_FAMILY.get(source, "classical")


def known(kind: str, value: str) -> str:
    """`value` if the vocabulary has it, else ANY (an unseen meter or a 100-bar piece must not break encoding)."""
    return value if value in VALUES[kind] else ANY


def melody_attributes(
    mode: str, meter: str, tempo_bpm: float, notes: list[tuple[int, float, float]], bars: int,
    source: str, dance: str | None, family: str | None = None,
) -> Attributes:
    """Attributes measured from a melody's notes and metadata (`family`: a lead line's genre family)."""
    pitches = [p for p, _, _ in notes] or [60]
    quarters = max(1.0, bars * _bar_quarters(meter))
    return Attributes(
        mode=known("mode", mode),
        meter=known("meter", meter),
        tempo=tempo_band(tempo_bpm),
        density=density_band(len(notes) / quarters),
        range=range_band(max(pitches) - min(pitches)),
        family=family_of(source, dance, family),
        bars=known("bars", str(bars)),
        genre=genre_of(family or family_of(source, dance)),
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


GENRE_WORDS = {
    "folk": ["folk", "traditional"], "classical": ["classical", "art-music"], "jazz": ["jazz", "jazzy"],
    "blues": ["blues", "bluesy"], "rock": ["rock", "guitar-rock"], "electronic": ["electronic", "synth"],
    "cinematic": ["cinematic", "game-soundtrack"], "pop": ["pop", "catchy pop"], "latin": ["latin", "latin-groove"],
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
    if attrs.genre != ANY and attrs.family == ANY:
        words.append(rng.choice(GENRE_WORDS[attrs.genre]))
    head = " ".join(w for w in words if w)
    text = f"a {head} {noun}" if head else f"a {noun}"
    if attrs.mode != ANY:
        text += rng.choice([f" in a {attrs.mode} key", f" in {attrs.mode}", f", {attrs.mode} mode"])
    if attrs.meter != ANY:
        text += rng.choice([f" in {attrs.meter}", f", {attrs.meter} time"])
    if attrs.bars != ANY:
        text += rng.choice([f", {attrs.bars} bars", f", {attrs.bars} measures long"])
    return text
