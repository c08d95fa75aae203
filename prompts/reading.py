"""What a prompt states, read by the rules (no defaults yet): the `Reading`.

Readers run in a fixed order on a `TextMask`, each taking the words it understands: chords first (so "over
Am F C G" is not a key and "C6/9" not a meter), the form (so "an 8-bar verse" is a section's length), numbers
with units (tempo, meter, bars, duration), then keys, then the phrase index. Words left over go to the fuzzy
matcher and, if still unknown, to the text encoder (see `parse.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prompts.scan import TextMask
from prompts.words.form import FormRequest, read_form, read_section_chords
from prompts.words.genres import GENRES
from prompts.words.instruments import APPROXIMATIONS, GM_NAMES, GROUPS
from prompts.words.keys import read_key
from prompts.words.lexicon import STOPWORDS, Phrase, PhraseHit, find_phrases
from prompts.words.progressions import Progression, read_progression
from prompts.words.timing import TEMPO_WORDS, read_bars, read_duration_s, read_meter, read_tempo

_NEGATION = re.compile(r"\b(?:no|without|not|minus|zero|sans|except|w/o|skip|lose|drop)\s+(?:any\s+|the\s+|a\s+)?$", re.I)


@dataclass
class Part:
    """An instrument the user named: a program (or a group / genre-dependent word resolved later)."""

    word: str
    program: int | None = None
    group: str | None = None


@dataclass
class Reading:
    """The fields a prompt states; None/empty means "not stated". Filled by the rules, then the fallbacks.

    `guessed_moods`: the moods in `moods` that the text encoder guessed from words the rules do not know
    ("heartfelt" nearest to sad at 0.54), not words the user said; a guess colours the tempo and density but
    does not turn a stated "in C" into C minor (`prompts.resolve.choose_mode`)."""

    tonic: str | None = None
    mode: str | None = None
    tempo_bpm: int | None = None
    tempo_word: str | None = None
    time_signature: str | None = None
    bars: int | None = None
    length_bars: int | None = None
    duration_s: float | None = None
    genre: str | None = None
    implied_genre: str | None = None
    moods: list[str] = field(default_factory=list)
    guessed_moods: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    drums: bool | None = None
    solo: bool = False
    density: float | None = None
    register: int | None = None
    progression: Progression | None = None
    form: FormRequest | None = None
    notes: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


def read_rules(text: str) -> Reading:
    """Everything the rules understand in `text`; may raise ParseError for out-of-range numbers."""
    mask = TextMask(text)
    original = mask.text
    reading = Reading()
    section_chords = read_section_chords(mask)
    reading.progression = read_progression(mask)
    reading.form = read_form(mask, section_chords)
    reading.tempo_bpm = read_tempo(mask, reading.notes)
    reading.time_signature = read_meter(mask)
    reading.bars = read_bars(mask, reading.notes)
    reading.duration_s = read_duration_s(mask)
    key = read_key(mask)
    reading.tonic, reading.mode = key.tonic, key.mode
    reading.notes += key.notes
    _read_phrases(reading, mask, original)
    return reading


def read_more(reading: Reading, text: str) -> None:
    """Add what the phrases of `text` state to `reading`, as if it had been typed after the prompt (a server's
    default instruments, "with cello, harp"); its unknown words join the leftovers."""
    mask = TextMask(text)
    _read_phrases(reading, mask, mask.text)


def _read_phrases(reading: Reading, mask: TextMask, original: str) -> None:
    for hit in find_phrases(mask):
        negated = bool(_NEGATION.search(original[: hit.start]))
        apply_phrase(reading, hit.phrase, negated)
    reading.leftovers += [w for w in mask.words() if w not in STOPWORDS and not any(c.isdigit() for c in w)]


def apply_phrase(reading: Reading, phrase: Phrase, negated: bool = False) -> None:
    """Record one understood phrase in the reading ("no drums" and "without piano" arrive negated)."""
    kind, value = phrase.kind, phrase.value
    if kind == "drums" or kind == "no_drums":
        reading.drums = kind == "drums" and not negated
    elif kind in ("instrument", "approx", "group"):
        _apply_part(reading, phrase, negated)
    elif negated:
        reading.notes.append(f"ignored 'no {phrase.text}'")
    elif kind == "genre":
        _apply_genre(reading, str(value))
    elif kind == "mood" and value not in reading.moods:
        reading.moods.append(str(value))
    elif kind == "tempo" and reading.tempo_word is None:
        reading.tempo_word = str(value)
    elif kind == "length" and reading.length_bars is None:
        reading.length_bars = int(value)
    elif kind == "density" and reading.density is None:
        reading.density = float(value)
    elif kind == "register" and reading.register is None:
        reading.register = int(value)
    elif kind == "solo":
        reading.solo = True


def _apply_genre(reading: Reading, genre: str) -> None:
    if reading.genre is None:
        reading.genre = genre
    elif genre != reading.genre:
        reading.notes.append(f"also heard genre {genre}; using {reading.genre}")


def _apply_part(reading: Reading, phrase: Phrase, negated: bool) -> None:
    if negated:
        reading.excluded.append(phrase.text)
        return
    if phrase.kind == "group":
        group = GROUPS[str(phrase.value)]
        reading.parts.append(Part(phrase.text, group=str(phrase.value)))
        if group.drums is not None and reading.drums is None:
            reading.drums = group.drums
        reading.implied_genre = reading.implied_genre or group.genre
        return
    program = int(phrase.value)
    reading.parts.append(Part(phrase.text, program=program))
    if phrase.kind == "approx":
        name = next(w for w in APPROXIMATIONS if w == phrase.text)
        reading.notes.append(f"'{name}' is not a General MIDI instrument; using {GM_NAMES[program]}")
    for word in phrase.text.split():
        if word in GENRES:
            reading.implied_genre = reading.implied_genre or word


def tempo_word_range(word: str) -> tuple[int, int]:
    """The bpm range of a tempo word from the lexicon."""
    return TEMPO_WORDS[word]


__all__ = ["Part", "PhraseHit", "Reading", "apply_phrase", "read_more", "read_rules", "tempo_word_range"]
