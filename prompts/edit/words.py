"""The words of the remix language: what counts as understood filler, and cheap typo repair.

A misspelt keyword ("fastr", "darkr", "harmonies", "strngs") is replaced by the nearest known word before
the readers run, with a note, so every reader sees clean text. Only words Motif does not know at all, and
that the text encoder's vocabulary does not know either, are candidates, so real words are never "corrected"
into others; instruments and modes need stronger evidence (`lexicon.accept_correction`).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from prompts.edit import chords as edit_chords
from prompts.edit import form as edit_form
from prompts.edit import keys as edit_keys
from prompts.edit import parts as edit_parts
from prompts.edit import read as edit_read
from prompts.edit.parts import COMPARATIVE_MOODS, COMPARATIVE_STYLES
from prompts.words.keys import MODE_WORDS
from prompts.words.lexicon import STOPWORDS, accept_correction, phrase_table
from prompts.words.numbers import SPECIAL, TENS, UNITS

KEYWORDS: frozenset[str] = frozenset("""
faster slower quicker speed tempo double half time bpm transpose transposed semitone semitones octave octaves
higher lower raise drop darker happier sadder calmer brighter drums harmonise harmonize harmony harmonies counter
melody countermelody continue extend variation vary another again swap replace remove without instead simpler
sparser busier denser shorter longer relative parallel minor major waltz bars measures meter swing style mood
instrument instruments add adding include solo only just alone lead trumpet twice slightly little bit much way
shorten lengthen keep going carry regenerate reroll redo rewrite take version different fifth fourth third second
sixth seventh tritone whole step steps tone tones quarter beat beats percussion register pitch key
""".split())
"""Words of the edit language itself (besides the lexicon's phrases), used for typo repair and filler checks."""

FILLER: frozenset[str] = frozenset("""
it its make sound now instead little bit way much lot keep rest same whole everything thing go put bring turn use
give let try tad slightly somewhat even really by into to for so actually parallel still please thanks could
would can you version tune piece song melody same again more less then also maybe kinda lets let's and or the a
an this that play played there sounds sounding like bars bar measures measure time tempo key register pitch
style notes note octave mode out back up down higher lower towards toward instead rather place whole
""".split())
"""Words that carry no change on their own; leftovers made only of these are not reported."""

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    words = set()
    for phrase in phrase_table().values():
        words.update(w for w in re.split(r"[^a-z]+", phrase.text.lower()) if w)
    return frozenset(words)


@lru_cache(maxsize=1)
def _pattern_words() -> frozenset[str]:
    """Every word the readers' patterns spell out ("change", "swap", "semitones"...): known by construction,
    so typo repair can never turn one reader's keyword into another's."""
    sources: list[str] = list(edit_parts.OPERATORS.values())
    for module in (edit_read, edit_keys, edit_parts, edit_chords):
        for value in vars(module).values():
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                pattern = item[0] if isinstance(item, tuple) and item else item
                if isinstance(pattern, re.Pattern):
                    sources.append(pattern.pattern)
    return frozenset(w for source in sources for w in re.findall(r"(?<![\\])[a-z]{3,}", source))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    extra = set(COMPARATIVE_MOODS) | set(COMPARATIVE_STYLES) | set(MODE_WORDS) | set(UNITS) | set(TENS)
    extra |= {w for phrase in SPECIAL for w in phrase.split()}
    extra |= _pattern_words() | edit_chords.WORDS | edit_form.WORDS
    return frozenset(STOPWORDS | KEYWORDS | FILLER | _lexicon_words() | {w for e in extra for w in e.split()})


@lru_cache(maxsize=1)
def _candidates() -> tuple[str, ...]:
    pool = KEYWORDS | _lexicon_words() | {w for w in COMPARATIVE_MOODS | COMPARATIVE_STYLES if " " not in w}
    return tuple(sorted(w for w in pool if len(w) >= 4))


def is_known(word: str) -> bool:
    """True for a word Motif knows (or a plural / -ing / -ed form of one)."""
    lower = word.lower()
    known = _known()
    stems = [lower] + [lower[: -len(end)] for end in ("s", "es", "ed", "d", "ing") if lower.endswith(end)]
    return any(stem in known for stem in stems)


def correct_typos(text: str) -> tuple[str, list[str]]:
    """`text` with unknown words replaced by a close known word (ratio >= 0.8, stricter for instruments and
    modes), and a note per repair; a word the text encoder knows whole is left as typed."""
    notes: list[str] = []

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 4 or is_known(word):
            return word
        close = difflib.get_close_matches(word.lower(), _candidates(), n=3, cutoff=0.8)
        target = next((c for c in close if accept_correction(word, c, strict=c in MODE_WORDS)), None)
        if target is None:
            return word
        notes.append(f"read '{word}' as '{target}'")
        return target

    return _WORD.sub(fix, text), notes


def leftovers(words: list[str]) -> list[str]:
    """Words no reader understood that are not filler (reported to the user as ignored)."""
    return [w for w in words if w not in FILLER and w not in STOPWORDS and not any(c.isdigit() for c in w)]
