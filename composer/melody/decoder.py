"""Token-by-token GPT-2 inference over the trained weights, with a preallocated key/value cache.

Why not call the `transformers` model for every step: at this size (4 layers, 192 wide, 4 rows) one step is
about 0.5 ms of arithmetic, and `transformers`' per-call machinery (cache objects, output capture, mask
building, kwarg handling) tripled it; an 8-bar reel is ~250 steps, so that overhead alone was most of the
compose latency. This is the same computation as GPT2LMHeadModel (pre-norm blocks, fused QKV Conv1D,
scaled dot-product attention, the model's own activation, tied output head) written the nanoGPT way, reading
the modules' parameters directly. A test checks its logits against `transformers`' forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F


@dataclass
class KVCache:
    """Keys and values of every layer for the positions seen so far (preallocated to the model's context)."""

    keys: list[torch.Tensor]
    """Per layer: (batch, heads, context, head_dim)."""
    values: list[torch.Tensor]
    length: int = 0


def new_cache(gpt, batch: int) -> KVCache:
    """An empty cache for `batch` rows of a GPT-2 (`composer.melody.gpt.GPT` or `transformers`' GPT2LMHeadModel)."""
    config = gpt.config
    shape = (batch, config.n_head, config.n_positions, config.n_embd // config.n_head)
    return KVCache([torch.zeros(shape) for _ in range(config.n_layer)],
                   [torch.zeros(shape) for _ in range(config.n_layer)])


@torch.inference_mode()
def extend(gpt, embeddings: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """Run (batch, T, n_embd) input embeddings after the cached positions; returns the last position's logits
    (batch, vocab) and advances the cache by T."""
    transformer = gpt.transformer
    start, steps = cache.length, embeddings.shape[1]
    if start + steps > gpt.config.n_positions:
        raise ValueError(f"{start + steps} positions exceed the model's context of {gpt.config.n_positions}")
    hidden = embeddings + transformer.wpe.weight[start:start + steps]
    mask = None
    if steps > 1:  # causal within the new positions; every cached position is visible
        mask = torch.ones(steps, start + steps, dtype=torch.bool).tril(diagonal=start)
    for layer, block in enumerate(transformer.h):
        hidden = hidden + _attend(block, hidden, cache, layer, mask)
        hidden = hidden + _feed_forward(block, hidden)
    cache.length = start + steps
    last = _norm(transformer.ln_f, hidden[:, -1, :])
    return last @ transformer.wte.weight.T


def _attend(block, hidden: torch.Tensor, cache: KVCache, layer: int, mask: torch.Tensor | None) -> torch.Tensor:
    attn = block.attn
    batch, steps, width = hidden.shape
    qkv = torch.addmm(attn.c_attn.bias, _norm(block.ln_1, hidden).view(-1, width), attn.c_attn.weight)
    heads = (batch, steps, attn.num_heads, attn.head_dim)
    query, key, value = (t.view(heads).transpose(1, 2) for t in qkv.view(batch, steps, 3 * width).split(width, dim=2))
    start, end = cache.length, cache.length + steps
    cache.keys[layer][:batch, :, start:end] = key
    cache.values[layer][:batch, :, start:end] = value
    out = F.scaled_dot_product_attention(query, cache.keys[layer][:batch, :, :end],
                                         cache.values[layer][:batch, :, :end], attn_mask=mask)
    out = out.transpose(1, 2).reshape(-1, width)
    return torch.addmm(attn.c_proj.bias, out, attn.c_proj.weight).view(batch, steps, width)


def _feed_forward(block, hidden: torch.Tensor) -> torch.Tensor:
    mlp = block.mlp
    shape = hidden.shape
    inner = torch.addmm(mlp.c_fc.bias, _norm(block.ln_2, hidden).view(-1, shape[-1]), mlp.c_fc.weight)
    inner = F.gelu(inner, approximate="tanh") if _is_gelu_new(mlp.act) else mlp.act(inner)
    return torch.addmm(mlp.c_proj.bias, inner, mlp.c_proj.weight).view(shape)


def _is_gelu_new(activation) -> bool:
    """GPT-2's default activation is the tanh approximation of GELU, which torch computes in one fused op
    (transformers spells it out in five; `composer.melody.gpt` uses torch's)."""
    return type(activation).__name__ == "NewGELUActivation" or getattr(activation, "approximate", None) == "tanh"


def _norm(layer_norm, hidden: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(hidden, layer_norm.normalized_shape, layer_norm.weight, layer_norm.bias, layer_norm.eps)
