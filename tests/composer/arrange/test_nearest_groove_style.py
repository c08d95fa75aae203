"""A named style keeps its own groove unless the nearest groove is clearly nearer (issue 13 section 1).

The rule is tested on the committed grooves and groove texts with queries built from the grooves' own vectors
(so the similarities are known without the encoder), then through the studio's hook with the real encoder on
prompts a musician would read one way: what is checked is the family that plays, never a note.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.studio import with_nearest_groove
from composer.arrange.grooves import choose_grooves, load_groove_texts, load_library, style_grooves
from composer.arrange.nearest import GROOVE_MIN_SIMILARITY, STYLE_MARGIN, choose_nearest_groove
from prompts import Spec, parse

SLOW_JAZZ = {"stdlib/slowjazz", "stdlib/nitejazz", "stdlib/mellowjazz"}


def _vector(name: str) -> np.ndarray:
    """The first of a groove's own text vectors: a query as near that groove as any prompt could come."""
    texts = load_groove_texts()
    assert texts is not None
    return texts.vectors[texts.owner == texts.names.index(name)][0]


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _jazz(prompt: str = "jazz tonight") -> Spec:
    return Spec(prompt=prompt, genre="jazz", tempo_bpm=104, drums=True, explicit=("genre",))


def test_a_groove_far_ahead_of_the_styles_own_replaces_it_and_says_by_how_much() -> None:
    own = style_grooves(_jazz())
    assert own is not None and "MellowJazz" not in own[1]  # at 104 bpm jazz plays its swing row
    choice = choose_nearest_groove(_vector("MellowJazz"), _jazz(), named=True)
    assert choice.groove == "MellowJazz" and choice.style_best is not None
    assert choice.nearest is not None and choice.nearest.score - choice.style_best.score >= STYLE_MARGIN
    assert choice.note is not None and "MellowJazz" in choice.note and choice.style_best.name in choice.note


def test_a_groove_level_with_the_styles_own_leaves_the_style_its_choice() -> None:
    own = style_grooves(_jazz())
    assert own is not None
    query = _unit(_vector("MellowJazz") + _vector(own[1][0]))  # as near the style's groove as the other
    named = choose_nearest_groove(query, _jazz(), named=True)
    assert named.groove is None and named.nearest is not None and named.nearest.similarity >= GROOVE_MIN_SIMILARITY
    if named.nearest.name not in own[1]:
        assert named.note is not None and "plays its own grooves" in named.note
    unnamed = choose_nearest_groove(query, _jazz(), named=False)  # the encoder read jazz: the words choose
    assert unnamed.groove == named.nearest.name


def test_a_sub_style_named_by_its_word_is_never_replaced() -> None:
    spec = Spec(prompt="funky disco night", genre="funk", tempo_bpm=108, drums=True, explicit=("genre",))
    own = style_grooves(spec)
    assert own is not None and own[0].words  # 'disco' chose the row
    choice = choose_nearest_groove(_vector("BVFunk"), spec, named=True)
    assert choice.groove is None and "'disco'" in (choice.note or "")
    assert choose_grooves(spec) is not None and choose_grooves(spec).main.family in own[0].families


def test_far_words_leave_every_choice_alone() -> None:
    query = _unit(np.ones(_vector("MellowJazz").shape, dtype=np.float32))
    for named in (True, False):
        choice = choose_nearest_groove(query, _jazz(), named=named)
        assert choice.nearest is None or choice.nearest.similarity < GROOVE_MIN_SIMILARITY
        assert choice.groove is None and choice.note is None


def _family(spec: Spec) -> str | None:
    grooves = choose_grooves(spec)
    return grooves.main.family if grooves is not None else None


def test_a_tight_funk_groove_with_slap_bass_keeps_funks_own_accompaniment() -> None:
    prompt = "tight funk groove in E minor with slap bass, clavinet and drums"
    spec = with_nearest_groove(parse(prompt))
    assert spec.genre == "funk" and spec.groove is None  # not BVFunk (kick, snare and claves, no hi-hat)
    assert _family(spec) == _family(parse(prompt))
    assert any(note.startswith("funk plays its own") for note in spec.notes)


@pytest.mark.parametrize(("prompt", "families"), [
    ("heavy rock anthem for a stadium", None),  # RockBallad was nearest: a stadium anthem is no ballad
    ("upbeat jazz for a sunny brunch", None),  # MellowJazz was nearest at 122 bpm
    ("bebop jazz at a smoky club", None),  # 'bebop' named the row; SlowJazz was nearest
    ("lazy blues on a hot afternoon", {"stdlib/slowblues"}),
    ("jazz for a rainy noir film at night", SLOW_JAZZ),
])
def test_a_named_style_moves_only_where_its_words_clearly_point_elsewhere(prompt: str, families: set[str] | None) -> None:
    plain = parse(prompt)
    spec = with_nearest_groove(plain)
    assert spec.genre == plain.genre
    if families is None:
        assert spec.groove is None and _family(spec) == _family(plain)
    else:
        assert spec.groove is not None and load_library().by_name[spec.groove]["family"] in families
        assert any(f"plays MMA's {spec.groove} groove" in note and "nearer the words than" in note
                   for note in spec.notes)
