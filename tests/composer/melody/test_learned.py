"""The learned-model machinery with a tiny model built in the test: tokens, checkpoint, constrained sampling.

A random-weight model is the harshest test of the constraints: whatever it prefers, the decoded melody
must have exactly the requested bars, stay in the mode and range, never overlap itself, and be
reproducible by seed.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from composer.melody.attributes import ANY, Attributes, caption, melody_attributes
from composer.melody.constraints import MelodyRequest, RowState
from composer.melody.model import MelodyModel, ModelConfig, load_model, save_model
from composer.melody.rerank import Candidate, choose
from composer.melody.sample import ModelMelody, SampleConfig, spec_attributes, strong_beats
from composer.melody.tokens import GrammarState, MotifTokenizer
from composer.piece import Chord, Note
from composer.theory import mode_pcs, tonic_pc
from prompts.spec import Spec

ROUND_TRIPS = [
    ("6/8", [(60, 0, 1), (62, 1, 0.5), (64, 1.5, 0.5), (65, 2, 1), (67, 3, 1.5), (65, 4.5, 1.5), (64, 6, 3)]),
    ("4/4", [(60, 0, 1.5), (62, 1.5, 0.5), (64, 2, 2), (65, 4, 1 / 3), (67, 4 + 1 / 3, 1 / 3), (72, 5, 3)]),
    ("3/4", [(67, 2, 1), (72, 3, 2), (71, 5, 1), (69, 6, 3)]),
    ("5/4", [(60, 0, 2.5), (64, 2.5, 2.5), (67, 5, 5)]),
]


@pytest.fixture(scope="module")
def tokenizer() -> MotifTokenizer:
    return MotifTokenizer()


def fake_embed(texts) -> np.ndarray:
    """A deterministic stand-in vector per text (the real MiniLM is tested in tests/prompts)."""
    rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(384) for t in texts]
    return np.asarray(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def tiny_source(tokenizer: MotifTokenizer) -> ModelMelody:
    torch.manual_seed(0)
    model = MelodyModel(ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32)).eval()
    return ModelMelody(model, tokenizer, lambda texts: np.zeros((len(texts), 384), np.float32),
                       SampleConfig(candidates=2))


@pytest.mark.parametrize(("meter", "notes"), ROUND_TRIPS)
def test_remi_round_trip_is_exact(tokenizer: MotifTokenizer, meter: str, notes) -> None:
    ids = tokenizer.encode_notes(notes, meter)
    back = [(n.pitch, round(n.start, 6), round(n.duration, 6)) for n in tokenizer.decode_notes(ids, meter)]
    assert back == [(p, round(o, 6), round(d, 6)) for p, o, d in notes]


def test_sequence_layout_and_save_load(tokenizer: MotifTokenizer, tmp_path) -> None:
    attrs = Attributes(mode="minor", meter="6/8", bars="4")
    seq = tokenizer.sequence(attrs, tokenizer.encode_notes(ROUND_TRIPS[0][1], "6/8"))
    names = [tokenizer.id_to_token[i] for i in seq]
    assert names[0] == "BOS_None" and names[-1] == "EOS_None"
    assert names[1:9] == ["MODE_minor", "METER_6/8", "TEMPO_any", "DENSITY_any", "RANGE_any", "FAMILY_any",
                          "BARS_4", "GENRE_any"]
    tokenizer.save(tmp_path)
    assert MotifTokenizer.load(tmp_path).vocab == tokenizer.vocab


def test_checkpoint_round_trip(tokenizer: MotifTokenizer, tmp_path) -> None:
    model = MelodyModel(ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32)).eval()
    save_model(model, tmp_path)
    again = load_model(tmp_path)
    ids = torch.tensor([tokenizer.sequence(Attributes(), [])])
    emb = torch.ones((1, 384))
    with torch.no_grad():
        assert torch.allclose(model(ids, emb).logits, again(ids, emb).logits, atol=1e-6)


def test_attributes_and_captions() -> None:
    notes = [(60 + i % 8, i * 0.5, 0.5) for i in range(48)]
    attrs = melody_attributes("major", "6/8", 180, notes, 8, "oneills1850", "jig")
    assert (attrs.family, attrs.tempo, attrs.bars, attrs.meter) == ("jig", "fast", "8", "6/8")
    text = caption(attrs, __import__("random").Random(0))
    assert "jig" in text and "6/8" in text
    assert melody_attributes("minor", "11/8", 60, notes, 100, "x", None).meter == ANY


SPECS = [
    Spec(prompt="a", tonic="D", mode="minor", time_signature="4/4", bars=4),
    Spec(prompt="b", tonic="G", mode="major", time_signature="6/8", bars=3, register=1),
    Spec(prompt="c", tonic="F#", mode="dorian", time_signature="5/4", bars=2),
    Spec(prompt="d", tonic="Bb", mode="lydian", time_signature="3/4", bars=1, register=-1),
    Spec(prompt="e", tonic="E", mode="phrygian", time_signature="7/8", bars=2),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.tonic}-{s.mode}-{s.time_signature}-{s.bars}")
def test_constrained_sampling_obeys_with_random_weights(tiny_source: ModelMelody, spec: Spec) -> None:
    chords = [Chord(i * spec.bar_quarters, spec.bar_quarters, 2, "min", "Dm") for i in range(spec.bars)]
    notes = tiny_source.generate(spec, chords, np.random.default_rng(3))
    assert notes, "a melody has notes"
    total = spec.bars * spec.bar_quarters
    assert max(n.start + n.duration for n in notes) <= total + 1e-6
    assert any(n.start + n.duration > total - spec.bar_quarters for n in notes), "the last bar sounds"
    allowed = mode_pcs(spec.tonic, spec.mode) | {2, 5, 9}  # the mode, and Dm's own notes where it sounds
    assert all(n.pitch % 12 in allowed for n in notes)
    assert all(a.start + a.duration <= b.start + 1e-6 for a, b in zip(notes, notes[1:], strict=False))
    center = 72 + 12 * spec.register
    assert all(center - 13 <= n.pitch <= center + 11 for n in notes)
    for seed in range(4):  # no note holds past a bar, except a closing one (up to two)
        line = tiny_source.generate(spec, chords, np.random.default_rng(seed))
        assert all(n.duration <= spec.bar_quarters + 1e-6 for n in line[:-1])
        assert line[-1].duration <= 2 * spec.bar_quarters + 1e-6
    again = tiny_source.generate(spec, chords, np.random.default_rng(3))
    assert [(n.pitch, n.start, n.duration) for n in again] == [(n.pitch, n.start, n.duration) for n in notes]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.tonic}-{s.mode}-{s.time_signature}-{s.bars}")
def test_melodies_close_on_a_held_tonic_from_a_strong_beat(tiny_source: ModelMelody, spec: Spec) -> None:
    """Random weights would happily end on a flourish of tiny notes; the closing rule makes the last note the
    tonic, started by the final bar's last strong beat (or just after a note held across it), held to the final
    bar line, with no other note after that beat."""
    chords = [Chord(i * spec.bar_quarters, spec.bar_quarters, 2, "min", "Dm") for i in range(spec.bars)]
    total = spec.bars * spec.bar_quarters
    close_by = total - spec.bar_quarters + max(strong_beats(spec.time_signature))
    for seed in range(6):
        line = tiny_source.generate(spec, chords, np.random.default_rng(seed))
        last = line[-1]
        assert last.pitch % 12 == tonic_pc(spec.tonic), f"seed {seed} ends on {last.pitch}"
        assert last.start + last.duration == pytest.approx(total)
        before = line[-2].start + line[-2].duration if len(line) > 1 else 0.0
        # after a note held across that beat: the first onset from which one Duration reaches the bar line
        assert last.start <= max(close_by, before + 0.5) + 1e-6
        assert all(n.start < close_by - 1e-6 for n in line[:-1])


def test_spec_attributes_and_strong_beats() -> None:
    spec = Spec(prompt="x", genre="reel", tempo_bpm=200, time_signature="4/4", bars=32, density=0.9)
    attrs = spec_attributes(spec)
    assert (attrs.family, attrs.tempo, attrs.density, attrs.bars) == ("reel", "fast", "very_busy", "16")
    assert strong_beats("6/8") == (0.0, 1.5) and strong_beats("4/4") == (0.0, 2.0) and strong_beats("5/4") == (0.0,)


def test_context_prefix_continues_without_leaking_old_notes(tiny_source: ModelMelody) -> None:
    spec = Spec(prompt="go on", tonic="A", mode="minor", time_signature="4/4", bars=3)
    chords = [Chord(i * 4.0, 4.0, 9, "min", "Am") for i in range(3)]
    context = [Note(69 + (i % 3), -8.0 + i, 1.0) for i in range(8)]  # the parent's last two bars
    with_context = tiny_source.generate(spec, chords, np.random.default_rng(9), context=context)
    assert with_context and min(n.start for n in with_context) >= 0
    assert max(n.start + n.duration for n in with_context) <= 12.0 + 1e-6
    assert all(n.pitch % 12 in mode_pcs("A", "minor") for n in with_context)
    again = tiny_source.generate(spec, chords, np.random.default_rng(9), context=context)
    assert [(n.pitch, n.start) for n in again] == [(n.pitch, n.start) for n in with_context]


def _candidate(pitches: list[int], logprob_per_token: float) -> Candidate:
    row = Candidate(RowState(GrammarState("4/4")), logprob=logprob_per_token * 10)
    row.ids.extend(range(10))
    row.state.pitches.extend(pitches)
    return row


def test_choose_takes_the_first_acceptable_candidate_not_the_likeliest() -> None:
    request = MelodyRequest(meter="4/4", bars=1, allowed_pcs=frozenset(range(12)), pitch_low=60, pitch_high=84,
                            chords=((0.0, 4.0, frozenset({0, 4, 7})),))
    repetitive = _candidate([60, 62, 60, 62, 60], -0.2)  # the likeliest, but only two pitches
    derailed = _candidate([64, 71, 65, 60], -1.5)  # far less likely than the best
    unresolved = _candidate([60, 62, 64, 65], -0.4)  # ends outside the final chord
    fair = _candidate([67, 65, 64, 62, 60], -0.45)
    later = _candidate([64, 65, 67, 72], -0.3)
    assert choose([repetitive, derailed, unresolved, fair, later], request, 0.35) is fair
    assert choose([repetitive, derailed], request, 0.35) is repetitive, "nothing passes: the best by rerank score"
    assert choose([later, fair], request, 0.1) is later, "within 0.1 nats of the best only the best passes"


def test_long_requests_are_written_in_stretches_that_fit_the_context(tokenizer: MotifTokenizer) -> None:
    """40 bars would run far past a 512-token context in one go; written 8 bars at a time it fits and the
    stretches join up: exact length, monophonic, in the mode."""
    torch.manual_seed(1)
    model = MelodyModel(ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32, n_positions=514)).eval()
    source = ModelMelody(model, tokenizer, lambda texts: np.zeros((len(texts), 384), np.float32),
                         SampleConfig(candidates=2))
    spec = Spec(prompt="a long reel", tonic="D", mode="major", time_signature="4/4", bars=40, density=0.9)
    chords = [Chord(i * 4.0, 4.0, 2, "maj", "D") for i in range(40)]
    notes = source.generate(spec, chords, np.random.default_rng(5))
    assert max(n.start + n.duration for n in notes) <= 160 + 1e-6
    assert any(n.start >= 156 for n in notes), "the last bar sounds"
    assert all(a.start + a.duration <= b.start + 1e-6 for a, b in zip(notes, notes[1:], strict=False))
    assert all(n.pitch % 12 in mode_pcs("D", "major") for n in notes)
