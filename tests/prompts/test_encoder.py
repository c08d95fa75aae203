"""The MiniLM text encoder, with the real packaged weights (no mocks): shapes, normalisation, what free
words map to, and that prompts the rules understand never load it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from prompts import ParseConfig, parse
from prompts.encoder import EMBEDDING_DIM, EncoderError, TextEncoder, get_encoder


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return get_encoder()


def test_embeddings_are_unit_rows_and_deterministic(encoder: TextEncoder) -> None:
    vectors = encoder.embed(["moody jazz", "happy polka", "moody jazz"])
    assert vectors.shape == (3, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2], atol=1e-6)
    assert float(vectors[0] @ vectors[1]) < 0.9
    assert encoder.embed([]).shape == (0, EMBEDDING_DIM)


def test_similar_texts_are_closer_than_unrelated(encoder: TextEncoder) -> None:
    a, b, c = encoder.embed(["a sad slow song", "a melancholy slow tune", "fast happy dance party"])
    assert float(a @ b) > float(a @ c)


@pytest.mark.parametrize(
    ("text", "kind", "allowed"),
    [
        ("noir", "genre", {"jazz", "blues"}),
        ("detective noir", "genre", {"jazz", "blues"}),
        ("sunset drive", "genre", {"synthwave"}),
        ("spooky", "mood", {"spooky", "mysterious", "dark"}),
        ("ghost story", "mood", {"spooky", "mysterious", "dark"}),
        ("funeral", "mood", {"somber", "sad"}),
        ("pirate ship", "genre", {"sea_shanty"}),
    ],
)
def test_nearest_lexicon_entry(encoder: TextEncoder, text: str, kind: str, allowed: set[str]) -> None:
    ranked = encoder.nearest(text, kind, k=3)
    assert len(ranked) == 3 and ranked[0][1] >= ranked[1][1] >= ranked[2][1]
    assert ranked[0][0] in allowed, ranked


def test_unknown_kind_is_a_clear_error(encoder: TextEncoder) -> None:
    with pytest.raises(EncoderError, match="unknown lexicon kind"):
        encoder.nearest("jazz", "instrument")


def test_parse_uses_encoder_for_unknown_words(encoder: TextEncoder) -> None:
    spec = parse("film noir, 8 bars", encoder=encoder)
    assert spec.genre == "jazz"
    assert "genre" in spec.explicit
    assert any("read as genre jazz" in note for note in spec.notes), spec.notes
    spooky = parse("something spoooky on the organ", encoder=encoder)
    assert spooky.moods == ("spooky",)


def test_parse_does_not_guess_below_threshold(encoder: TextEncoder) -> None:
    spec = parse("what is the weather", encoder=encoder)
    assert spec.genre is None and spec.moods == ()
    assert any("did not understand" in note for note in spec.notes), spec.notes


def test_typo_is_fixed_without_the_encoder() -> None:
    spec = parse("jaz ballad", ParseConfig(use_encoder=False))
    assert spec.genre == "jazz"
    assert 60 <= spec.tempo_bpm <= 80


def test_rules_only_prompt_does_not_import_transformers() -> None:
    code = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        "from prompts import parse\n"
        "spec = parse('moody jazz in D minor, 8 bars')\n"
        "print(json.dumps({'ms': (time.perf_counter() - t) * 1000, 'genre': spec.genre,"
        " 'torch': 'torch' in sys.modules, 'transformers': 'transformers' in sys.modules}))\n"
    )
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["genre"] == "jazz"
    assert not report["transformers"] and not report["torch"], report
    assert time.perf_counter() - started < 10, "cold start of a rules-only parse is far over budget"
