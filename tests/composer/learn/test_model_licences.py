"""The shipped model learns only from lead lines whose licences combine (DATA.md, "checkpoint/"): checked on the
committed data files, and the model card says what the training split came under."""

from __future__ import annotations

import json
from pathlib import Path

from composer.learn.card import data_summary, render_card
from composer.learn.dataset import MODEL_LICENCES, training_melodies, trains_model
from composer.melody.corpus import LEADS_DIR, load_melodies


def test_training_split_keeps_out_licences_that_do_not_combine() -> None:
    every_lead = load_melodies(LEADS_DIR, split="train")
    kept = [m for m in training_melodies("train") if m.licence]
    assert {m.licence for m in every_lead} - MODEL_LICENCES >= {"GPL-3+"}, "the data should still hold a GPL-3+ source"
    assert kept and {m.licence for m in kept} <= MODEL_LICENCES
    assert "GPL-2.0" in {m.licence for m in kept}
    assert len(kept) == sum(trains_model(m) for m in every_lead) < len(every_lead)


def test_the_card_lists_the_licences_it_learned_from(tmp_path: Path) -> None:
    melodies = [m for m in load_melodies(LEADS_DIR, split="train") if trains_model(m)][:40]
    summary = data_summary(melodies)
    assert set(summary["licences"]) <= MODEL_LICENCES
    report = {"steps": 1, "best_step": 1, "best_valid_loss": 1.0, "valid_bits_per_note": 5.0, "train_examples": 1,
              "valid_examples": 1, "train_tokens": 10, "parameters": 100, "seconds": 1.0}
    config = {"model": {"n_layer": 1, "n_head": 1, "n_embd": 8}, "seed": 1, "max_steps": 1, "lr": 0.001,
              "eval_every": 1, "threads": 1}
    (tmp_path / "training.json").write_text(json.dumps({"phases": [{"config": config, "report": report}],
                                                        "data": summary}))
    render_card(tmp_path)
    card = (tmp_path / "README.md").read_text()
    assert "GNU GPL version 2" in card
    assert all(f"| {licence} |" in card for licence in summary["licences"])
