"""The parts of `motif eval`, each on a few held-out windows and prompts with the real model and the real
studio, so the report keeps working: every number it prints is computed here on a small scale."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.cli.evaluation import (
    CHORD_SUITE,
    chords_heard,
    control_and_latency,
    heldout_bits,
    statistics,
    window_spec,
)
from bot.studio import StudioConfig, load_melody_source, open_studio
from composer.learn.evaluate import FEATURES
from composer.learn.evaluate import test_windows as held_out_windows
from composer.melody.corpus import load_melodies
from composer.melody.markov import MarkovModel


@pytest.fixture(scope="module")
def source():
    return load_melody_source("model")


def test_heldout_bits_score_both_engines_on_the_same_windows(source) -> None:
    windows = held_out_windows(load_melodies(split="test"), 3, 0)
    bits = heldout_bits(windows, MarkovModel.load(), source, source.embed)
    assert bits["pieces"] == 3 and bits["notes"] == sum(len(w.notes) for w in windows)
    assert 0 < bits["model"] <= bits["model_unconstrained"] + 1e-9  # the grammar only renormalises
    assert 0 < bits["markov"] < 20


def test_statistics_overlap_every_feature_for_both_engines(source) -> None:
    stats = statistics(MarkovModel.load(), source, 4, 0)
    assert stats["windows"] == 4
    for feature in FEATURES:
        assert 0.0 <= stats[feature]["model"] <= 1.0 and 0.0 <= stats[feature]["markov"] <= 1.0
    assert set(stats["mean"]) == {"model", "markov"}


def test_window_specs_ask_for_what_the_window_is() -> None:
    window = held_out_windows(load_melodies(split="test"), 1, 0)[0]
    spec = window_spec(window, 0)
    assert spec.bars == window.bars and spec.time_signature == window.meter and spec.mode == window.mode


def studio_factory(source, tmp_path: Path):
    """What `motif eval` hands its suites: a factory of studios on the model, MIDI only, in `tmp_path`."""

    @asynccontextmanager
    async def factory():
        config = StudioConfig(out_dir=tmp_path / "out", db_path=tmp_path / "eval.db", want_audio=False,
                              want_images=False, engine="model")
        async with open_studio(config, source) as studio:
            yield studio

    return factory


async def test_control_suite_composes_through_the_studio(source, tmp_path: Path) -> None:
    control, originality, latency = await control_and_latency(studio_factory(source, tmp_path), 3)
    assert control["compositions"] == 3 and control["attributes"] >= 9
    assert control["share"] == 1.0 and control["missed"] == []
    assert originality["posted_above_threshold"] == 0 and originality["longest_match_notes"]["max"] < 12
    assert {"parse", "generate", "render_midi"} <= set(latency)


async def test_chord_suite_is_read_and_heard_through_the_studio(source, tmp_path: Path) -> None:
    report = await chords_heard(studio_factory(source, tmp_path), 3)
    assert report["compositions"] == 3 and report["read"] == 3 and report["slots"] == 24
    assert report["share"] >= 0.9, report["missed"]
    assert len(CHORD_SUITE) >= 12
