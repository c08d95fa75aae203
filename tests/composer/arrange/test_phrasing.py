"""Anticipation moves melody onsets an eighth ahead of strong beats and changes nothing else; a phrase's
cadence is never pushed or cut short (`cadences_cut` reads that from a written line, and is the review suite's
measurement: `python -m tests.composer.melody.test_phrase_ends`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.arrange.phrasing import PUSH_Q, anticipate, cadence_bars, pushed_beats
from composer.piece import Note
from composer.styles import STYLES
from prompts.spec import Spec

Line = list[tuple[int, float, float]]
"""A melody as read from a file: (pitch, onset, duration) in quarter notes, sorted by onset."""


def cadences_cut(spec: Spec, line: Line) -> tuple[int, int]:
    """(cadences cut, cadences) in a written line: a cadence bar (`cadence_bars`) is cut when a note that starts
    an eighth before one of its pushed beats, or before the bar line after it, sounds across that point: the
    signature of an anticipation, which moves the cadence note off its beat or shortens the one before it. The
    piece's own end is no bar line to push over."""
    bar_q = spec.bar_quarters
    end = spec.bars * bar_q
    bars = cadence_bars(spec)
    cut = 0
    for bar in bars:
        points = [bar * bar_q + b for b in (*pushed_beats(spec), bar_q) if bar * bar_q + b < end - 1e-6]
        cut += any(abs(o - (p - PUSH_Q)) < 1e-3 and o + d > p + 1e-3 for p in points for _, o, d in line)
    return cut, len(bars)


def quarters(bars: int, per_bar: int = 4) -> list[Note]:
    return [Note(60 + i % 7, float(i), 1.0) for i in range(bars * per_bar)]


def test_every_pushed_beat_moves_an_eighth_early_when_share_is_one() -> None:
    spec = Spec(bars=3, time_signature="4/4")  # one 3-bar phrase: bars 1 and 2 lead to its cadence in bar 3
    out = anticipate(quarters(2), spec, 1.0, np.random.default_rng(0))
    assert [n.start for n in out] == [0.0, 1.0, 1.5, 3.0, 3.5, 5.0, 5.5, 7.0]
    assert [n.pitch for n in out] == [n.pitch for n in quarters(2)]
    assert out[2].duration == 1.0 + PUSH_Q and out[1].duration == PUSH_Q


def test_a_cadence_keeps_its_onsets_and_lengths() -> None:
    """Two 4-bar phrases: nothing in bars 4 and 8 moves or shortens, and the first note of the second phrase is
    not pushed into the cadence before it; the other pushed beats are."""
    spec = Spec(bars=8, time_signature="4/4")
    assert cadence_bars(spec) == [3, 7]
    notes = quarters(8)
    out = anticipate(notes, spec, 1.0, np.random.default_rng(0))
    in_cadence = [(o, n) for o, n in zip(notes, out, strict=True) if int(o.start // 4) in (3, 7)]
    assert in_cadence and all(o == n for o, n in in_cadence)
    assert next(n for n in out if n.pitch == notes[16].pitch and n.start >= 15.0).start == 16.0
    assert cadences_cut(spec, [(n.pitch, n.start, n.duration) for n in out]) == (0, 2)
    assert cadences_cut(spec, [(n.pitch, n.start, n.duration) for n in anticipate(notes, Spec(bars=9), 1.0,
                                                                                  np.random.default_rng(0))])[0] > 0


def test_the_breath_after_a_cadence_is_kept() -> None:
    """A cadence held to the half-bar rest before the next phrase: that phrase comes in on its downbeat, not
    pushed into the rest, and the phrase after the next cadence-free bar line is pushed as usual."""
    spec = Spec(bars=8, time_signature="4/4")
    notes = [*quarters(3), Note(67, 12.0, 3.5), *[Note(60 + i, 16.0 + i, 1.0) for i in range(16)]]
    out = anticipate(notes, spec, 1.0, np.random.default_rng(0))
    assert Note(67, 12.0, 3.5) in out and Note(60, 16.0, 1.0) in out
    assert any(n.start == 17.5 for n in out), "a pushed beat inside the phrase still moves"


def test_sections_phrase_on_their_own() -> None:
    """In sections, every section's phrases end where its own do (an 8-bar A: bars 4 and 8; a 4-bar B: 4)."""
    from prompts.spec import Section

    spec = Spec(bars=20, form=(Section("A", 8), Section("B", 4), Section("A", 8)))
    assert cadence_bars(spec) == [3, 7, 11, 15, 19]
    assert cadence_bars(Spec(bars=9)) == [3, 6, 8]


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
    closing = set(cadence_bars(spec))
    assert all(n == o for n, o in zip(out, notes, strict=True) if int(o.start / spec.bar_quarters + 1e-9) in closing)
