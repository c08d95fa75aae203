"""The march's tune: quarters, eighths and the dotted-eighth-sixteenth figure, not reel runs.

Why: the listening review of 2026-12-01 heard "a triumphant march in Bb" as 2.9 notes a beat of running
sixteenths and triplets with no dotted figure ("triumphant" asks the model for a very busy line, and its folk and
chorale data rarely dot a beat). The march prior (`composer.melody.priors`, `grid` and `dotted`) is what shapes
it; these tests read the written MIDI of the real model over three seeds, with margins, not its exact notes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.learn.analyze import melody_notes
from composer.melody.priors import PriorBias, prior_for
from prompts import parse

MARCH = "a triumphant march in Bb with brass and drums, 16 bars"


def _bias(beat_t: int) -> tuple[PriorBias, np.ndarray]:
    """The march prior over position tokens every 6 ticks for two beats of `beat_t` ticks."""
    prior = prior_for("march")
    assert prior is not None
    positions = np.arange(0, 2 * beat_t, 6)
    return PriorBias(prior, 10, frozenset({10, 0, 2, 3, 5, 7, 9}), np.arange(12), np.arange(60, 72), positions,
                     beat_t, []), positions


def test_the_march_grid_keeps_eighths_and_the_dotted_sixteenth() -> None:
    simple, positions = _bias(48)  # a quarter-note beat (2/4), 48 ticks
    free = {int(t) for t, b in zip(positions, simple.positions(), strict=True) if b == 0.0}
    assert free == {0, 24, 36, 48, 72, 84}
    compound, positions = _bias(72)  # a dotted-quarter beat (6/8): its three eighths stay free
    free = {int(t) % 72 for t, b in zip(positions, compound.positions(), strict=True) if b == 0.0}
    assert free == {0, 24, 48, 36}
    ends = np.array([6, 12, 24, 36, 48])
    on_beat = simple.durations(0, ends)
    assert on_beat[3] > on_beat[2] > on_beat[0]  # a dotted eighth over an eighth over a 32nd
    assert simple.durations(36, np.array([42, 48, 60]))[1] > 0  # the sixteenth that ends on the beat


@pytest.fixture(scope="module")
def march_lines() -> list[list[tuple[float, float]]]:
    source = load_melody_source("model")
    lines = []
    for seed in (1, 2, 3):
        spec = dataclasses.replace(parse(MARCH), seed=seed)
        piece = compose_original(spec, source).piece
        lines.append([(n.start_q, n.end_q - n.start_q) for n in melody_notes(piece_to_midi_bytes(piece), spec)])
    return lines


def test_the_march_tune_moves_in_quarters_and_eighths(march_lines: list[list[tuple[float, float]]]) -> None:
    onsets = [start for line in march_lines for start, _ in line]
    off_grid = [t for t in onsets if round(t % 1.0, 3) not in (0.0, 0.5, 0.75)]
    assert len(off_grid) <= 0.1 * len(onsets), f"{len(off_grid)} of {len(onsets)} onsets off the march grid"
    per_quarter = len(onsets) / (3 * 32)
    assert 0.8 <= per_quarter <= 2.4, f"{per_quarter:.2f} notes a quarter"


def test_the_march_tune_dots_its_beats(march_lines: list[list[tuple[float, float]]]) -> None:
    dotted = 0
    for line in march_lines:
        starts = [start for start, _ in line]
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        dotted += sum(1 for a, b in zip(gaps, gaps[1:], strict=False) if abs(a - 0.75) < 0.02 and abs(b - 0.25) < 0.02)
    assert dotted >= 6, f"{dotted} dotted-eighth-sixteenth figures in three marches"
