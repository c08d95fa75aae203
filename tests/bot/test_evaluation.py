"""The parts of `motif eval`, each on a few held-out windows and prompts with the real model and the real
studio, so the report keeps working: every number it prints is computed here on a small scale."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.cli.evaluation import (
    CHORD_SUITE,
    GENRE_SUITE,
    PROBE_TEMPLATES,
    REVIEW_SUITE,
    SECTIONS,
    EvalError,
    GenreModel,
    chords_heard,
    control_and_latency,
    engine_studio_factory,
    genre,
    grooves,
    heldout_bits,
    review_lines,
    sections_of,
    statistics,
    text_probe,
    window_spec,
)
from bot.studio import StudioConfig, load_melody_source, open_studio
from composer.learn.classify import GENRE_FAMILIES
from composer.learn.evaluate import FEATURES, form_counts, form_figures, real_form_figures
from composer.learn.evaluate import test_windows as held_out_windows
from composer.learn.groove_checks import GROOVE_SUITE
from composer.melody import MarkovMelody
from composer.melody.corpus import LEADS_DIR, load_melodies
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


def test_form_counts_read_repeats_phrase_ends_and_idiom() -> None:
    """A hand-made 8-bar line in C major: bar 2 repeats bar 1 a fifth up (same rhythm), bar 4 ends its phrase
    on a half note, one note starts on an off-beat and is held over beat 3, one Eb is a blue note, and Db-E
    is the freygish augmented second."""
    bar1 = [(60, 0.0, 1.0), (64, 1.0, 1.0), (67, 2.0, 1.0), (65, 3.0, 1.0)]
    bar2 = [(p + 7, o + 4, d) for p, o, d in bar1]
    bar3 = [(60, 8.0, 1.0), (62, 9.0, 0.5), (63, 9.5, 1.5), (62, 11.0, 1.0)]  # Eb off the beat over beat 3
    bar4 = [(61, 12.0, 1.0), (64, 13.0, 1.0), (60, 14.0, 2.0)]  # Db-E, then a half note
    rest = [((60, 62, 64)[i % 3], 16.0 + i, 1.0) for i in range(16)]
    counts = form_counts([*bar1, *bar2, *bar3, *bar4, *rest], 8, "4/4", 0, "major")
    assert counts["bars_patterned"] == 8 and counts["bars_repeating"] >= 1
    assert counts["long_pieces_repeating"] == 1.0
    assert counts["syncopated"] == 1 and counts["blue"] == 1 and counts["chromatic"] == 2
    assert counts["augmented_seconds"] == 1
    figures = form_figures([counts])
    # bar 4's half note against the other bars' longest notes (crotchets, bar 3's 1.5); bar 8 is the last
    assert figures["phrase_end_marking"] == round(2.0 / (6.5 / 6), 3)
    assert figures["long_pieces_repeating_a_bar"] == 1.0


async def test_review_lines_read_the_written_melody(source, tmp_path: Path) -> None:
    """Two review prompts through the studio on both engines: each melody read back from its MIDI file."""
    suite = (REVIEW_SUITE[2], REVIEW_SUITE[21])  # the blues and the klezmer tune
    for engine in ("model", "markov"):
        factory = engine_studio_factory(engine, tmp_path, source if engine == "model" else None)
        rows = await review_lines(factory, 1, suite)
        assert set(rows) == {"blues", "klezmer"}
        blues = rows["blues"][0]
        assert blues["pieces"] == 1 and blues["notes"] >= 12 and blues["end_bars"] == 2  # bars 4 and 8
        assert 0 <= blues["syncopated"] <= blues["notes"]
    real = real_form_figures(load_melodies(LEADS_DIR), lambda m: m.family)
    assert real["blues"]["pieces"] >= 20 and real["blues"]["blue_notes"] > 0.05


@pytest.fixture(scope="module")
def genre_model() -> GenreModel:
    return GenreModel.train()


@pytest.fixture(scope="module")
def engines(source) -> dict:
    return {"model": source, "markov": MarkovMelody(MarkovModel.load())}


def test_sections_are_picked_by_name_and_an_unknown_one_is_refused() -> None:
    assert sections_of(None) == SECTIONS
    assert sections_of("grooves, genre") == ("genre", "grooves")  # run order, spaces allowed
    with pytest.raises(EvalError, match="unknown section.*genres.*choose from bits"):
        sections_of("genres")


def test_genre_labels_each_engine_s_pieces_beside_the_real_accuracy(genre_model, engines) -> None:
    assert all(sum(f == family for f, _ in GENRE_SUITE) >= 3 for family in GENRE_FAMILIES)
    suite = tuple(next(row for row in GENRE_SUITE if row[0] == family) for family in ("folk", "jazz_blues"))
    report = genre(genre_model, engines, 1, suite)
    assert set(report["families"]) == {"folk", "jazz_blues"}
    for row in report["families"].values():
        assert row["pieces"] == 1 and sum(row["markov_labels"].values()) == 1
        assert set(row["model_labels"]) <= {*GENRE_FAMILIES, "too_few_notes"} and row["model"] in (0.0, 1.0)
        assert row["real_heldout"] > report["chance"]
    assert set(report["families_at_target"]) == {"model", "markov"}


def test_text_probe_hears_no_words_on_the_engine_that_never_reads_them(genre_model, engines) -> None:
    """Words swapped in one Spec: the Markov engine writes the same notes whatever they are (the probe's
    control), and the model's pieces are all measured."""
    report = text_probe(genre_model, engines, 2, permutations=20, templates=PROBE_TEMPLATES[:1])
    markov, model = report["markov"], report["model"]
    assert markov["identical_whatever_the_words"] == 1.0 and markov["centroid_spread"] == 0.0
    assert markov["distance_words_only"] == 0.0 and markov["distance_seed_only"] > 0
    assert markov["spread_ratio"] == 0.0
    assert model["pieces"] == 2 * len(report["words"]) and 0 < model["p"] <= 1
    assert model["distance_seed_only"] > 0 and 0 <= model["agreement"] <= 1


def test_grooves_are_reported_for_every_style(engines) -> None:
    report = grooves(engines["markov"], 1)
    assert set(report["styles"]) == set(GROOVE_SUITE) and report["seeds"] == 1
    for key, (_, signature) in GROOVE_SUITE.items():
        row = report["styles"][key]
        assert ("signature" in row) == (signature is not None) and row["seeds"] == 1
    assert report["ok"] == (not report["failing_styles"] and report["fills"]["ok"])
