"""Chords in the request: the symbol reader, progressions in prose, Roman numerals, named progressions, the
harmonic rhythm and the key the chords are in (golden cases in golden_chords.jsonl), and properties: every
normalised symbol reads back as itself, any list of them in any list syntax parses back to the same chords, and
any text parses or gives a ParseError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prompts import ParseConfig, ParseError, parse
from prompts.music import CHORD_SUFFIX, PITCH_CLASSES, chord_symbol, split_chord_symbol
from prompts.words.chords import SUFFIXES, read_symbol
from prompts.words.progressions import infer_key, realise

RULES_ONLY = ParseConfig(use_encoder=False)


@pytest.mark.parametrize(
    ("prompt", "bad"),
    [("chords: C G Xm7 F", "Xm7"), ("chords: C, G, Hm, F", "Hm"), ("the progression is C, H7, F", "H7"),
     ("chord progression: Cmaj7x Dm", "Cmaj7x"), ("The chord progression is Am, F, C, Gzz9.", "Gzz9")],
)
def test_an_unreadable_chord_is_named(prompt: str, bad: str) -> None:
    with pytest.raises(ParseError, match=f"'{bad}'"):
        parse(prompt, RULES_ONLY)


def test_a_progression_has_a_limit() -> None:
    from prompts.limits import MAX_CHORDS

    with pytest.raises(ParseError, match=f"at most {MAX_CHORDS} chords"):
        parse("chords: " + "Am F " * MAX_CHORDS, RULES_ONLY)
    assert len(parse("chords: " + "Am F " * (MAX_CHORDS // 2), RULES_ONLY).chords) == MAX_CHORDS


def test_every_normalised_suffix_is_read() -> None:
    for quality, suffix in CHORD_SUFFIX.items():
        assert SUFFIXES[suffix.replace("(", "").replace(")", "")] == quality


ROOTS = sorted(PITCH_CLASSES)
symbols = st.builds(
    chord_symbol, st.sampled_from(ROOTS), st.sampled_from(sorted(CHORD_SUFFIX)),
    st.one_of(st.none(), st.sampled_from(ROOTS)),
)


@given(symbols)
def test_normalised_symbols_round_trip(symbol: str) -> None:
    assert read_symbol(symbol) == (symbol, None)
    assert chord_symbol(*split_chord_symbol(symbol)) == symbol


def _and_list(chords: list[str]) -> str:
    return ", ".join(chords[:-1]) + " and " + chords[-1] if len(chords) > 1 else chords[0]


SYNTAXES = (
    lambda c: "chords: " + " ".join(c),
    lambda c: "chords: " + " | ".join(c),
    lambda c: "Chords: " + ", ".join(c),
    lambda c: "the progression is " + _and_list(c),
    lambda c: "A calm piano piece. The chord progression is " + ", ".join(c) + ". The tempo is slow.",
    lambda c: "the main chords are " + ", ".join(c),
    lambda c: "using " + "-".join(c),
    lambda c: "built around the chords " + _and_list(c),
    lambda c: "with the chords " + " - ".join(c) + ", 8 bars",
    lambda c: "| " + " | ".join(c) + " |",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(symbols, min_size=2, max_size=8), st.sampled_from(range(len(SYNTAXES))))
def test_any_list_of_symbols_parses_back(chords: list[str], syntax: int) -> None:
    spec = parse(SYNTAXES[syntax](chords), RULES_ONLY)
    assert list(spec.chords) == chords
    assert "chords" in spec.explicit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(symbols, min_size=2, max_size=6), st.sampled_from(("over ", "alternates between ", "revolves around ")))
def test_weak_markers_read_two_or_more(chords: list[str], marker: str) -> None:
    assert list(parse(marker + " ".join(chords), RULES_ONLY).chords) == chords


WORDS = ["chords:", "chord", "progression", "is", "over", "the", "A", "Am", "F#m7b5", "C/E", "B♭Δ7", "|", ",", "-",
         "I-V-vi-IV", "ii", "V7", "bVII", "vii°", "12-bar", "blues", "two", "per", "bar", "every", "bars", "in", "minor",
         "Xm7", "H", "E°7", "alternates", "between", "and", "Pachelbel", "axis", "6/9", "C6/9", "revolves", "around"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=14).map(" ".join))
def test_any_text_parses_or_gives_a_parse_error(text: str) -> None:
    try:
        spec = parse(text, RULES_ONLY)
    except ParseError:
        return
    for symbol in spec.chords:
        split_chord_symbol(symbol)


@pytest.mark.parametrize(
    ("chords", "key"),
    [(["Am", "F", "C", "G"], ("A", "minor")), (["C", "G", "Am", "F"], ("C", "major")),
     (["A", "E7", "A7", "D"], ("A", "major")), (["C", "G"], ("C", "major")), (["Dm7", "G7", "Cmaj7"], ("C", "major")),
     (["G6", "D6"], ("G", "major")), (["F#m7b5", "B7", "Em"], ("E", "minor")), (["E7", "A7", "D"], ("D", "major")),
     (["Dm7", "G7", "Cmaj7", "A7"], ("C", "major")), (["Fmaj7", "Em7", "Dm7", "Cmaj7"], ("C", "major")),
     (["Csus4", "C", "Fsus2", "F"], ("C", "major")), (["Gm7", "C7", "Fmaj7", "D7b9"], ("F", "major")),
     (["Bb7", "Eb7", "Bb7", "F7"], ("Bb", "mixolydian")), (["E7"], ("E", "mixolydian")),
     (["Am", "G", "F", "E"], ("A", "minor")), (["Em", "C", "G", "D"], ("E", "minor"))],
)
def test_the_key_of_the_chords(chords: list[str], key: tuple[str, str]) -> None:
    assert infer_key(chords) == key


@pytest.mark.parametrize(
    ("numeral", "tonic", "mode", "symbol"),
    [("V7", "D", "minor", "A7"), ("bVII", "C", "major", "Bb"), ("VI", "C", "minor", "Ab"), ("bVI", "C", "minor", "Ab"),
     ("V/V", "C", "major", "D"), ("vii°", "A", "minor", "G#dim"), ("iiø7", "E", "minor", "F#m7b5"),
     ("iii", "C#", "major", "E#m"), ("IV", "Gb", "major", "Cb"), ("vii°/V", "C", "major", "F#dim")],
)
def test_numerals_in_a_key(numeral: str, tonic: str, mode: str, symbol: str) -> None:
    assert realise(numeral, tonic, mode) == symbol
