"""The learned melody model: a small GPT-2 over REMI + attribute tokens, with the text encoder's sentence
embedding projected into a few prefix vectors.

Why a prefix: attribute tokens carry what can be measured, but a prompt's free words ("moody", "noir") only
exist as an embedding; projecting it into the model's input space lets those words steer the melody without
a fixed vocabulary. One config dataclass; the checkpoint carries its config (nanoGPT's habit). The GPT-2 is
`composer.melody.gpt` (plain torch, so composing never imports `transformers`); training passes in
`transformers`' own GPT2LMHeadModel of the same shape and names (`composer.learn.train.transformers_gpt`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from composer.melody.checkpoint import WEIGHTS_FILE
from composer.melody.decoder import KVCache, extend, extend_rows, new_cache
from composer.melody.gpt import GPT, GPTConfig

CONFIG_FILE = "model_config.json"
IGNORE_INDEX = -100


@dataclass(frozen=True)
class ModelConfig:
    """Size of the model; the one place its shape is written down (training takes it whole).

    The defaults are the shipped checkpoint's shape, which trains on two CPU cores within a session.
    """

    vocab_size: int
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 192
    n_positions: int = 514
    prefix_len: int = 2
    text_dim: int = 384
    dropout: float = 0.1

    @property
    def max_tokens(self) -> int:
        """Token positions left once the text prefix has taken its share of the context."""
        return self.n_positions - self.prefix_len


def gpt_config(config: ModelConfig) -> GPTConfig:
    """The GPT-2 shape inside a melody model (its token context includes the text prefix)."""
    return GPTConfig(vocab_size=config.vocab_size, n_positions=config.n_positions, n_embd=config.n_embd,
                     n_layer=config.n_layer, n_head=config.n_head, dropout=config.dropout)


class MelodyModel(nn.Module):
    """GPT-2 whose input is [prefix vectors from the text embedding] + token embeddings.

    `gpt` is the network to wrap (GPT2LMHeadModel's module layout); by default the plain torch one.
    """

    def __init__(self, config: ModelConfig, gpt: nn.Module | None = None) -> None:
        super().__init__()
        self.config = config
        self.gpt = gpt if gpt is not None else GPT(gpt_config(config))
        self.prefix = nn.Sequential(
            nn.Linear(config.text_dim, config.n_embd),
            nn.GELU(),
            nn.Linear(config.n_embd, config.n_embd * config.prefix_len),
        )

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def prefix_embeddings(self, text_embedding: torch.Tensor) -> torch.Tensor:
        """(batch, 384) sentence embeddings -> (batch, prefix_len, n_embd) input vectors."""
        batch = text_embedding.shape[0]
        return self.prefix(text_embedding).view(batch, self.config.prefix_len, self.config.n_embd)

    def forward(
        self,
        input_ids: torch.Tensor,
        text_embedding: torch.Tensor,
        labels: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
    ):
        """Teacher-forced pass over full sequences; `labels` use IGNORE_INDEX for positions not scored."""
        prefix = self.prefix_embeddings(text_embedding)
        tokens = self.gpt.transformer.wte(input_ids)
        inputs = torch.cat([prefix, tokens], dim=1)
        if labels is not None:
            pad = torch.full((labels.shape[0], self.config.prefix_len), IGNORE_INDEX, dtype=labels.dtype,
                             device=labels.device)
            labels = torch.cat([pad, labels], dim=1)
        if attention_mask is not None:
            ones = torch.ones((attention_mask.shape[0], self.config.prefix_len), dtype=attention_mask.dtype,
                              device=attention_mask.device)
            attention_mask = torch.cat([ones, attention_mask], dim=1)
        return self.gpt(inputs_embeds=inputs, labels=labels, attention_mask=attention_mask)

    @torch.inference_mode()
    def start(self, input_ids: torch.Tensor, text_embedding: torch.Tensor) -> tuple[torch.Tensor, KVCache]:
        """First incremental step: prefix + the given tokens; returns (last logits, cache)."""
        prefix = self.prefix_embeddings(text_embedding)
        inputs = torch.cat([prefix, self.gpt.transformer.wte(input_ids)], dim=1)
        cache = new_cache(self.gpt, input_ids.shape[0])
        return extend(self.gpt, inputs, cache), cache

    @torch.inference_mode()
    def step(self, token_ids: torch.Tensor, cache: KVCache) -> tuple[torch.Tensor, KVCache]:
        """One more token per row ((batch, 1) ids) with the KV cache; returns (logits, cache)."""
        return extend(self.gpt, self.gpt.transformer.wte(token_ids), cache), cache

    @torch.inference_mode()
    def feed(self, token_ids: torch.Tensor, counts: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """A run of tokens per row in one pass ((batch, T) ids, row b's first counts[b] real, the rest padding):
        the logits after every position (batch, T, vocab), each row advanced by its count (`extend_rows`)."""
        return extend_rows(self.gpt, self.gpt.transformer.wte(token_ids), counts, cache)


def save_model(model: MelodyModel, directory: Path) -> None:
    """Weights as safetensors plus the config that rebuilds the architecture."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    # GPT-2 ties lm_head to wte; safetensors refuses shared storage, so store the tied weight once.
    state.pop("gpt.lm_head.weight", None)
    save_file(state, str(directory / WEIGHTS_FILE))
    (directory / CONFIG_FILE).write_text(json.dumps(asdict(model.config), indent=1))


def load_model(directory: Path, gpt: Callable[[ModelConfig], nn.Module] | None = None) -> MelodyModel:
    """Rebuild the model from a checkpoint directory, on the CPU, in eval mode.

    `gpt` builds the network the weights go into (training resumes into `transformers`' GPT-2, so a resumed
    run draws the same random numbers it always did); by default the plain torch one."""
    from safetensors.torch import load_file

    config = ModelConfig(**json.loads((directory / CONFIG_FILE).read_text()))
    model = MelodyModel(config, gpt(config) if gpt is not None else None)
    missing, unexpected = model.load_state_dict(load_file(str(directory / WEIGHTS_FILE)), strict=False)
    if unexpected or [k for k in missing if k != "gpt.lm_head.weight"]:
        raise ValueError(f"checkpoint does not match the model: missing {missing}, unexpected {unexpected}")
    model.gpt.tie_weights()
    model.eval()
    return model
