"""Riffs (`composer.melody.riff.state_riff`): a line from the committed model rebuilt on its opening bar, restated
over the chords up to each phrase's closing bar, which stays the model's own; and a rock piece composed end to
end, its melody read back from the written MIDI, built that way."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.learn.analyze import melody_notes
from composer.melody.riff import choose_cell, riff_phrases, state_riff
from composer.piece import Chord, Note, Piece
from composer.styles import Style, StyleError, style_for
from prompts import parse
from prompts.spec import Spec

SPEC = Spec(prompt="a rock song in E", tonic="E", mode="major", time_signature="4/4", bars=8, seed=3, genre="rock")
PLAN = [Chord(b * 4.0, 4.0, root, "maj", name) for b, (root, name) in
        enumerate([(4, "E"), (2, "D"), (9, "A"), (4, "E"), (4, "E"), (2, "D"), (9, "A"), (11, "B")])]
VAMP = [Chord(b * 4.0, 4.0, 4, "maj", "E") for b in range(8)]


@pytest.fixture(scope="module")
def model():
    return load_melody_source("model")


def bars_of(notes, bars: int, bar_q: float = 4.0) -> list[list[tuple[int, float]]]:
    out: list[list[tuple[int, float]]] = [[] for _ in range(bars)]
    for n in sorted(notes, key=lambda n: n.start):
        out[int(n.start // bar_q)].append((n.pitch, round(n.start % bar_q, 3)))
    return out


def test_the_riff_fills_each_phrase_but_its_closing_bar() -> None:
    assert riff_phrases(SPEC, 1) == [(0, 3), (4, 3)]
    assert riff_phrases(replace(SPEC, bars=4), 1) == [(0, 3)]
    assert riff_phrases(replace(SPEC, bars=2), 1) == [], "a cell and an answer: nothing to restate"
    assert riff_phrases(replace(SPEC, bars=8), 2) == [], "a two-bar cell does not fit twice before the answer"


def test_the_cell_is_the_bar_with_the_push() -> None:
    plain = [Note(64, b * 4.0 + q, 1.0, 90) for b in range(4) for q in range(4)]
    pushed = [n for n in plain if n.start // 4 != 1] + [Note(64, 4.0, 1.5, 90), Note(66, 5.5, 2.5, 90)]
    assert choose_cell(replace(SPEC, bars=4), plain, 1, 3) == 0, "all square: the opening bar"
    assert choose_cell(replace(SPEC, bars=4), pushed, 1, 3) == 1, "the bar with the off-beat note"


def test_the_cell_comes_back_over_the_chords(model) -> None:
    line = model.generate(SPEC, PLAN, np.random.default_rng(SPEC.seed))
    riff = state_riff(SPEC, PLAN, line, 1)
    before, after = bars_of(line, 8), bars_of(riff, 8)
    at = choose_cell(SPEC, line, 1, 3)
    cell = after[at]
    assert cell == before[at] and len(cell) >= 3, "the cell is one of the line's own bars"
    for bar in (0, 1, 2, 4, 5, 6):
        assert [o for _, o in after[bar]] == [o for _, o in cell], f"bar {bar + 1} keeps the cell's rhythm"
        assert all(abs(p - q) <= 5 or abs(abs(p - q) - 12) <= 5 for (p, _), (q, _) in zip(after[bar], cell, strict=True))
    assert after[3] == before[3] and after[7] == before[7], "each phrase closes as the model wrote it"
    ordered = sorted(riff, key=lambda n: n.start)
    assert all(a.start + a.duration <= b.start + 1e-6 for a, b in zip(ordered, ordered[1:], strict=False))


def test_over_one_chord_the_riff_is_the_same_figure(model) -> None:
    line = model.generate(SPEC, VAMP, np.random.default_rng(5))
    after = bars_of(state_riff(SPEC, VAMP, line, 1), 8)
    at = choose_cell(SPEC, line, 1, 3)
    for bar in (0, 1, 2, 4, 5, 6):
        shifts = {p - q for (p, _), (q, _) in zip(after[bar], after[at], strict=True)}
        assert [o for _, o in after[bar]] == [o for _, o in after[at]] and len(shifts) == 1, "the same figure"
        assert shifts <= {0, 12, -12}, "nothing to move for but the line's register: the cell as first played"


def test_a_line_too_short_is_left_alone(model) -> None:
    short = replace(SPEC, bars=2)
    line = model.generate(short, PLAN[:2], np.random.default_rng(1))
    assert state_riff(short, PLAN[:2], line, 1) == line


def test_a_held_note_is_no_riff() -> None:
    drone = [Note(62, 0.0, 4.0, 90), *(Note(64 + b % 3, b * 4.0, 2.0, 90) for b in range(1, 8))]
    assert state_riff(SPEC, PLAN, drone, 1) == drone, "one note a bar restated would be a drone"


def test_a_rock_song_is_built_on_its_riff_in_the_written_midi(model) -> None:
    spec = replace(parse("an energetic rock song in E with distorted guitar, bass and drums, 8 bars"), seed=2)
    assert style_for(spec.genre).riff_bars == 1
    piece = compose(spec, model)
    rhythm, times, bars = riff_rhythm(piece, 0)
    assert rhythm and times >= 4, f"the cell's rhythm in most of the riff's six bars (pushes aside): {bars}"


def riff_rhythm(piece: Piece, first_bar: int) -> tuple[tuple[float, ...], int, list[list[float]]]:
    """The commonest onset rhythm among the riff bars of the 8 bars from `first_bar` (each 4-bar phrase but its
    closing bar), in how many of those six it is, and every bar's onsets; the melody read back from the
    written MIDI."""
    bar_q = piece.spec.bar_quarters
    bars: list[list[float]] = [[] for _ in range(piece.spec.bars)]
    for n in melody_notes(piece_to_midi_bytes(piece), piece.spec):
        bars[int(n.start_q // bar_q)].append(round(n.start_q % bar_q, 2))
    rhythm, times = Counter(tuple(bars[first_bar + b]) for b in (0, 1, 2, 4, 5, 6)).most_common(1)[0]
    return rhythm, times, bars


def test_a_negative_riff_is_refused() -> None:
    with pytest.raises(StyleError):
        Style("x", "rock", riff_bars=-1)
