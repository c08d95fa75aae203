"""The encoder's vocabulary as the typo guard: loaded from the installed package, and what it protects."""

from __future__ import annotations

import subprocess
import sys

from prompts.words.lexicon import accept_correction, closest_phrase
from prompts.words.vocabulary import encoder_words, is_word


def test_vocabulary_comes_from_the_encoder_package() -> None:
    words = encoder_words()
    assert len(words) > 20000
    assert {"melodic", "brave", "air", "rapid"} <= words
    assert not any(word.startswith("##") or word.startswith("[") for word in words)
    assert is_word("Melodic") and not is_word("violn")


def test_real_words_are_not_typos_and_instruments_need_strong_evidence() -> None:
    assert not accept_correction("melodic", "melodica")
    assert closest_phrase("melodic") is None and closest_phrase("harmonic") is None
    assert accept_correction("bosa nova", "bossa nova") and accept_correction("violn", "violin")
    assert not accept_correction("hrp", "harp")  # three letters are weak evidence for an instrument
    assert closest_phrase("jaz") is not None and closest_phrase("jaz").value == "jazz"


def test_reading_a_prompt_loads_no_model() -> None:
    code = ("import sys; from prompts import parse, ParseConfig; parse('melodic pop', ParseConfig(use_encoder=False));"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.split() == ["False", "False"]
