"""Genre, chord and form conditioning (issue 14): the genre family table, the bar tokens the data gives in
training and the request gives in composing, and the first vocabulary's checkpoints still loading.

Built on tiny random-weight models and hand-made melodies: the constraints must put exactly the request's
bar tokens after every Bar, whatever the weights prefer, and the written line must still obey.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import torch

from composer.learn.dataset import augmented, bar_conditions, form_labels, melody_examples, symbol_label
from composer.learn.train import collate
from composer.melody.attributes import ANY, GENRES, KINDS_V1, Attributes, genre_of
from composer.melody.constraints import Constraints
from composer.melody.corpus import LEADS_DIR, Melody, load_melodies
from composer.melody.model import IGNORE_INDEX, MelodyModel, ModelConfig
from composer.melody.sample import (
    ModelMelody,
    SampleConfig,
    bar_plan,
    key_shift,
    melody_request,
    section_label,
    spec_attributes,
)
from composer.melody.tokens import BarCondition, MotifTokenizer
from composer.piece import Chord
from composer.styles import STYLES
from composer.theory import mode_pcs
from prompts.spec import Spec


def test_every_style_and_every_data_family_has_a_genre_family() -> None:
    lead_families = {m.family for m in load_melodies(LEADS_DIR)}
    for name in [*STYLES, *lead_families]:
        assert genre_of(name) in GENRES, name
    assert genre_of("metal") == genre_of("rock") and genre_of("trance") == genre_of("house") == "electronic"
    assert genre_of(None) == ANY and genre_of("polka") == "folk"
    assert spec_attributes(Spec(prompt="x", genre="synthwave")).genre == "electronic"


def tune(bars_notes: list[list[tuple[int, float, float]]], meter: str = "4/4", chords=None, pickup: float = 0.0,
         family: str | None = None) -> Melody:
    """A melody from per-bar notes (onsets relative to each bar)."""
    bar_q = int(meter.split("/")[0]) * 4 / int(meter.split("/")[1])
    notes = [(p, b * bar_q + o, d) for b, bar in enumerate(bars_notes) for p, o, d in bar]
    return Melody(id="t#0", source="miscFolk", title="t", meter=meter, mode="major", tonic_pc=0, tempo_bpm=110,
                  dance=None, bars=len(bars_notes), pickup_ql=pickup, notes=notes, chords=chords, family=family,
                  piece="t")


STRAIN_A = [[(60, 0, 1), (64, 1, 1), (67, 2, 2)], [(65, 0, 2), (62, 2, 2)]] * 4
STRAIN_B = [[(69, 0, 1), (72, 1, 1), (69, 2, 2)], [(67, 0, 4)]] * 4


def test_form_labels_find_the_repeats_of_an_aabb_tune() -> None:
    melody = tune(STRAIN_A + STRAIN_A + STRAIN_B + STRAIN_B)
    labels = form_labels(melody, 0)
    assert labels == ["A"] * 16 + ["B"] * 16
    varied = STRAIN_A[:4] + [[(72, 0, 4)]] * 4  # the opening returns, the ending is new
    assert form_labels(tune(STRAIN_A + varied), 0) == ["A"] * 8 + ["A'"] * 8


def test_bar_conditions_give_phrases_chords_and_pickups() -> None:
    melody = tune([[(67, 3, 1)], *STRAIN_A], pickup=1.0)
    conditions = bar_conditions(melody)
    assert [c.phrase for c in conditions] == ["p", "1", "2", "3", "4_end", "1", "2", "3", "4_end"]
    assert conditions[1].chord == "0_maj", "C E G is heard as the tonic triad"
    leads = tune(STRAIN_A[:4], chords=["Am", "G", "E7", None], family="rock")
    assert [c.chord for c in bar_conditions(leads)] == ["9_min", "7_maj", "4_maj", ANY]
    minor = Melody(**{**leads.__dict__, "mode": "minor"})
    assert bar_conditions(minor)[0].chord == "0_min", "chords count from the normalised tonic (A in minor)"
    assert symbol_label("Bbsus2", 0) == "10_sus2" and symbol_label("nonsense", 0) == ANY


def test_lead_lines_are_used_at_octave_shifts_that_stay_singable() -> None:
    lead = tune(STRAIN_A, family="rock")
    shifts = sorted(m.notes[0][0] - lead.notes[0][0] for m in augmented(lead))
    assert shifts == [-12, 0, 12]
    high = tune([[(90, 0, 4)], [(88, 0, 4)]], family="rock")
    assert [m.notes[0][0] for m in augmented(high)] == [90, 78]
    assert augmented(tune(STRAIN_A)) == [tune(STRAIN_A)], "corpus melodies are not copied"


def test_examples_carry_bar_tokens_that_are_never_scored() -> None:
    tokenizer = MotifTokenizer()
    melody = tune(STRAIN_A + STRAIN_B, family="jazz")
    example = melody_examples(melody, tokenizer, random.Random(0), 500, drop_p=0.0, bar_drop_p=0.0)[0]
    names = [tokenizer.id_to_token[i] for i in example.ids]
    assert names[tokenizer.attribute_span - 1] == "GENRE_jazz" and example.genre == "jazz"
    bars = [i for i, n in enumerate(names) if n == "Bar_None"]
    assert len(bars) == 16
    assert names[bars[0] + 1:bars[0] + 4] == ["SECTION_A", "PHRASE_1", "CHORD_0_maj"]
    assert names[bars[8] + 1:bars[8] + 4] == ["SECTION_B", "PHRASE_1", "CHORD_9_min"]
    example.embedding = np.zeros(384, np.float32)
    labels = collate([example], tokenizer.pad_id)["labels"][0]
    scored = {names[i] for i in range(len(names)) if int(labels[i]) != IGNORE_INDEX}
    assert not any(n.split("_")[0] in ("SECTION", "PHRASE", "CHORD", "GENRE", "MODE", "BOS") for n in scored)
    assert "EOS_None" in scored and any(n.startswith("Pitch_") for n in scored)


def test_bar_plan_reads_the_harmony_plan_and_the_section() -> None:
    spec = Spec(prompt="x", tonic="D", mode="major", time_signature="4/4", bars=6)
    chords = [Chord(0, 4, 2, "maj7", "Dmaj7"), Chord(4, 4, 9, "7", "A7"), Chord(8, 8, 11, "min", "Bm"),
              Chord(16, 8, 7, "maj", "G")]
    plan = bar_plan(spec, chords, key_shift(spec), "A'")
    assert [c.chord for c in plan] == ["0_maj", "7_maj", "9_min", "9_min", "5_maj", "5_maj"]
    assert [c.phrase for c in plan] == ["1", "2", "3", "4_end", "1", "2_end"]
    assert {c.section for c in plan} == {"A'"}
    assert section_label("chorus") == "B" and section_label("intro") == ANY and section_label(None) == "A"


def tiny(tokenizer: MotifTokenizer) -> ModelMelody:
    torch.manual_seed(0)
    model = MelodyModel(ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32)).eval()
    return ModelMelody(model, tokenizer, lambda texts: np.zeros((len(texts), 384), np.float32),
                       SampleConfig(candidates=2))


def test_sampling_writes_exactly_the_planned_bar_tokens() -> None:
    tokenizer = MotifTokenizer()
    source = tiny(tokenizer)
    spec = Spec(prompt="x", tonic="C", mode="major", time_signature="4/4", bars=4)
    chords = [Chord(i * 4.0, 4.0, root, "maj", "C") for i, root in enumerate((0, 5, 7, 0))]
    plan = bar_plan(spec, chords, 0, "B")
    constraints = Constraints(tokenizer, dataclasses.replace(melody_request(spec, chords, 0, False),
                                                             bar_conditions=plan))
    rows = source.sample_rows(constraints, spec_attributes(spec), torch.zeros((1, 384)), np.random.default_rng(2))
    for row in rows:
        names = [tokenizer.id_to_token[i] for i in row.ids]
        given = [names[i + 1:i + 4] for i, n in enumerate(names) if n == "Bar_None"]
        assert given == [c.tokens() for c in plan]
    notes = source.generate(spec, chords, np.random.default_rng(4), section="A")
    assert notes and all(n.pitch % 12 in mode_pcs("C", "major") for n in notes)
    assert max(n.start + n.duration for n in notes) <= 16 + 1e-6


def test_a_checkpoint_of_the_first_vocabulary_still_loads_and_samples(tmp_path) -> None:
    old = MotifTokenizer(kinds=KINDS_V1, bar_tokens=False)
    old.save(tmp_path)
    loaded = MotifTokenizer.load(tmp_path)
    assert loaded.vocab == old.vocab and not loaded.has_bar_tokens and loaded.attribute_span == 8
    assert len(loaded.sequence(Attributes(genre="jazz"), [])) == 1 + 7 + 1
    source = tiny(loaded)
    spec = Spec(prompt="x", tonic="G", mode="minor", time_signature="3/4", bars=3, genre="jazz")
    chords = [Chord(i * 3.0, 3.0, 7, "min", "Gm") for i in range(3)]
    notes = source.generate(spec, chords, np.random.default_rng(1), section="A")
    assert notes and max(n.start + n.duration for n in notes) <= 9 + 1e-6
    with pytest.raises(ValueError):
        broken = MotifTokenizer()
        broken.attribute_tokens = broken.attribute_tokens[:-1]
        broken.save(tmp_path)
        MotifTokenizer.load(tmp_path)


def test_bar_conditions_default_to_any_past_the_plan() -> None:
    tokenizer = MotifTokenizer()
    ids = tokenizer.with_bar_tokens([tokenizer.bar_id, tokenizer.bar_id], [BarCondition("A", "1", "0_maj")])
    names = [tokenizer.id_to_token[i] for i in ids]
    assert names == ["Bar_None", "SECTION_A", "PHRASE_1", "CHORD_0_maj", "Bar_None", "SECTION_any", "PHRASE_any",
                     "CHORD_any"]


def test_held_out_bits_are_reported_per_genre_family() -> None:
    """Two models (the first vocabulary and the current one) and the Markov baseline on the same windows, one
    row per genre family plus `all`, each with its pieces and notes."""
    from composer.learn.evaluate import Scorer, bits_by_family, fitted_windows
    from composer.melody.markov import MarkovModel

    new, old = MotifTokenizer(), MotifTokenizer(kinds=KINDS_V1, bar_tokens=False)
    embed = lambda texts: np.zeros((len(texts), 384), np.float32)  # noqa: E731
    scorers = {name: Scorer(tiny(tok).model, tok, embed) for name, tok in (("new", new), ("old", old))}
    folk = tune(STRAIN_A + STRAIN_B)
    rock = dataclasses.replace(tune(STRAIN_B, family="rock"), id="r#0", piece="r")
    windows = fitted_windows([folk, rock], [new, old], 512)
    table = bits_by_family(windows, scorers, MarkovModel.load())
    assert set(table) == {"folk", "rock", "all"}
    assert table["all"]["notes"] == table["folk"]["notes"] + table["rock"]["notes"] == len(folk.notes) + len(rock.notes)
    for row in table.values():
        assert all(0 < row[name] < 64 for name in ("new", "old", "markov")), row
