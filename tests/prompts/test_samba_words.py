"""Rio's carnival is samba (issue 13): "carnival in rio", "samba enredo", "batucada" read as latin with the samba
groove (`prompts.music.SAMBA_WORDS`, which `composer.styles.GROOVE_FITS` reads), not as the bossa nova of
Rio's beaches by text similarity, nor "carnival" as a festive mood; the written drums play the samba's surdo."""

from __future__ import annotations

import dataclasses

import pytest

from composer import styles
from composer.arrange.grooves import style_grooves
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.learn.groove_checks import SIGNATURE_MIN, heard_groove, samba_surdo
from prompts import ParseConfig, parse
from prompts.music import SAMBA_WORDS
from prompts.words.genres import GENRES, SAMBA_PHRASES

SAMBA_PROMPTS = ["carnival in rio, 8 bars", "a carnival samba", "rio carnival", "samba enredo", "batucada",
                 "a brazilian carnival in D", "carnaval in rio with flute and drums"]


@pytest.mark.parametrize("prompt", SAMBA_PROMPTS)
@pytest.mark.parametrize("encoder", [True, False], ids=["encoder", "rules"])
def test_carnival_words_read_as_samba(prompt: str, encoder: bool) -> None:
    spec = parse(prompt, ParseConfig(use_encoder=encoder))
    assert spec.genre == "latin", (spec.genre, spec.notes)
    low, high = GENRES["latin"].tempo_bpm
    assert low <= spec.tempo_bpm <= high
    assert "festive" not in spec.moods or "festive" in prompt
    fit = style_grooves(spec)
    assert fit is not None and fit[0].families == ("stdlib/samba",), fit


def test_every_samba_phrase_holds_a_word_the_groove_reads() -> None:
    """The samba row reads the one list of samba words (prompts.music), and every samba phrase holds one."""
    assert styles.GROOVE_FITS["latin"][0].words == SAMBA_WORDS
    assert all(any(word in phrase for word in SAMBA_WORDS) for phrase in SAMBA_PHRASES)


@pytest.mark.parametrize(("prompt", "genre", "family"), [
    ("a salsa in C", "latin", "stdlib/salsa"),
    ("a bossa nova on a beach in rio", "bossa_nova", "stdlib/bossanova"),
])
def test_neighbours_keep_their_reading(prompt: str, genre: str, family: str) -> None:
    spec = parse(prompt)
    fit = style_grooves(spec)
    assert spec.genre == genre and fit is not None and family in fit[0].families, (spec.genre, fit)


def test_carnival_in_rio_plays_the_samba_surdo() -> None:
    """Read back from the written MIDI: the low drum on 1 and 3 under a running shaker, no clave."""
    spec = dataclasses.replace(parse("carnival in rio, 8 bars"), seed=1)
    piece = heard_groove("samba", 1, piece_to_midi_bytes(compose(spec)), spec)
    assert samba_surdo(piece.body()) >= SIGNATURE_MIN
