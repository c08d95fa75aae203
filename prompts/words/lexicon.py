"""The phrase index: every word Motif knows (genres, moods, instruments, tempo and length words) in one table.

One regex with all phrases, longest first, reads a prompt left to right so that "jazz waltz" beats
"jazz" + "waltz", "drum and bass" beats "drums" + "bass" and "classical guitar" beats "classical".
Spacing and hyphens are free ("hip hop", "hip-hop", "hiphop") and plurals are accepted ("violins").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from prompts.scan import TextMask
from prompts.words.genres import GENRE_IDS, GENRES, GenreInfo, genre_info
from prompts.words.instruments import APPROXIMATIONS, DRUM_WORDS, GROUPS, NO_DRUM_WORDS, SOLO_WORDS, SYNONYMS
from prompts.words.moods import MOOD_IDS, MOODS, MoodInfo, mood_info
from prompts.words.timing import LENGTH_WORDS, TEMPO_WORDS
from prompts.words.vocabulary import is_word

__all__ = [
    "GENRE_IDS", "MOOD_IDS", "GenreInfo", "MoodInfo", "Phrase", "PhraseHit", "accept_correction", "closest_phrase",
    "find_phrases", "phrase_at",
    "genre_info", "lookup", "mood_info", "DENSITY_WORDS", "REGISTER_WORDS", "STOPWORDS",
]

DENSITY_WORDS: dict[str, float] = {
    "sparse": 0.2, "minimal": 0.25, "minimalist": 0.25, "simple": 0.35, "few notes": 0.2, "busy": 0.85,
    "dense": 0.85, "complex": 0.8, "intricate": 0.8, "virtuosic": 0.9, "flashy": 0.85, "lots of notes": 0.85,
}
REGISTER_WORDS: dict[str, int] = {
    "high register": 1, "high-pitched": 1, "high pitched": 1, "high notes": 1, "high": 1,
    "low register": -1, "low-pitched": -1, "low pitched": -1, "low notes": -1, "low": -1,
}

STOPWORDS: frozenset[str] = frozenset("""
a an the and or but with without in on at of for to from by about into like as is are was be been it its this
that these those some something me my i im i'm you your we us our please can could would will want wanted need
make made write compose create generate give play produce let lets let's song songs tune tunes piece pieces
track tracks music musical melody melodies composition motif theme riff loop lick phrase bit little very really
quite kind sort type style styled vibe vibes feel feeling sound sounds sounding inspired influenced key tempo
time signature bpm bar bars measure measures part parts instrument instruments arrangement arranged featuring
feat plus also using use used played playing mostly maybe just only then than more less lot lots kinda sorta
one two three four five six seven eight nine ten twelve sixteen thanks thank hey hi hello bot yo ok okay chord
chords progression harmony line backing accompaniment intro outro verse chorus bridge section ending start end
version variation new cool nice good great beautiful pretty awesome lovely kinda sorta all any not no so too
do does did done have has had some what which who how when where why there here same other over under through
between around up down out off again while during each both few more most such own than then s t x
am pm mood moods genre genres tone tones performed performing performance performer rendition""".split())
"""Words that carry no musical meaning on their own; never sent to the fuzzy matcher or the encoder."""


@dataclass(frozen=True)
class Phrase:
    """A known phrase: its kind ("genre", "mood", "instrument", "group", "approx", "drums", "no_drums",
    "solo", "tempo", "length", "density", "register") and value (id, program, word...)."""

    kind: str
    value: str | int | float
    text: str


@dataclass(frozen=True)
class PhraseHit:
    """A phrase found in a prompt, with its position."""

    phrase: Phrase
    start: int
    end: int


def _key(text: str) -> str:
    return re.sub(r"[\s\-_']+", "", text.lower())


def _sources() -> list[tuple[str, str, str | int | float]]:
    """(kind, phrase, value) in priority order: an earlier kind keeps a phrase shared with a later one."""
    rows: list[tuple[str, str, str | int | float]] = []
    rows += [("group", word, word) for word in GROUPS]
    rows += [("no_drums", word, 0) for word in NO_DRUM_WORDS]
    rows += [("genre", syn, genre.id) for genre in GENRES.values() for syn in genre.synonyms]
    rows += [("instrument", word, program) for word, program in SYNONYMS.items()]
    rows += [("approx", word, program) for word, program in APPROXIMATIONS.items()]
    rows += [("drums", word, 1) for word in DRUM_WORDS]
    rows += [("mood", syn, mood.id) for mood in MOODS.values() for syn in mood.synonyms]
    rows += [("tempo", word, word) for word in TEMPO_WORDS]
    rows += [("length", word, count) for word, count in LENGTH_WORDS.items()]
    rows += [("density", word, value) for word, value in DENSITY_WORDS.items()]
    rows += [("register", word, value) for word, value in REGISTER_WORDS.items()]
    rows += [("solo", word, 1) for word in SOLO_WORDS]
    return rows


@lru_cache(maxsize=1)
def phrase_table() -> dict[str, Phrase]:
    """Normalised phrase key -> Phrase; built once per process."""
    table: dict[str, Phrase] = {}
    for kind, text, value in _sources():
        table.setdefault(_key(text), Phrase(kind, value, text))
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    texts = sorted({text for _, text, _ in _sources()}, key=len, reverse=True)
    alternatives = [r"[\s\-_']*".join(re.escape(part) for part in re.split(r"[\s\-_']+", text)) for text in texts]
    return re.compile(r"(?<![\w#])(?:" + "|".join(alternatives) + r")(?:e?s)?(?![\w#])", re.I)


def lookup(text: str) -> Phrase | None:
    """The phrase a piece of text names, allowing free spacing/hyphens and a plural ending."""
    table = phrase_table()
    key = _key(text)
    for candidate in (key, key[:-2] if key.endswith("es") else None, key[:-1] if key.endswith("s") else None):
        if candidate and candidate in table:
            return table[candidate]
    return None


def find_phrases(mask: TextMask) -> list[PhraseHit]:
    """Every known phrase in the prompt, left to right, longest first; each is taken from the mask."""
    hits: list[PhraseHit] = []
    for match in mask.finditer(_pattern()):
        phrase = lookup(match.group(0))
        if phrase is None:
            continue
        mask.take(*match.span())
        hits.append(PhraseHit(phrase, match.start(), match.end()))
    return hits


def phrase_at(text: str, index: int) -> Phrase | None:
    """The known phrase that starts exactly at `text[index]` ("fm piano" in "fm piano ballad"), if any."""
    match = _pattern().match(text, index)
    return lookup(match.group(0)) if match else None


@lru_cache(maxsize=1)
def _fuzzy_vocabulary() -> tuple[str, ...]:
    fuzzy_kinds = {"genre", "mood", "instrument", "approx", "tempo", "group"}
    return tuple(sorted({p.text for p in phrase_table().values() if p.kind in fuzzy_kinds and len(p.text) >= 4}))


STRICT_KINDS: frozenset[str] = frozenset({"instrument", "approx", "group"})
"""Phrase kinds a typo is read as only on strong evidence: a wrong instrument changes the whole arrangement."""
STRICT_CUTOFF = 0.88


def accept_correction(typed: str, target: str, strict: bool = False) -> bool:
    """Whether `typed` may be read as the known `target` ("violn" as "violin", never "melodic" as "melodica").

    Every typed word the target does not contain must be unknown to the text encoder's vocabulary (a real
    word is a word, not a typo). Instruments, and whatever the caller marks `strict` (keys, modes), also
    need the same first letter and a closer spelling than other words.
    """
    typed, target = typed.lower(), target.lower()
    target_words = set(target.split())
    if any(is_word(word) for word in typed.split() if word not in target_words):
        return False
    phrase = lookup(target)
    if strict or (phrase is not None and phrase.kind in STRICT_KINDS):
        return typed[:1] == target[:1] and difflib.SequenceMatcher(None, typed, target).ratio() >= STRICT_CUTOFF
    return True


def closest_phrase(text: str, cutoff: float = 0.84) -> Phrase | None:
    """The known phrase a misspelling most likely means ("jaz" -> jazz, "bosa nova" -> bossa nova), or None."""
    if len(text) < 3:
        return None
    for match in difflib.get_close_matches(text.lower(), _fuzzy_vocabulary(), n=3, cutoff=cutoff):
        if accept_correction(text, match):
            return lookup(match)
    return None
