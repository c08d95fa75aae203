"""The words Motif knows: genres, moods, instruments, keys, chords and progressions, tempo and length words,
numbers, and English.

`lexicon` joins them into one phrase index that the prompt reader (`prompts.reading`) and the edit readers
(`prompts.edit`) scan with; the other modules each hold one vocabulary and its small readers.
"""

from __future__ import annotations

from prompts.words.lexicon import Phrase, PhraseHit, closest_phrase, find_phrases, lookup

__all__ = ["Phrase", "PhraseHit", "closest_phrase", "find_phrases", "lookup"]
