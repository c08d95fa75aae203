"""Keys as people type them: "D minor", "Dm", "d min", "F#", "F sharp", "B flat", "E-flat", "in the key of G".

The hard part is not reading keys but not inventing them: "a short motif", "A jazz tune", "I want",
"be happy" contain note letters. A bare letter is a key only in a key-ish context ("in A", "key of A",
"A major", "Am"); a lower-case "a" before "minor"/"major" is an article unless it follows "in"/"of" or
starts the prompt, and "a minor key" states only the mode. Lower-case chord symbols ("dm", "f#m", "bbm")
are keys only where the words beside them are music ("dm ballad", "in dm"), so "dm me a song" and
"fm piano" are not; "am" needs a key word before it ("in am"), so "i am sad" stays English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prompts.music import MAJOR_KEY_SPELLING, MINOR_KEY_SPELLING, MINOR_THIRD_MODES, TONIC_RESPELLING, TONICS
from prompts.scan import TextMask
from prompts.words.lexicon import lookup, phrase_at

MODE_WORDS: dict[str, str] = {
    "natural minor": "minor", "harmonic minor": "minor", "melodic minor": "minor", "mixolydian": "mixolydian",
    "phrygian": "phrygian", "aeolian": "aeolian", "locrian": "locrian", "lydian": "lydian",
    "dorian": "dorian", "ionian": "major", "major": "major", "minor": "minor", "maj": "major", "min": "minor",
}
"""A user's words for a mode -> the mode (vocabulary; the modes themselves are `prompts.music.MODES`)."""


def spell(pitch_class: int, mode: str) -> str:
    """The usual name of a tonic in a mode's family (Ab major but G# minor)."""
    names = MINOR_KEY_SPELLING if mode in MINOR_THIRD_MODES else MAJOR_KEY_SPELLING
    return names[pitch_class % 12]


_MODE_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(MODE_WORDS, key=len, reverse=True))
_FULL_MODE_ALT = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(MODE_WORDS, key=len, reverse=True) if len(w) > 3
)
_ACC = r"(?P<acc>\s?-?\s?(?:sharp|flat)\b|#|b(?=(?:m|min|maj)?(?![\w#])))"
_NOTE = rf"(?<![\w#])(?P<letter>[A-Ga-g]){_ACC}?"
_KEY_WORDS: tuple[str, ...] = ("in", "of", "key")
"""Words after which a note or chord symbol names a key ("in A", "key of am")."""
_KEY_CONTEXT = rf"(?:{'|'.join(_KEY_WORDS)}|start)"
_MODE_ONLY_FOLLOWERS = re.compile(r"\s+(?:key|tonality|scale|mode)\b", re.I)

_KEY_OF = re.compile(rf"\bkey\s*(?:of|:|=)\s*{_NOTE}(?:\s*-?\s*(?P<mode>{_MODE_ALT})\b)?(?![\w#])", re.I)
_NOTE_MODE = re.compile(rf"{_NOTE}\s*-?\s*(?P<mode>{_MODE_ALT})\b", re.I)
_CHORD_MINOR = re.compile(r"(?<![\w#])(?P<letter>[A-G])(?P<acc>#|b)?m(?![a-zA-Z#])")
_LOWER_CHORD = re.compile(r"(?<![\w#])(?P<letter>[a-g])(?P<acc>#|b)?m(?![\w#])")
MUSIC_NOUNS: frozenset[str] = frozenset(
    "song songs tune tunes piece pieces track tracks melody melodies music riff loop vamp jam progression "
    "chord chords scale composition theme".split()
)
"""Nouns that make a neighbouring lower-case chord symbol a key ("a dm tune"), besides the lexicon's phrases."""
_PREVIOUS_WORD = re.compile(r"([^\W_]+)[^\w#]*$")
_NEXT_WORD = re.compile(r"[^\w#]*([^\W_]+)")
_IN_NOTE = re.compile(rf"\bin\s+(?:the\s+)?{_NOTE}(?![\w#])", re.I)
_ALTERED_NOTE = re.compile(
    r"(?<![\w#])(?P<letter>[A-G])(?P<acc>#|b)(?![\w#])|(?<![\w#])(?P<letter2>[A-Ga-g])(?P<acc2>#|\s?-?\s?(?:sharp|flat)\b)"
)
_MODE_ONLY = re.compile(rf"\b(?P<mode>{_FULL_MODE_ALT})\b", re.I)


@dataclass
class KeyReading:
    """What the prompt says about the key: tonic and mode each None when unstated."""

    tonic: str | None = None
    mode: str | None = None
    notes: list[str] = field(default_factory=list)


def tonic_name(letter: str, accidental: str | None) -> str:
    """Spec spelling of a letter plus accidental ("f", " sharp" -> "F#"; "B", "b" -> "Bb")."""
    acc = (accidental or "").strip().lower().lstrip("-").strip()
    suffix = "#" if acc in ("#", "sharp") else "b" if acc in ("b", "flat") else ""
    name = letter.upper() + suffix
    name = TONIC_RESPELLING.get(name, name)
    return name if name in TONICS else letter.upper()


