"""Runs of tokens fed in one pass (`decoder.extend_rows`, `MelodyModel.feed`) give each row the numbers the
full forward pass gives it, however long each row's runs are and whatever the other rows are fed."""

from __future__ import annotations

import pytest
import torch

from composer.melody.checkpoint import CHECKPOINT_DIR
from composer.melody.model import MelodyModel, ModelConfig, load_model
from composer.melody.tokens import MotifTokenizer


def models() -> list[MelodyModel]:
    torch.manual_seed(5)
    tiny = MelodyModel(ModelConfig(vocab_size=len(MotifTokenizer()), n_layer=2, n_head=2, n_embd=32)).eval()
    return [load_model(CHECKPOINT_DIR), tiny]


@pytest.mark.parametrize("model", models(), ids=["checkpoint", "tiny"])
def test_ragged_runs_match_the_full_forward_pass(model: MelodyModel) -> None:
    generator = torch.Generator().manual_seed(1)
    rows, total, start = 3, 48, 6
    ids = torch.randint(0, model.config.vocab_size, (rows, total), generator=generator)
    text = torch.randn(rows, model.config.text_dim, generator=generator)
    with torch.inference_mode():
        full = model(ids, text).logits[:, model.config.prefix_len:, :]
        _, cache = model.start(ids[:, :start], text)
        fed = [start] * rows
        schedule = [(1, 5, 0), (3, 1, 2), (1, 0, 1), (1, 1, 5), (0, 1, 0), (5, 2, 1), (2, 4, 3)]
        while min(fed) < total:
            counts = next(iter(schedule)) if schedule else (1, 1, 1)
            schedule = schedule[1:]
            counts = [min(c, total - f) for c, f in zip(counts, fed, strict=True)]
            width = max(1, *counts)
            batch = torch.zeros(rows, width, dtype=torch.long)
            for r in range(rows):
                batch[r, :counts[r]] = ids[r, fed[r]:fed[r] + counts[r]]
            logits = model.feed(batch, torch.tensor(counts), cache)
            for r in range(rows):
                for j in range(counts[r]):
                    assert torch.allclose(logits[r, j], full[r, fed[r] + j], atol=1e-4), (r, fed[r] + j)
                fed[r] += counts[r]
    assert cache.row_lengths.tolist() == [model.config.prefix_len + total] * rows


def test_a_run_past_the_context_is_a_clear_error() -> None:
    model = models()[1]
    with torch.inference_mode():
        _, cache = model.start(torch.tensor([[5, 6]]), torch.zeros(1, model.config.text_dim))
        cache.row_lengths = torch.tensor([model.config.n_positions - 1])
        with pytest.raises(ValueError, match="exceed the model's context"):
            model.feed(torch.tensor([[5, 6]]), torch.tensor([2]), cache)
