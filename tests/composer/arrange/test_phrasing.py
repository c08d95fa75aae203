"""Anticipation moves melody onsets an eighth ahead of strong beats and changes nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.arrange.phrasing import PUSH_Q, anticipate, pushed_beats
from composer.piece import Note
from composer.styles import STYLES
from prompts.spec import Spec


def quarters(bars: int, per_bar: int = 4) -> list[Note]:
    return [Note(60 + i % 7, float(i), 1.0) for i in range(bars * per_bar)]


def test_every_pushed_beat_moves_an_eighth_early_when_share_is_one() -> None:
    spec = Spec(bars=2, time_signature="4/4")
    out = anticipate(quarters(2), spec, 1.0, np.random.default_rng(0))
    assert [n.start for n in out] == [0.0, 1.0, 1.5, 3.0, 3.5, 5.0, 5.5, 7.0]
    assert [n.pitch for n in out] == [n.pitch for n in quarters(2)]
    assert out[2].duration == 1.0 + PUSH_Q and out[1].duration == PUSH_Q


def test_no_push_no_draw_and_compound_meters_untouched() -> None:
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    notes = quarters(2)
    assert anticipate(notes, Spec(bars=2), 0.0, rng) == notes
    assert rng.bit_generator.state == state
    jig = [Note(62, i * 0.5, 0.5) for i in range(12)]
    assert pushed_beats(Spec(time_signature="6/8")) == ()
    assert anticipate(jig, Spec(bars=2, time_signature="6/8"), 1.0, rng) == jig


def test_a_note_too_close_to_the_one_before_is_not_pushed() -> None:
    notes = [Note(60, 0.0, 3.75), Note(62, 3.75, 0.25), Note(64, 4.0, 4.0)]
    out = anticipate(notes, Spec(bars=2), 1.0, np.random.default_rng(0))
    assert out == notes


def test_styles_that_push_are_the_ones_whose_melodies_syncopate() -> None:
    assert STYLES["bossa_nova"].push > 0 and STYLES["jazz"].push > 0 and STYLES["pop"].push > 0
    assert STYLES["reel"].push == 0 and STYLES["chorale"].push == 0 and STYLES["folk"].push == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(48, 84), st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0])), min_size=2, max_size=24),
       st.sampled_from(["4/4", "2/4", "3/4", "2/2"]), st.floats(0.0, 1.0), st.integers(0, 2**16))
def test_pitches_order_and_ends_survive(line, meter, share, seed) -> None:
    notes, t = [], 0.0
    for pitch, length in line:
        notes.append(Note(pitch, t, length))
        t += length
    spec = Spec(bars=max(1, int(t // 4) + 1), time_signature=meter)
    out = anticipate(notes, spec, share, np.random.default_rng(seed))
    assert [n.pitch for n in out] == [n.pitch for n in notes]
    assert out[0].start == notes[0].start
    assert out[-1].end == notes[-1].end
    assert all(a.end <= b.start + 1e-9 for a, b in zip(out, out[1:], strict=False))
    assert all(n.duration >= min(PUSH_Q, o.duration) - 1e-9 for n, o in zip(out, notes, strict=True))
    assert all(o.start - n.start in (0.0, PUSH_Q) for n, o in zip(out, notes, strict=True))
