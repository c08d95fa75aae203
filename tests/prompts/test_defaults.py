"""A server's defaults (`prompts.resolve.Defaults`) read with the prompt in one pass, as if typed after it."""

from __future__ import annotations

import pytest

from prompts import ParseConfig, ParseError, parse
from prompts.resolve import Defaults
from prompts.words.genres import GENRES

RULES_ONLY = ParseConfig(use_encoder=False)
PROMPTS = ["a fast happy tune", "some jaz", "a calm tune with violn", "sad xyzzy", "a solo", "no drums, 4 bars",
           "a rock song with trumpet", "piano", "moody theremin", "a tune in E at 90 bpm"]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_defaults_read_as_if_typed_after_the_prompt(prompt: str) -> None:
    """What the defaults fill is what the same words typed after the prompt would state; what the prompt
    states itself (a genre, an instrument, even misspelt) is never overruled."""
    for genre in ("bossa_nova", "jazz", "hip_hop"):
        for names in ((), ("cello",), ("piano", "upright bass"), ("ukulele", "violn")):
            spec = parse(prompt, RULES_ONLY, defaults=Defaults(genre, names))
            text = prompt
            alone = parse(prompt, RULES_ONLY)
            if "genre" not in alone.explicit:
                text += f", {genre.replace('_', ' ')}"
            if names and "instruments" not in parse(text, RULES_ONLY).explicit:
                text += f", with {', '.join(names)}"
            assert spec == parse(text, RULES_ONLY), (prompt, genre, names)


def test_every_genre_default_is_that_genre_and_counts_as_stated() -> None:
    for genre in GENRES:
        spec = parse("a calm tune", RULES_ONLY, defaults=Defaults(genre=genre))
        assert spec.genre == genre and "genre" in spec.explicit
    assert parse("a calm tune", RULES_ONLY, defaults=Defaults()) == parse("a calm tune", RULES_ONLY)


def test_the_prompt_as_read_is_held_to_the_length_limit() -> None:
    with pytest.raises(ParseError, match="characters long"):
        parse("a" * 995, RULES_ONLY, defaults=Defaults(genre="bossa_nova"))
