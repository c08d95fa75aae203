"""The plain torch GPT-2 (`composer.melody.gpt`) is `transformers`' GPT2LMHeadModel: the committed checkpoint
loads into either with the same parameter names, and both give the same logits; the incremental decoder gives
bit-identical logits on either (it reads the same parameters), so sampling does not depend on which is loaded."""

from __future__ import annotations

import torch

from composer.learn.train import transformers_gpt
from composer.melody.checkpoint import CHECKPOINT_DIR
from composer.melody.gpt import GPT
from composer.melody.model import load_model


def test_the_checkpoint_gives_transformers_logits_in_the_plain_model() -> None:
    plain, reference = load_model(CHECKPOINT_DIR), load_model(CHECKPOINT_DIR, transformers_gpt)
    assert isinstance(plain.gpt, GPT) and type(reference.gpt).__name__ == "GPT2LMHeadModel"
    assert plain.state_dict().keys() == reference.state_dict().keys()
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(0, plain.config.vocab_size, (3, 48), generator=generator)
    text = torch.randn(3, plain.config.text_dim, generator=generator)
    mask = torch.ones_like(ids)
    mask[1, 30:] = 0
    labels = ids.masked_fill(mask == 0, -100)
    with torch.inference_mode():
        for kwargs in ({}, {"attention_mask": mask, "labels": labels}):
            ours, theirs = plain(ids, text, **kwargs), reference(ids, text, **kwargs)
            assert torch.allclose(ours.logits, theirs.logits, atol=1e-4)
        assert torch.allclose(ours.loss, theirs.loss, atol=1e-5)
        logits, cache = plain.start(ids[:, :5], text)
        expected, reference_cache = reference.start(ids[:, :5], text)
        assert torch.equal(logits, expected)
        for t in range(5, 48):
            logits, cache = plain.step(ids[:, t:t + 1], cache)
            expected, reference_cache = reference.step(ids[:, t:t + 1], reference_cache)
            assert torch.equal(logits, expected), f"position {t}"
