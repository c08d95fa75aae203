"""Direct checks of the small readers behind `parse`: number words, keys, roles, lexicon data."""

from __future__ import annotations

import pytest

from prompts import GENRE_IDS, MOOD_IDS, genre_info, mood_info
from prompts.resolve import style_roles
from prompts.scan import TextMask
from prompts.spec import MODES, ROLES, TIME_SIGNATURES, TONICS
from prompts.words.instruments import GM_NAMES, SYNONYMS
from prompts.words.keys import read_key
from prompts.words.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("eight", 8), ("twenty-four", 24), ("thirty two", 32), ("a dozen", 12), ("16", 16), ("ninety", 90),
     ("twenty-ten", None), ("banana", None), ("9" * 40, 10**12)],
)
def test_parse_number(text: str, value: int | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "tonic", "mode"),
    [("a short motif", None, None), ("A jazz tune", None, None), ("I want more", None, None),
     ("in a minor key", None, "minor"), ("key of Bb", "Bb", None), ("E-flat", "Eb", None),
     ("g# phrygian", "G#", "phrygian"), ("Fb major", "E", "major")],
)
def test_read_key(text: str, tonic: str | None, mode: str | None) -> None:
    reading = read_key(TextMask(text))
    assert (reading.tonic, reading.mode) == (tonic, mode)


def test_style_roles_is_deterministic_and_valid() -> None:
    """The one role rule (prompts and remixes alike): the first melodic part leads, whatever the word order."""
    parts = [(33, None), (0, None), (48, None), (73, None), (40, "melody")]
    first = style_roles(parts, None)
    assert first == style_roles(parts, None)
    assert [i.role for i in first] == ["bass", "chords", "pad", "melody", "counter"]


def test_every_gm_program_has_a_name_and_a_phrase() -> None:
    assert len(GM_NAMES) == 128
    assert set(SYNONYMS.values()) == set(range(128))
    assert all(0 <= program < 128 for program in SYNONYMS.values())


def test_lexicon_data_is_valid() -> None:
    for gid in GENRE_IDS:
        info = genre_info(gid)
        assert info.meter in TIME_SIGNATURES and info.mode in MODES and info.description
        assert 20 <= info.tempo_bpm[0] < info.tempo_bpm[1] <= 400
        assert all(0 <= p < 128 and role in ROLES for p, role in info.instruments)
        assert all(t in TONICS for t in info.major_tonics + info.minor_tonics)
        assert info.major_tonics and info.minor_tonics
    for mid in MOOD_IDS:
        mood = mood_info(mid)
        assert mood.mode in (*MODES, None) and mood.tonic in TONICS and 0 <= mood.density <= 1
    with pytest.raises(ValueError, match="unknown genre"):
        genre_info("dubstep-polka")
