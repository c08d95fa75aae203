"""GPT-2 as plain torch modules: the shape and parameter names of `transformers`' GPT2LMHeadModel, none of
its machinery.

Why: composing only needs the trained weights and `decoder.extend`, which reads these modules' parameters
directly; importing `transformers` to build the empty model cost about a second of every cold start. The
module tree (`transformer.wte`, `transformer.h[i].attn.c_attn`, ... `lm_head`, tied to `wte`) is the one the
checkpoint was saved from, so the same safetensors file loads unchanged and gives the same numbers. Training
keeps building the `transformers` model (`composer.learn.train`), so a seed still reproduces the checkpoint;
a test checks this forward pass against `transformers`' on the committed weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

LAYER_NORM_EPS = 1e-5
"""GPT2Config's `layer_norm_epsilon` default, which the checkpoint was trained with."""


@dataclass(frozen=True)
class GPTConfig:
    """The shape `decoder.new_cache` and `decoder.extend` read (GPT2Config's names for it)."""

    vocab_size: int
    n_positions: int
    n_embd: int
    n_layer: int
    n_head: int
    dropout: float = 0.0


@dataclass
class GPTOutput:
    """What a forward pass returns: `logits`, and `loss` when labels were given (GPT2LMHeadModel's names)."""

    logits: torch.Tensor
    loss: torch.Tensor | None = None


class Conv1D(nn.Module):
    """A linear layer with its weight stored (in, out), as GPT-2 and its checkpoints store it."""

    def __init__(self, n_out: int, n_in: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.num_heads = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.c_attn = Conv1D(3 * config.n_embd, config.n_embd)
        self.c_proj = Conv1D(config.n_embd, config.n_embd)
        self.dropout = config.dropout

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, steps, width = hidden.shape
        heads = (batch, steps, self.num_heads, self.head_dim)
        query, key, value = (t.view(heads).transpose(1, 2) for t in self.c_attn(hidden).split(width, dim=2))
        out = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, is_causal=mask is None,
                                             dropout_p=self.dropout if self.training else 0.0)
        return F.dropout(self.c_proj(out.transpose(1, 2).reshape(batch, steps, width)), self.dropout, self.training)


class MLP(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = Conv1D(4 * config.n_embd, config.n_embd)
        self.c_proj = Conv1D(config.n_embd, 4 * config.n_embd)
        self.act = nn.GELU(approximate="tanh")  # GPT-2's "gelu_new"
        self.dropout = config.dropout

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.dropout(self.c_proj(self.act(self.c_fc(hidden))), self.dropout, self.training)


class Block(nn.Module):
    """Pre-norm: attention, then the feed-forward layer, each added to the residual stream."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=LAYER_NORM_EPS)
        self.attn = Attention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=LAYER_NORM_EPS)
        self.mlp = MLP(config)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        hidden = hidden + self.attn(self.ln_1(hidden), mask)
        return hidden + self.mlp(self.ln_2(hidden))


class Transformer(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=LAYER_NORM_EPS)


class GPT(nn.Module):
    """GPT2LMHeadModel's layout: `transformer` plus an output head that shares the token embedding."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = Transformer(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.tie_weights()

    def tie_weights(self) -> None:
        """The output head is the token embedding (checkpoints store it once, as `wte`)."""
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, inputs_embeds: torch.Tensor, labels: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None) -> GPTOutput:
        """Teacher-forced pass over (batch, T, n_embd) inputs; `attention_mask` is 1 for real positions, 0 for
        padding; `labels` (-100 where not scored) give the next-token loss."""
        steps = inputs_embeds.shape[1]
        hidden = inputs_embeds + self.transformer.wpe.weight[:steps]
        hidden = F.dropout(hidden, self.config.dropout, self.training)
        mask = None
        if attention_mask is not None:
            causal = torch.ones(steps, steps, dtype=torch.bool, device=hidden.device).tril()
            mask = causal & attention_mask.bool()[:, None, None, :]
        for block in self.transformer.h:
            hidden = block(hidden, mask)
        logits = self.lm_head(self.transformer.ln_f(hidden))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), labels[:, 1:].reshape(-1))
        return GPTOutput(logits, loss)
