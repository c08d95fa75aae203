"""Chords outside the key that the styles now play: the dominant of the dominant before a classical half
close (`composer.harmony.plan.applied_dominant`, `tables.Table.applied`), and the cinematic loops' borrowed
chords (`tables.CINEMATIC_LOOPS`), each in plans drawn as `compose` draws them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.generate import plan_clear_harmony
from composer.harmony.form import close_on_half
from composer.piece import Chord
from composer.styles import style_for
from composer.theory import scale_pcs
from prompts import parse
from prompts.spec import Spec

CLASSICAL = Spec(prompt="a classical piece in C", tonic="C", mode="major", time_signature="4/4", bars=4,
                 genre="classical")


def plan(*chords: tuple[int, str]) -> list[Chord]:
    return [Chord(b * 4.0, 4.0, root, quality, str(root)) for b, (root, quality) in enumerate(chords)]


def test_a_classical_half_close_is_approached_by_its_own_dominant() -> None:
    for before in ((2, "min"), (7, "maj"), (7, "7")):
        closed = close_on_half(plan((0, "maj"), (5, "maj"), before, (0, "maj")), CLASSICAL, seventh=True)
        assert (closed[-2].root_pc, closed[-2].quality in ("maj", "7")) == (2, True), "ii or V before V: D(7)"
        assert closed[-1].root_pc == 7
    kept = close_on_half(plan((0, "maj"), (9, "min"), (5, "maj"), (0, "maj")), CLASSICAL, seventh=True)
    assert [c.root_pc for c in kept] == [0, 9, 5, 7], "IV before V stays IV"


def test_only_the_functional_styles_in_major_take_it() -> None:
    pop = replace(CLASSICAL, genre="pop")
    assert close_on_half(plan((0, "maj"), (5, "maj"), (2, "min"), (0, "maj")), pop, True)[-2].root_pc == 2
    assert close_on_half(plan((0, "maj"), (5, "maj"), (2, "min"), (0, "maj")), pop, True)[-2].quality == "min"
    minor = replace(CLASSICAL, tonic="A", mode="minor")
    assert close_on_half(plan((9, "min"), (2, "min"), (11, "dim"), (9, "min")), minor, True)[-2].root_pc == 11


def test_an_unsectioned_classical_phrase_half_closes_on_v_of_v_where_it_drew_ii() -> None:
    spec = replace(CLASSICAL, bars=8)
    found = 0
    for seed in range(12):
        chords = plan_clear_harmony(replace(spec, seed=seed), style_for("classical"), np.random.default_rng(seed))
        at_four = [c for c in chords if 8.0 <= c.start < 16.0]
        assert at_four[-1].root_pc == 7, "the first phrase rests on V"
        found += any(c.root_pc == 2 and c.quality in ("maj", "7") for c in at_four)
    assert found, "some of twelve phrases reach V through D"


def test_cinematic_plans_borrow_chords_and_keep_their_key() -> None:
    spec = parse("epic cinematic strings and brass in C major, 16 bars")
    assert spec.genre == "cinematic"
    scale = set(scale_pcs("C", "major"))
    borrowed = 0
    for seed in range(12):
        chords = plan_clear_harmony(replace(spec, seed=seed), style_for("cinematic"), np.random.default_rng(seed))
        assert chords[0].root_pc == 0 and chords[-1].root_pc == 0
        borrowed += any(c.root_pc not in scale for c in chords)
    assert borrowed >= 3, f"{borrowed} of 12 plans play bVI, bVII or bIII"
