"""New bars after a piece are written the way its style writes a fresh line: "continue for 8 bars" on a rock song
rides a riff, and on a 12-bar blues the new chorus sings its call again to open its second line
(`composer.generate.stated_in_style` through `composer.remix.sections.continue_piece`). Read back from the
written MIDI, with the committed model (that the parent's own notes are kept is `test_remix`'s)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.generate import compose
from composer.piece import Piece
from composer.remix import remix
from prompts.edit.language import apply_edits, parse_edits
from prompts.parse import parse
from tests.composer.melody.test_blues_lines import call_onsets
from tests.composer.melody.test_riff import riff_rhythm


@pytest.fixture(scope="module")
def model():
    return load_melody_source("model")


def continued(model, prompt: str, instruction: str, seed: int) -> tuple[Piece, Piece]:
    """(parent as heard back from its MIDI, the continuation)."""
    spec = replace(parse(prompt), seed=seed)
    parent = midi_bytes_to_piece(piece_to_midi_bytes(compose(spec, model)), spec)
    child, plan = apply_edits(parent.spec, parse_edits(instruction, parent.spec))
    assert plan.continue_bars
    return parent, remix(parent, child, plan, model, np.random.default_rng(child.seed))


def test_continuing_a_rock_song_rides_a_riff(model) -> None:
    """Over 8 seeds, as often as the rock songs they continue (5 of 8 do; the riff is left out where it would
    be heard in another key, `composer.melody.riff.says_key`); continuations written without the style's
    statements rode one in none of the 8."""
    riffed = 0
    for seed in range(1, 9):
        _, piece = continued(model, "an energetic rock song in E with distorted guitar, bass and drums, 8 bars",
                             "continue for 8 bars", seed)
        assert piece.spec.bars == 16
        rhythm, times, _ = riff_rhythm(piece, 8)
        riffed += bool(rhythm) and times >= 4  # the cell's rhythm in most of the new riff bars, pushes aside
    assert riffed >= 4, riffed


@pytest.mark.parametrize("seed", [1, 2])
def test_continuing_a_blues_sings_the_new_chorus_call_twice(model, seed: int) -> None:
    _, piece = continued(model, "a 12-bar blues in G with electric guitar, bass and drums, 12 bars",
                         "continue for 12 bars", seed)
    assert piece.spec.bars == 24
    call, again = call_onsets(piece, 48.0)
    assert len(call) >= 3 and len(call & again) >= 0.75 * len(call | again), \
        f"the new chorus's bars 5-6 restate the rhythm of its bars 1-2: {call, again}"
