"""Phrases breathe in both engines: at each inner phrase end (every fourth bar, `phrase_end_bars`) the line lands
on a tone of the cadence chord on the bar's last strong beat, holds it at least a beat and starts nothing else
before the bar line (held or followed by a rest); a section that ends on V closes on V's root.

The learned engine is checked with random weights (whatever they prefer, the decoder must land) and with the
committed checkpoint through the whole compose path, the melody read back from the written MIDI file."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.learn.analyze import melody_notes
from composer.melody.model import MelodyModel, ModelConfig
from composer.melody.sample import ModelMelody, SampleConfig, phrase_end_bars, strong_beats
from composer.melody.source import chord_at, load_default_melody_source
from composer.melody.tokens import MotifTokenizer
from composer.piece import Chord, Note
from composer.theory import chord_pcs
from prompts import parse
from prompts.spec import Spec

SPECS = [
    Spec(prompt="a busy reel", tonic="D", mode="major", time_signature="4/4", bars=16, density=0.9),
    Spec(prompt="a jig", tonic="G", mode="major", time_signature="6/8", bars=8, density=0.8),
    Spec(prompt="a waltz", tonic="F", mode="minor", time_signature="3/4", bars=12),
]


def plan(spec: Spec) -> list[Chord]:
    """I IV V I a bar each, round and round, in the Spec's key (tonic pitch class from the name)."""
    from composer.theory import tonic_pc

    root = tonic_pc(spec.tonic)
    cycle = [(0, "maj"), (5, "maj"), (7, "maj"), (0, "maj")]
    return [Chord(b * spec.bar_quarters, spec.bar_quarters, (root + cycle[b % 4][0]) % 12, cycle[b % 4][1], "x")
            for b in range(spec.bars)]


def beat_q(meter: str) -> float:
    return 1.5 if meter.endswith("/8") else 4 / int(meter.split("/")[1])


def landings_kept(spec: Spec, chords: list[Chord], line: list[tuple[int, float, float]]) -> list[str]:
    """What breaks the phrase-end rule in a line of (pitch, onset, duration): one message per broken ending."""
    bar = spec.bar_quarters
    problems = []
    for end_bar in phrase_end_bars(spec.bars):
        start = end_bar * bar
        land = start + max(strong_beats(spec.time_signature))
        at = [n for n in line if abs(n[1] - land) < 1e-6]
        later = [n for n in line if land + 1e-6 < n[1] < start + bar - 1e-6]
        crossing = [n for n in line if n[1] < land - 1e-6 and n[1] + n[2] > land + 1e-6]
        chord = chord_at(chords, land)
        if not at or later or crossing:
            problems.append(f"bar {end_bar + 1}: landing {at}, later {later}, crossing {crossing}")
        elif chord is not None and at[0][0] % 12 not in chord_pcs(chord.root_pc, chord.quality):
            problems.append(f"bar {end_bar + 1}: lands on {at[0][0]} over {chord.root_pc} {chord.quality}")
        elif at[0][2] < min(beat_q(spec.time_signature), start + bar - land) - 1e-6 or at[0][1] + at[0][2] > start + bar + 1e-6:
            problems.append(f"bar {end_bar + 1}: the landing note lasts {at[0][2]}")
    return problems


@pytest.fixture(scope="module")
def random_source() -> ModelMelody:
    torch.manual_seed(2)
    tokenizer = MotifTokenizer()
    model = MelodyModel(ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32)).eval()
    return ModelMelody(model, tokenizer, lambda texts: np.zeros((len(texts), 384), np.float32),
                       SampleConfig(candidates=2))


def test_phrase_end_bars_follow_the_four_bar_phrasing() -> None:
    assert phrase_end_bars(16) == (3, 7, 11) and phrase_end_bars(12) == (3, 7) and phrase_end_bars(4) == ()
    assert phrase_end_bars(9) == (3, 6) and phrase_end_bars(6) == (3,)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.time_signature)
def test_random_weights_still_land_and_breathe(random_source: ModelMelody, spec: Spec) -> None:
    chords = plan(spec)
    for seed in range(3):
        notes = random_source.generate(spec, chords, np.random.default_rng(seed))
        assert landings_kept(spec, chords, [(n.pitch, n.start, n.duration) for n in notes]) == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.time_signature)
def test_markov_phrases_land_on_chord_tones(spec: Spec) -> None:
    source = load_default_melody_source()
    chords = plan(spec)
    for seed in range(3):
        notes = source.generate(spec, chords, np.random.default_rng(seed))
        for end_bar in phrase_end_bars(spec.bars):
            closing = [n for n in notes if end_bar * spec.bar_quarters <= n.start < (end_bar + 1) * spec.bar_quarters]
            chord = chord_at(chords, closing[-1].start)
            assert closing[-1].pitch % 12 in chord_pcs(chord.root_pc, chord.quality), (seed, end_bar, closing)


def test_a_section_on_v_closes_on_its_root(random_source: ModelMelody) -> None:
    spec = Spec(prompt="an A section", tonic="C", mode="major", time_signature="4/4", bars=4)
    chords = [*plan(spec)[:3], Chord(12.0, 4.0, 7, "7", "G7")]
    for seed in range(3):
        notes: list[Note] = random_source.generate(spec, chords, np.random.default_rng(seed))
        assert notes[-1].pitch % 12 == 7 and notes[-1].start + notes[-1].duration == pytest.approx(16.0)


@pytest.mark.parametrize("prompt", ["a gentle waltz in F, 16 bars", "a lively celtic reel in D for tin whistle and fiddle, 16 bars"])
def test_composed_tunes_breathe_in_the_written_midi(prompt: str) -> None:
    """The checkpoint through compose, read back from the MIDI bytes: every inner phrase end lands."""
    source = load_melody_source("model")
    spec = dataclasses.replace(parse(prompt), seed=1)
    piece = compose(spec, source)
    heard = melody_notes(piece_to_midi_bytes(piece), piece.spec)
    line = [(n.pitch, round(n.start_q * 48) / 48, round((n.end_q - n.start_q) * 48) / 48) for n in heard]
    assert landings_kept(piece.spec, piece.chords, line) == []
