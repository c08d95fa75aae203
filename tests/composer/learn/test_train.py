"""Training is deterministic for a seed: the same data, seed and thread count give byte-identical weights.

Run at a tiny scale (a few melodies, a few steps, a small model) with a deterministic stand-in for the text
encoder, so the mechanism behind "`motif train` with the same seed reproduces the checkpoint" is tested in CI.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from composer.learn.dataset import build_examples
from composer.learn.train import Patience, TrainConfig, train
from composer.melody.corpus import load_melodies
from composer.melody.model import ModelConfig, load_model
from composer.melody.tokens import MotifTokenizer


def embed(texts) -> np.ndarray:
    rows = [np.frombuffer(hashlib.sha256(t.encode()).digest() * 48, dtype=np.uint8)[:384] for t in texts]
    vectors = np.asarray(rows, dtype=np.float32) / 255.0
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def tiny_run(out: Path, seed: int) -> bytes:
    tokenizer = MotifTokenizer()
    melodies = load_melodies(split="train")[:24]
    valid = load_melodies(split="valid")[:8]
    shape = ModelConfig(vocab_size=len(tokenizer), n_layer=1, n_head=2, n_embd=32)
    config = TrainConfig(shape, seed=seed, max_steps=6, eval_every=3, batch_tokens=2048, warmup_steps=2)
    report = train(config, tokenizer, build_examples(melodies, tokenizer, embed, seed, shape.max_tokens),
                   build_examples(valid, tokenizer, embed, seed, shape.max_tokens), out, log=lambda _: None)
    assert report.steps == 6 and report.best_valid_loss < 10
    return (out / "model.safetensors").read_bytes()


def test_same_seed_same_weights_and_a_model_card(tmp_path: Path) -> None:
    first = tiny_run(tmp_path / "a", seed=7)
    second = tiny_run(tmp_path / "b", seed=7)
    other = tiny_run(tmp_path / "c", seed=8)
    assert first == second
    assert first != other
    card = (tmp_path / "a" / "README.md").read_text()
    assert "parameters" in card and "phase 1" in card and "--seed 7" in card
    assert json.loads((tmp_path / "a" / "training.json").read_text())["phases"][0]["config"]["seed"] == 7
    assert load_model(tmp_path / "a").num_parameters() > 0


def test_patience_counts_the_phase_own_progress_not_the_resumed_best() -> None:
    """A resumed phase starts above the saved best while its learning rate warms up; as long as its own
    validation keeps falling it goes on, and it stops after `limit` evaluations without a gain."""
    patience = Patience(limit=2)
    for loss in (0.85, 0.84, 0.83, 0.82):  # all worse than a resumed best of 0.80, but improving
        patience.observe(loss)
    assert not patience.exhausted
    patience.observe(0.83)
    assert not patience.exhausted
    patience.observe(0.821)
    assert patience.exhausted


def test_family_balancing_repeats_thin_families_within_the_cap() -> None:
    """`balanced` repeats a thin family's windows by the root of how much thinner it is, capped, and leaves the
    largest family and an exponent of 0 as they are; the card's command line carries the option."""
    from composer.learn.card import phase_command
    from composer.learn.dataset import Example
    from composer.learn.train import MAX_REPEATS, balanced

    def rows(genre: str, n: int) -> list[Example]:
        return [Example(ids=[1, 2], n_notes=1, caption="", piece_id=f"{genre}{i}", genre=genre) for i in range(n)]

    data = rows("folk", 400) + rows("rock", 25) + rows("blues", 1)
    out = balanced(data, 0.5)
    counts = {g: sum(e.genre == g for e in out) for g in ("folk", "rock", "blues")}
    assert counts == {"folk": 400, "rock": 25 * 4, "blues": min(MAX_REPEATS, 20)}
    assert balanced(data, 0.0) == data
    config = {"seed": 1, "max_steps": 5, "lr": 0.001, "eval_every": 5, "balance": 0.5,
              "model": {"n_layer": 1, "n_embd": 32}}
    assert phase_command(config).endswith("--balance 0.5")
