"""The incremental decoder computes what `transformers`' GPT-2 computes, for the committed checkpoint and for a
tiny model of another shape, fed token by token, all at once, or from a cached prefix."""

from __future__ import annotations

import pytest
import torch

from composer.melody.checkpoint import CHECKPOINT_DIR
from composer.melody.decoder import new_cache
from composer.melody.model import MelodyModel, ModelConfig, load_model
from composer.melody.tokens import MotifTokenizer


def models() -> list[MelodyModel]:
    torch.manual_seed(3)
    tiny = MelodyModel(ModelConfig(vocab_size=len(MotifTokenizer()), n_layer=2, n_head=2, n_embd=32)).eval()
    return [load_model(CHECKPOINT_DIR), tiny]


@pytest.mark.parametrize("model", models(), ids=["checkpoint", "tiny"])
def test_cached_steps_match_the_full_forward_pass(model: MelodyModel) -> None:
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (3, 40), generator=generator)
    text = torch.randn(3, model.config.text_dim, generator=generator)
    with torch.inference_mode():
        full = model(ids, text).logits[:, model.config.prefix_len:, :]
        logits, cache = model.start(ids[:, :7], text)
        assert torch.allclose(logits, full[:, 6], atol=1e-4)
        for t in range(7, 40):
            logits, cache = model.step(ids[:, t:t + 1], cache)
            assert torch.allclose(logits, full[:, t], atol=1e-4), f"position {t}"
    assert cache.length == model.config.prefix_len + 40


def test_the_context_limit_is_a_clear_error() -> None:
    model = models()[1]
    cache = new_cache(model.gpt, 1)
    cache.length = model.config.n_positions
    with pytest.raises(ValueError, match="exceed the model's context"):
        model.step(torch.tensor([[5]]), cache)
