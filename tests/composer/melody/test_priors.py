"""Style priors in decoding (`composer.melody.priors`): the idiom each one is there for is heard in the written
MIDI of the learned engine, over three seeds of a review prompt, with the figures `motif eval` reports. The
floors are below the issue's targets (met on the whole review suite, `motif eval --json`): three pieces are
noisy, and what this guards is that each prior acts (before them every figure here was 0.00-0.03). The ceilings
guard the other way: funk read .71 (a line nearly all anticipations) before the priors were set to the real
leads' figures; real rock, pop and jazz leads read .18-.26."""

from __future__ import annotations

import dataclasses

import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.learn.analyze import melody_notes
from composer.learn.evaluate import form_counts, form_figures
from composer.melody.priors import STYLE_PRIORS, prior_for
from composer.styles import STYLES
from composer.theory import tonic_pc
from prompts import parse

CASES = [
    ("a 12-bar blues in G with electric guitar, bass and drums, 12 bars", "blue_notes", 0.04, 0.25),
    ("fast bebop in F with alto sax, walking bass and drums, 16 bars", "chromatic", 0.05, 0.3),
    ("a klezmer tune in D with clarinet and violin, 16 bars", "pieces_with_augmented_second", 0.3, 1.0),
    ("an energetic rock song in E with distorted guitar, bass and drums, 16 bars", "syncopation", 0.07, 0.5),
    ("a heartfelt pop ballad in C with piano, 16 bars", "syncopation", 0.07, 0.5),
    ("tight funk groove in E minor with slap bass, clavinet and drums, 16 bars", "syncopation", 0.1, 0.5),
    ("deep house at 124 bpm in A minor with piano chords and drums, 16 bars", "syncopation", 0.1, 0.55),
    ("synthwave in D minor with synth lead and bass, 16 bars", "syncopation", 0.05, 0.4),
]


def test_the_table_names_styles_and_scale_steps() -> None:
    assert set(STYLE_PRIORS) <= set(STYLES)
    for prior in STYLE_PRIORS.values():
        assert all(0 <= step < 12 for step in prior.step_bias)
        assert all(0 <= a < 12 and 0 <= b < 12 for a, b, _ in prior.step_pairs)
    assert prior_for("reel") is None and prior_for(None) is None


@pytest.mark.parametrize(("prompt", "figure", "low", "high"), CASES, ids=[c[1] + ":" + c[0][:12] for c in CASES])
def test_the_idiom_is_heard_in_the_written_midi(prompt: str, figure: str, low: float, high: float) -> None:
    source = load_melody_source("model")
    rows = []
    for seed in (1, 2, 3):
        spec = dataclasses.replace(parse(prompt), seed=seed)
        piece = compose_original(spec, source).piece
        line = [(n.pitch, n.start_q, n.end_q - n.start_q) for n in melody_notes(piece_to_midi_bytes(piece), spec)]
        rows.append(form_counts(line, spec.bars, spec.time_signature, tonic_pc(spec.tonic), spec.mode))
    found = form_figures(rows)[figure]
    assert low <= found <= high, f"{figure} {found}"


def test_a_baroque_minuet_moves_instead_of_striking_one_note_again() -> None:
    """`repeat`: seeds 1-3 of the review's minuet struck the note just sounded in 27% of their steps with no
    prior, 19% under a prior of zeros (its candidates ranked by the masked distribution, `token_logprob`), 10.5%
    with it; the corpus's Bach, Mozart and Haydn lines 11-15%. Not banned either: a dance repeats a note."""
    source = load_melody_source("model")
    steps = repeats = 0
    for seed in (1, 2, 3):
        spec = dataclasses.replace(parse("a baroque minuet in G for harpsichord, 16 bars"), seed=seed)
        piece = compose_original(spec, source).piece
        pitches = [n.pitch for n in sorted(melody_notes(piece_to_midi_bytes(piece), spec), key=lambda n: n.start_q)]
        steps += len(pitches) - 1
        repeats += sum(a == b for a, b in zip(pitches, pitches[1:], strict=False))
    assert 0.03 <= repeats / steps <= 0.15, repeats / steps
