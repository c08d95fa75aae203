"""ABC text handling for the corpus build: split collections into tunes and read their header fields.

music21 parses a whole ABC collection as one Opus, which is slow, all-or-nothing and hides the header
fields we want (R: rhythm, Q: tempo, the exact K: mode). Splitting the text ourselves gives one small,
independent job per tune (parallel, and one bad tune cannot sink its collection) and lets us read the
fields directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from prompts.limits import MAX_TEMPO_BPM
from prompts.music import PITCH_CLASSES

_MODE_WORDS: dict[str, str] = {
    "": "major", "maj": "major", "major": "major", "ion": "major", "ionian": "major",
    "m": "minor", "min": "minor", "minor": "minor", "aeo": "minor", "aeolian": "minor",
    "dor": "dorian", "dorian": "dorian", "phr": "phrygian", "phrygian": "phrygian",
    "lyd": "lydian", "lydian": "lydian", "mix": "mixolydian", "mixolydian": "mixolydian",
    "loc": "locrian", "locrian": "locrian",
}

_DANCES: tuple[tuple[str, str], ...] = (
    # (substring in the normalised R: field, canonical dance); first match wins, so order matters.
    ("slipjig", "slip_jig"), ("slidejig", "slide"), ("singlejig", "jig"), ("doublejig", "jig"),
    ("hopjig", "slip_jig"), ("jig", "jig"), ("reel", "reel"), ("hornpipe", "hornpipe"),
    ("clog", "hornpipe"), ("strathspey", "strathspey"), ("polka", "polka"), ("waltz", "waltz"),
    ("walzer", "waltz"), ("march", "march"), ("marsch", "march"), ("slide", "slide"),
    ("mazurka", "mazurka"), ("schottische", "schottische"), ("barndance", "barndance"),
    ("highland", "highland"), ("fling", "highland"), ("quickstep", "march"), ("lament", "air"),
    ("air", "air"), ("minuet", "minuet"), ("menuett", "minuet"), ("polonaise", "polonaise"),
    ("country dance", "country_dance"), ("countrydance", "country_dance"), ("set dance", "set_dance"),
    ("setdance", "set_dance"), ("long dance", "set_dance"),
)


@dataclass(frozen=True)
class AbcTune:
    """One tune cut out of an ABC collection: its X: number, its text and its header fields."""

    number: int
    text: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.fields.get("T", "").strip()


def split_abc(text: str) -> list[AbcTune]:
    """Cut an ABC collection into tunes at each `X:` line, prefixing the file header to each tune.

    Why: each tune becomes its own parse job (see module docstring). Tunes without a K: field are
    kept; the extractor decides whether they are usable.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("X:")]
    if not starts:
        return []
    header = [line for line in lines[: starts[0]] if _is_field(line) and not line.startswith("%")]
    tunes: list[AbcTune] = []
    for pos, start in enumerate(starts):
        end = starts[pos + 1] if pos + 1 < len(starts) else len(lines)
        body = lines[start:end]
        number = _int_or(body[0][2:].strip(), pos + 1)
        tunes.append(AbcTune(number, "\n".join([body[0], *header, *body[1:]]) + "\n", _header_fields(body)))
    return tunes


def _is_field(line: str) -> bool:
    return len(line) >= 2 and line[1] == ":" and line[0].isalpha()


def _int_or(text: str, default: int) -> int:
    match = re.match(r"\d+", text)
    return int(match.group()) if match else default


def _header_fields(body: list[str]) -> dict[str, str]:
    """The first value of each header field up to and including K: (later ones are inline changes)."""
    fields: dict[str, str] = {}
    for line in body:
        if _is_field(line):
            fields.setdefault(line[0].upper(), line[2:].split("%")[0].strip())
            if line[0] == "K":
                break
    return fields


def parse_key(value: str) -> tuple[int, str] | None:
    """(tonic pitch class, mode) of an ABC K: value such as "Gm", "A Dorian", "Dmix", "Bb", "H".

    Returns None for keys we cannot read (K:none, bagpipe keys), so the caller can fall back to analysis.
    """
    text = value.strip()
    match = re.match(r"^([A-Ha-h])([#b]?)\s*([A-Za-z]*)", text)
    if not match:
        return None
    letter, accidental, word = match.group(1).upper(), match.group(2), match.group(3).lower()
    if letter == "H":  # German B (Essen)
        letter = "B"
    if word in ("none", "hp"):
        return None
    if word.startswith("exp"):
        word = ""
    mode = _MODE_WORDS.get(word[:3] if len(word) > 3 else word)
    if mode is None:
        mode = _MODE_WORDS.get(word)
    if mode is None:
        return None
    return PITCH_CLASSES[letter + accidental], mode


def parse_tempo_bpm(value: str) -> int | None:
    """Quarter-note beats per minute from an ABC Q: value ("1/4=120", "3/8=100", "120", '"Slow" 1/4=80')."""
    match = re.search(r"((?:\d+/\d+\s*)+)=\s*(\d+)", value)
    if match:
        beat = sum(Fraction(part) for part in match.group(1).split())
        bpm = float(beat * 4) * int(match.group(2))
    else:
        plain = re.search(r"(?<![/\d])(\d{2,3})(?![/\d])", value)
        if not plain:
            return None
        bpm = float(plain.group(1))
    return int(round(bpm)) if 30 <= bpm <= MAX_TEMPO_BPM else None


def normalise_dance(value: str | None) -> str | None:
    """Canonical dance type from an ABC R: field ("Double Jig" -> "jig", "slip jig" -> "slip_jig").

    Why: the rhythm label is a conditioning attribute, so spelling variants must collapse to one id;
    anything we do not recognise (Essen's genre descriptions) becomes None rather than noise.
    """
    if not value:
        return None
    text = value.lower().replace("-", " ").replace("_", " ")
    squeezed = text.replace(" ", "")
    for needle, dance in _DANCES:
        if re.search(r"\b" + needle, text) or (len(needle) > 6 and needle in squeezed):
            return dance
    return None
