"""How a key named without a mode is read: "in C" is C major unless a mood word the user said colours it.

The review heard "a heartfelt pop ballad in C with piano, 16 bars" in C minor: the text encoder guessed
"heartfelt" as sad (similarity 0.54) and that guess chose the mode. A guess may still colour tempo and
density, and pick a key when none is named; a mood word the user said ("sad") still makes "in C" minor.
These read prompts with the real text encoder, as `motif compose` does.
"""

from __future__ import annotations

import pytest

from composer.harmony.tables import harmony_key
from composer.styles import style_for
from prompts import parse


def test_heartfelt_in_c_is_c_major() -> None:
    spec = parse("a heartfelt pop ballad in C with piano, 16 bars")
    assert (spec.tonic, spec.mode) == ("C", "major"), spec.notes


@pytest.mark.parametrize("prompt", ["a teary ballad in C", "a weepy pop song in G"])
def test_a_guessed_mood_does_not_make_a_stated_key_minor(prompt: str) -> None:
    spec = parse(prompt)
    assert any("read as mood" in note for note in spec.notes), "the prompt must go through the encoder's guess"
    assert spec.mode == "major", (prompt, spec.moods, spec.notes)
    assert "mode" not in spec.explicit


@pytest.mark.parametrize("prompt", ["a sad pop ballad in C", "a melancholy waltz in D"])
def test_a_stated_mood_word_still_colours_a_key_named_without_a_mode(prompt: str) -> None:
    assert parse(prompt).mode == "minor", prompt


def test_a_guessed_mood_still_picks_a_key_when_none_is_named() -> None:
    """No key named: the guess is all Motif has, so it may choose the mode as before."""
    spec = parse("a weepy pop song")
    assert spec.moods == ("sad",) and spec.mode == "minor", spec.notes


def test_a_klezmer_in_d_is_freygish_on_d() -> None:
    """"in D" names the tonic, not a mode: klezmer's own mode (phrygian read as freygish) plays."""
    spec = parse("a klezmer tune in D with clarinet and violin")
    assert (spec.tonic, spec.mode) == ("D", "phrygian") and "mode" not in spec.explicit
    assert harmony_key(spec.mode, style_for(spec.genre).flavour, "mode" in spec.explicit) == "freygish"
