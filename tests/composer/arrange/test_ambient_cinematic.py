"""Ambient and cinematic leads move as their genres do: in long notes, not running eighths and sixteenths.

Why: the listening review of 2026-12-01 heard "epic" cinematic brass in running eighths (the learned engine wrote
2.3-3.2 notes a beat, nearly all sixteenths, on the 'epic' mood's busy density) and a calm ambient lead in
eighths and quarters (1.0-1.5 notes a beat, 1-3% of its notes two beats or longer). A film cue's theme is broad
(half and quarter notes) and an ambient line floats in long notes; the `sustain` prior of each style
(composer.melody.priors) asks the decoder for that. Read from the written MIDI's lead line, over three seeds,
with margins inside the change (mean notes a beat over seeds 1-3, before -> after: ambient 0.84 -> 0.52, cinematic
2.15 -> 0.6)."""

from __future__ import annotations

import dataclasses
import statistics

import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.learn.analyze import melody_notes
from prompts import parse

CASES = [
    # prompt, most notes a beat (mean over seeds), fewest beats in the median note, most notes under an eighth
    ("calm ambient pad music in D, slow, 16 bars", 0.7, 1.0, 0.10),
    ("epic cinematic strings and brass in D minor, 16 bars", 1.3, 0.75, 0.20),
]


@pytest.mark.parametrize(("prompt", "most_per_beat", "median_beats", "most_short"), CASES,
                         ids=["ambient", "cinematic"])
def test_the_lead_moves_in_long_notes(prompt: str, most_per_beat: float, median_beats: float,
                                      most_short: float) -> None:
    source = load_melody_source("model")
    per_beat, lengths = [], []
    for seed in (1, 2, 3):
        spec = dataclasses.replace(parse(prompt), seed=seed)
        piece = compose_original(spec, source).piece
        line = melody_notes(piece_to_midi_bytes(piece), spec)
        per_beat.append(len(line) / (spec.bars * spec.bar_quarters))
        lengths += [n.end_q - n.start_q for n in line]
    short = sum(length < 0.5 - 1e-6 for length in lengths) / len(lengths)
    assert statistics.mean(per_beat) <= most_per_beat, f"notes a beat {per_beat}"
    assert statistics.median(lengths) >= median_beats, f"median note {statistics.median(lengths)} beats"
    assert short <= most_short, f"{short:.2f} of the notes are shorter than an eighth"
