"""The blues's AAB lines (`composer.melody.riff.state_blues_lines`): each 12-bar chorus's second line opens on
its first line's call, moved to fit the IV chord under it; and a blues composed end to end, its melody read
back from the written MIDI, sings its call twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.learn.analyze import melody_notes
from composer.melody.riff import CALL_BARS, state_blues_lines
from composer.melody.variation import off_chord
from composer.piece import Chord, Note, Piece
from prompts import parse
from prompts.spec import Spec

SPEC = Spec(prompt="a blues in G", tonic="G", mode="major", time_signature="4/4", bars=12, seed=1, genre="blues")
ROOTS = (7, 7, 7, 7, 0, 0, 7, 7, 2, 0, 7, 2)
PLAN = [Chord(b * 4.0, 4.0, root, "7", name) for b, (root, name) in
        enumerate(zip(ROOTS, ["G7"] * 4 + ["C7"] * 2 + ["G7"] * 2 + ["D7", "C7", "G7", "D7"], strict=True))]


def chorus(call: list[tuple[int, float, float]]) -> list[Note]:
    """A 12-bar line: `call` (pitch, onset, length) over bars 1-2, then four quarters a bar of a plain scale walk
    that never restates it."""
    walk = [Note(64 + (i % 5) * 2, 8.0 + i, 1.0, 90) for i in range(40)]
    return [Note(p, o, d, 90) for p, o, d in call] + walk


CALL = [(67, 0.0, 0.67), (70, 0.67, 1.33), (67, 2.0, 1.0), (72, 3.0, 1.0), (74, 4.0, 1.0), (72, 5.0, 1.0),
        (67, 6.0, 2.0)]


def test_the_second_line_opens_on_the_call_fitted_to_the_iv_chord() -> None:
    line = chorus(CALL)
    sung = state_blues_lines(SPEC, PLAN, line)
    again = [n for n in sung if 16.0 <= n.start < 16.0 + CALL_BARS * 4]
    assert [round(n.start - 16.0, 3) for n in again] == [round(o, 3) for _, o, _ in CALL], "the call's rhythm"
    assert off_chord(again, SPEC, PLAN) == 0, "its strong beats sit on C7"
    assert sum(n.pitch == p for n, (p, _, _) in zip(again, CALL, strict=True)) >= len(CALL) // 2, \
        "the call itself, not a new line: most of its notes kept"
    assert [n for n in sung if n.start < 16.0] == [n for n in line if n.start < 16.0], "the first line untouched"
    assert [n for n in sung if n.start >= 24.0] == [n for n in line if n.start >= 24.0], "the fill and the answer"


def test_every_chorus_sings_its_own_call_and_other_lengths_are_left_alone() -> None:
    two = replace(SPEC, bars=24)
    first, second = chorus(CALL), chorus([(62, 0.0, 1.0), (65, 1.0, 1.0), (67, 2.0, 2.0), (69, 4.0, 4.0)])
    line = first + [replace(n, start=n.start + 48.0) for n in second]
    plan = PLAN + [replace(c, start=c.start + 48.0) for c in PLAN]
    sung = state_blues_lines(two, plan, line)
    assert [round(n.start, 3) for n in sung if 64.0 <= n.start < 72.0] == [64.0, 65.0, 66.0, 68.0]
    sixteen = replace(SPEC, bars=16)
    assert state_blues_lines(sixteen, PLAN, chorus(CALL)) == chorus(CALL), "not a whole number of choruses"
    assert state_blues_lines(SPEC, PLAN, chorus(CALL[:2])) == chorus(CALL[:2]), "a call of two notes is no line"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_composed_blues_sings_its_call_twice(seed: int) -> None:
    spec = replace(parse("a 12-bar blues in G with electric guitar, bass and drums, 12 bars"), seed=seed)
    piece = compose(spec)
    call, again = call_onsets(piece, 0.0)
    # the style's pushes are drawn after the call comes back (`anticipate`), so a note or two may move
    assert len(call) >= 3 and len(call & again) >= 0.75 * len(call | again), \
        f"bars 5-6 restate the rhythm of bars 1-2: {call, again}"


def call_onsets(piece: Piece, chorus_q: float) -> tuple[set[float], set[float]]:
    """The onsets (from each line's start) of the chorus starting at `chorus_q`'s first two bars and of its
    bars 5-6, the melody read back from the written MIDI (4/4)."""
    tune = melody_notes(piece_to_midi_bytes(piece), piece.spec)
    call, again = ({round(n.start_q - lo, 2) for n in tune if lo <= n.start_q < lo + 8.0}
                   for lo in (chorus_q, chorus_q + 16.0))
    return call, again
