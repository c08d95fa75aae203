"""Properties of `parse` over arbitrary text: it never fails with anything but ParseError, and what it
returns is always a valid, storable Spec within the configured limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prompts import GENRE_IDS, MOOD_IDS, ParseConfig, ParseError, Spec, parse
from prompts.spec import FIELDS
from prompts.words.instruments import SYNONYMS
from prompts.words.timing import TEMPO_WORDS

CONFIG = ParseConfig(use_encoder=False, max_bars=32)

WORDS = (
    [g.replace("_", " ") for g in GENRE_IDS] + list(MOOD_IDS) + list(SYNONYMS)[:150] + list(TEMPO_WORDS)
    + ["in", "A", "a", "minor", "major", "Bb", "F#", "sharp", "flat", "bars", "bar", "bpm", "no", "drums", "solo",
       "with", "without", "key", "of", "3/4", "6/8", "11/8", "q=", "tempo", "at", "seconds", "minutes", "eight",
       "twenty-four", "-", ",", "♯", "♭", "♩=", "dorian", "m", "in the key of", "short", "long", "808s", "trio"]
)
mixed_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.integers(min_value=-5, max_value=100000).map(str), st.text(max_size=4)),
    max_size=14,
).map(" ".join)


def check(text: str) -> None:
    try:
        spec = parse(text, CONFIG)
    except ParseError:
        return
    assert spec.bars <= CONFIG.max_bars
    assert Spec.from_dict(spec.to_dict()) == spec
    assert spec.prompt == text
    assert set(spec.explicit) <= set(FIELDS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_parse_error(text: str) -> None:
    check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_lexicon_word_soup_parses_or_raises_parse_error(text: str) -> None:
    check(text)


def test_over_long_prompt_is_refused_before_reading() -> None:
    try:
        parse("jazz " * 500, CONFIG)
    except ParseError as exc:
        assert "at most 1000" in str(exc)
    else:
        raise AssertionError("a 2500-character prompt was accepted")
