"""The Markov melody model on real corpus melodies: honest held-out bits per note, exact state encoding,
deterministic sampling, and a model file that round-trips."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from composer.melody.corpus import DEFAULT_PATH, Melody, load_melodies
from composer.melody.markov import (
    DEFAULT_MODEL_PATH,
    DURATIONS_QL,
    N_PITCH_STATES,
    MarkovError,
    MarkovModel,
    duration_class,
    meter_grid,
    pitch_state,
    state_pitch,
    train,
)
from composer.theory import MODE_INTERVALS


@pytest.fixture(scope="module")
def subset() -> dict[str, list[Melody]]:
    melodies = load_melodies(DEFAULT_PATH)
    folk = [m for m in melodies if m.source in ("oneills1850", "ryansMammoth", "essenFolksong", "bach")]
    return {
        "train": [m for m in folk if m.split == "train"][:600],
        "test": [m for m in folk if m.split == "test"][:80],
    }


@pytest.fixture(scope="module")
def model(subset: dict[str, list[Melody]]) -> MarkovModel:
    return train(subset["train"])


def test_heldout_bits_are_finite_and_beat_uniform(model: MarkovModel, subset: dict[str, list[Melody]]) -> None:
    uniform_bits = math.log2(len(DURATIONS_QL) * N_PITCH_STATES)
    test_bits = model.bits_per_note(subset["test"])
    train_bits = model.bits_per_note(subset["train"])
    assert math.isfinite(test_bits)
    assert test_bits < uniform_bits - 3.0
    assert train_bits < test_bits  # it learned something specific to its data
    per_note = model.note_log_probs(subset["test"][0])
    assert len(per_note) == len(subset["test"][0].notes) and all(math.isfinite(v) and v < 0 for v in per_note)
    assert model.log_prob(subset["test"][0]) == pytest.approx(sum(per_note) / len(per_note))


def test_distributions_sum_to_one_even_for_unseen_contexts(model: MarkovModel) -> None:
    for family in ("duple", "triple", "compound"):
        assert model.duration_probs(family, 4, 14, 0).sum() == pytest.approx(1.0)
    for family in ("major", "minor"):
        probs = model.pitch_probs(family, 1, 14, N_PITCH_STATES - 1, 0)
        assert probs.sum() == pytest.approx(1.0) and (probs > 0).all()


def test_sampling_is_deterministic_and_fills_the_bars(model: MarkovModel) -> None:
    a = model.sample("6/8", "dorian", 8, np.random.default_rng(7))
    b = model.sample("6/8", "dorian", 8, np.random.default_rng(7))
    c = model.sample("6/8", "dorian", 8, np.random.default_rng(8))
    assert a == b and a != c
    assert a[0][1] == 0 and a[-1][1] + a[-1][2] == pytest.approx(24.0)
    assert all(o1 + d1 == pytest.approx(o2) for (_, o1, d1), (_, o2, _) in zip(a, a[1:], strict=False))


def test_state_encoding_round_trips_every_pitch_in_every_mode() -> None:
    for mode in MODE_INTERVALS:
        for pitch in range(40, 96):  # the unclipped range around the reference tonic
            state = pitch_state(pitch, mode, 60)
            assert state_pitch(state, mode, 60) == pitch
            in_scale = (pitch - 60) % 12 in MODE_INTERVALS[mode]
            assert (state % 2 == 0) == in_scale


def test_meter_grid_classes() -> None:
    four = meter_grid("4/4")
    assert [four.metric_class(x) for x in (0, 1, 2, 3, 0.5, 0.25, 4.0)] == [0, 2, 1, 2, 3, 4, 0]
    jig = meter_grid("6/8")
    assert jig.family == "compound" and [jig.metric_class(x) for x in (0, 1.5, 0.5, 0.25)] == [0, 2, 3, 4]
    assert meter_grid("3/4").family == "triple" and meter_grid("7/8").group_starts == (1.0, 2.0)
    assert duration_class(0.5) == DURATIONS_QL.index(0.5) and duration_class(4.5) == DURATIONS_QL.index(4.0)
    with pytest.raises(MarkovError):
        meter_grid("four/four")
    with pytest.raises(MarkovError):
        duration_class(0.0)


def test_model_file_round_trips(model: MarkovModel, subset: dict[str, list[Melody]], tmp_path: Path) -> None:
    path = tmp_path / "m.json.gz"
    model.save(path)
    again = MarkovModel.load(path)
    assert again.bits_per_note(subset["test"][:10]) == pytest.approx(model.bits_per_note(subset["test"][:10]))
    with pytest.raises(MarkovError, match="not found"):
        MarkovModel.load(tmp_path / "nope.json.gz")


def test_committed_model_loads_and_scores() -> None:
    committed = MarkovModel.load(DEFAULT_MODEL_PATH)
    assert committed.trained_on > 5000
    assert committed.pitch_probs("major", 0, 6, 2 * 14, 2 * 16).sum() == pytest.approx(1.0)