def mode_name(word: str | None) -> str | None:
    """Canonical mode for a mode word ("min" -> "minor", "ionian" -> "major")."""
    if word is None:
        return None
    return MODE_WORDS.get(" ".join(word.lower().split()))


def _preceding_word(text: str, start: int) -> str:
    words = re.findall(r"[^\W_]+", text[:start])
    return words[-1].lower() if words else "start"


def _article_a(match: re.Match[str], text: str) -> bool:
    """True when the "a"/"A" of "a minor ..." reads as an article rather than the note A."""
    if match.group("letter") not in "aA" or match.group("acc"):
        return False
    if _MODE_ONLY_FOLLOWERS.match(text, match.end()):
        return True
    return match.group("letter") == "a" and not re.fullmatch(_KEY_CONTEXT, _preceding_word(text, match.start()))


def _read_note_mode(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None]:
    mode = mode_name(match.group("mode"))
    if _article_a(match, mask.text):
        return None, mode
    return tonic_name(match.group("letter"), match.group("acc")), mode


def _read_key_of(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None]:
    return tonic_name(match.group("letter"), match.group("acc")), mode_name(match.group("mode"))


def _read_chord(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None]:
    return tonic_name(match.group("letter"), match.group("acc")), "minor"


def _musical_neighbour(mask: TextMask, word: re.Match[str] | None, offset: int) -> bool:
    """True when a word beside a chord symbol is music: a known phrase, a music noun, or words an earlier
    reader already took as tempo, meter or length ("dm, 120 bpm")."""
    if word is None:
        return False
    start, end = offset + word.start(1), offset + word.end(1)
    text = word.group(1).lower()
    return not mask.text[start:end].strip() or text in MUSIC_NOUNS or lookup(text) is not None \
        or phrase_at(mask.text, start) is not None


def _read_lower_chord(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None] | None:
    """ "dm", "f#m", "bbm", "in am" as a minor key, only where the context says music (see the module doc)."""
    if _extends_into_phrase(match, mask):
        return None
    before, after = mask.original[: match.start()], mask.original[match.end():]
    previous, following = _PREVIOUS_WORD.search(before), _NEXT_WORD.match(after)
    if previous is not None and previous.group(1).lower() in _KEY_WORDS:
        return _read_chord(match, mask)
    if match.group(0) == "am":
        return None
    alone = previous is None and following is None
    if match.group("acc") == "#" or alone or _musical_neighbour(mask, previous, 0) \
            or _musical_neighbour(mask, following, match.end()):
        return _read_chord(match, mask)
    return None


def _extends_into_phrase(match: re.Match[str], mask: TextMask) -> bool:
    """True when the chord symbol starts a longer known phrase ("fm piano" is an instrument, not F minor)."""
    phrase = phrase_at(mask.text, match.start())
    return phrase is not None and len(phrase.text) > len(match.group(0))


def _read_in_note(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None] | None:
    letter, acc = match.group("letter"), match.group("acc")
    if letter == "a" and (not acc or acc.strip().lstrip("-").strip().lower() in ("flat", "sharp")):
        return None
    return tonic_name(letter, acc), None


def _read_altered(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None] | None:
    letter = match.group("letter") or match.group("letter2")
    acc = match.group("acc") or match.group("acc2")
    if letter == "a" and acc.strip().lstrip("-").strip().lower() in ("flat", "sharp"):
        return None
    return tonic_name(letter, acc), None


def _read_mode_only(match: re.Match[str], mask: TextMask) -> tuple[str | None, str | None]:
    return None, mode_name(match.group("mode"))


_READERS = (
    (_KEY_OF, _read_key_of),
    (_NOTE_MODE, _read_note_mode),
    (_CHORD_MINOR, _read_chord),
    (_LOWER_CHORD, _read_lower_chord),
    (_IN_NOTE, _read_in_note),
    (_ALTERED_NOTE, _read_altered),
    (_MODE_ONLY, _read_mode_only),
)


def read_key(mask: TextMask) -> KeyReading:
    """Tonic and mode stated in the prompt; the first key named wins and later ones are noted."""
    found: list[tuple[int, str | None, str | None]] = []
    for pattern, reader in _READERS:
        for match in mask.finditer(pattern):
            result = reader(match, mask)
            if result is None:
                continue
            mask.take(*match.span())
            found.append((match.start(), *result))
    found.sort(key=lambda item: item[0])
    reading = KeyReading()
    keyed = [item for item in found if item[1] is not None]
    if keyed:
        reading.tonic, reading.mode = keyed[0][1], keyed[0][2]
        others = sorted({t for _, t, _ in keyed[1:] if t != reading.tonic})
        if others:
            reading.notes.append(f"several keys named; using {reading.tonic} (also saw {', '.join(others)})")
    if reading.mode is None:
        reading.mode = next((mode for _, _, mode in found if mode is not None), None)
    return reading
