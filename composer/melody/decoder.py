"""Token-by-token GPT-2 inference over the trained weights, with a preallocated key/value cache.

Why not call the `transformers` model for every step: at this size (4 layers, 192 wide, 4 rows) one step is
about 0.5 ms of arithmetic, and `transformers`' per-call machinery (cache objects, output capture, mask
building, kwarg handling) tripled it; an 8-bar reel is ~250 steps, so that overhead alone was most of the
compose latency. This is the same computation as GPT2LMHeadModel (pre-norm blocks, fused QKV Conv1D,
scaled dot-product attention, the model's own activation, tied output head) written the nanoGPT way, reading
the modules' parameters directly. A test checks its logits against `transformers`' forward pass.

The parameters are read from the modules once per model (`layers`): `nn.Module` attribute lookups (a dozen a
block, each through `Module.__getattr__`) and the in-place adds it saves took a 4-row step from 1.26 to 1.11 ms
(best of 20 runs of 200 steps on the checkpoint, old and new interleaved in one process, one thread).
"""

from __future__ import annotations

import weakref
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
    """Positions every row has seen (`extend`); rows fed runs of different lengths (`extend_rows`) keep theirs
    in `row_lengths`, and `length` is then the longest."""
    row_lengths: torch.Tensor | None = None


@dataclass(frozen=True)
class Layer:
    """One GPT-2 block's parameters, as tensors: Conv1D weights are (in, out), so `addmm(bias, x, weight)`."""

    ln_1: tuple[torch.Tensor, torch.Tensor]
    qkv: tuple[torch.Tensor, torch.Tensor]
    """(weight, bias) of the fused query/key/value projection; its output is laid out [q | k | v]."""
    proj: tuple[torch.Tensor, torch.Tensor]
    ln_2: tuple[torch.Tensor, torch.Tensor]
    fc: tuple[torch.Tensor, torch.Tensor]
    out: tuple[torch.Tensor, torch.Tensor]
    heads: int
    head_dim: int
    eps: float
    """Both norms' epsilon (GPT-2 gives every layer norm its config's `layer_norm_epsilon`)."""
    act: object
    """The block's activation module; None for GPT-2's tanh GELU, which torch computes in one fused op."""

    def norm_1(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(hidden, hidden.shape[-1:], *self.ln_1, self.eps)

    def feed_forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """The block's MLP on its second norm of (..., n_embd) `hidden`."""
        shape = hidden.shape
        normed = F.layer_norm(hidden, shape[-1:], *self.ln_2, self.eps).view(-1, shape[-1])
        inner = torch.addmm(self.fc[1], normed, self.fc[0])
        inner = F.gelu(inner, approximate="tanh") if self.act is None else self.act(inner)
        return torch.addmm(self.out[1], inner, self.out[0]).view(shape)


_LAYERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layers(gpt) -> tuple[Layer, ...]:
    """The blocks' parameters of a GPT-2, read once per model (the tensors are the modules' own, so a model
    trained or loaded in place is read as it is now)."""
    if gpt not in _LAYERS:
        _LAYERS[gpt] = tuple(_layer(block) for block in gpt.transformer.h)
    return _LAYERS[gpt]


def _layer(block) -> Layer:
    attn, mlp = block.attn, block.mlp
    return Layer(ln_1=(block.ln_1.weight, block.ln_1.bias), qkv=(attn.c_attn.weight, attn.c_attn.bias),
                 proj=(attn.c_proj.weight, attn.c_proj.bias), ln_2=(block.ln_2.weight, block.ln_2.bias),
                 fc=(mlp.c_fc.weight, mlp.c_fc.bias), out=(mlp.c_proj.weight, mlp.c_proj.bias),
                 heads=attn.num_heads, head_dim=attn.head_dim, eps=block.ln_1.eps,
                 act=None if _is_gelu_new(mlp.act) else mlp.act)


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
    if cache.row_lengths is not None:
        raise ValueError("the cache's rows are ragged: feed them with extend_rows")
    start, steps = cache.length, embeddings.shape[1]
    if start + steps > gpt.config.n_positions:
        raise ValueError(f"{start + steps} positions exceed the model's context of {gpt.config.n_positions}")
    hidden = embeddings + transformer.wpe.weight[start:start + steps]
    mask = None
    if steps > 1:  # causal within the new positions; every cached position is visible
        mask = torch.ones(steps, start + steps, dtype=torch.bool).tril(diagonal=start)
    for index, layer in enumerate(layers(gpt)):
        hidden = hidden + _attend(layer, hidden, cache, index, mask)
        hidden = hidden + layer.feed_forward(hidden)
    cache.length = start + steps
    last = _norm(transformer.ln_f, hidden[:, -1, :])
    return last @ transformer.wte.weight.T


@torch.inference_mode()
def extend_rows(gpt, embeddings: torch.Tensor, counts: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """Run each row's own number of new input embeddings (`counts`, (batch,) ints; row b's first counts[b] of
    the (batch, T, n_embd) are real, the rest padding) after that row's cached positions; returns the logits at
    every new position (batch, T, vocab), zero at padding, and advances each row by its count.

    Why: a run of tokens the constraints leave no choice over (the section, phrase and chord tokens after each
    Bar) needs no logits to be chosen, so it is fed in one pass instead of one decoder call a token; the rows of
    a batch reach such runs at different times, so each row keeps its own length. Row b's token j sits at slot
    and position lengths[b] + j, and each query sees only its own row's slots up to its position, so a row's
    numbers are those `extend` gives it fed alone. The matrix products run on the real tokens only, packed
    (padding a batch of runs of 1 and 5 to 5 each costs twice the arithmetic); only attention is per row.
    """
    transformer = gpt.transformer
    batch, steps, _ = embeddings.shape
    lengths = cache.row_lengths if cache.row_lengths is not None else torch.full((batch,), cache.length)
    limit = gpt.config.n_positions
    longest = int((lengths + counts).max())
    if longest > limit:
        raise ValueError(f"{longest} positions exceed the model's context of {limit}")
    if steps == 1 and bool((counts <= 1).all()) and int(lengths.max()) < limit:
        return _extend_each_by_one(gpt, embeddings[:, 0], counts, lengths, cache)[:, None, :]
    offsets = torch.arange(steps)
    positions = lengths[:, None] + offsets  # (batch, T)
    real = offsets[None, :] < counts[:, None]
    rows, columns = real.nonzero(as_tuple=True)
    slots = positions[rows, columns]
    hidden = embeddings[rows, columns] + transformer.wpe.weight[slots]  # (tokens, n_embd)
    end = max(longest, 1)
    mask = (torch.arange(end)[None, None, :] <= positions[:, :, None]).unsqueeze(1)  # (batch, 1, T, end)
    packing = Packing(batch, steps, rows, columns, slots, end, mask)
    for index, layer in enumerate(layers(gpt)):
        hidden = hidden + _attend_packed(layer, hidden, cache, index, packing)
        hidden = hidden + layer.feed_forward(hidden)
    cache.row_lengths = lengths + counts
    cache.length = int(cache.row_lengths.max())
    logits = _norm(transformer.ln_f, hidden) @ transformer.wte.weight.T
    out = logits.new_zeros(batch, steps, logits.shape[-1])
    out[rows, columns] = logits
    return out


def _extend_each_by_one(gpt, embeddings: torch.Tensor, counts: torch.Tensor, lengths: torch.Tensor,
                        cache: KVCache) -> torch.Tensor:
    """`extend_rows` when every row gets one token or none (`counts` 0 or 1), the commonest call while sampling
    (a note's pitch, its duration; a finished row waits): (batch, n_embd) in, (batch, vocab) out. Nothing to
    pack or lay out, so the queries go to the attention as they come: a 4-row step 2.10 -> 1.90 ms, an 8-row one
    3.00 -> 2.53 ms against the packed path, the same logits. A waiting row is computed too, its padding written
    to the slot after its last, which no query of its own sees before its next real token overwrites it; its
    logits are zeroed as padding's are."""
    transformer = gpt.transformer
    batch, width = embeddings.shape
    hidden = embeddings + transformer.wpe.weight[lengths]
    end = int(lengths.max()) + 1
    mask = (torch.arange(end)[None, :] <= lengths[:, None])[:, None, None, :]  # (batch, 1, 1, end)
    rows = torch.arange(batch)
    for index, layer in enumerate(layers(gpt)):
        qkv = torch.addmm(layer.qkv[1], layer.norm_1(hidden), layer.qkv[0])
        query, key, value = qkv.view(batch, 3, layer.heads, layer.head_dim).unbind(1)
        keys, values = cache.keys[index], cache.values[index]
        keys[rows, :, lengths] = key
        values[rows, :, lengths] = value
        out = F.scaled_dot_product_attention(query[:, :, None, :], keys[:batch, :, :end], values[:batch, :, :end],
                                             attn_mask=mask)
        hidden = torch.addmm(layer.proj[1], out.view(batch, width), layer.proj[0]).add_(hidden)
        hidden = layer.feed_forward(hidden).add_(hidden)
    cache.row_lengths = lengths + counts
    cache.length = int(cache.row_lengths.max())
    logits = _norm(transformer.ln_f, hidden) @ transformer.wte.weight.T
    return logits * (counts > 0)[:, None] if bool((counts == 0).any()) else logits


@dataclass(frozen=True)
class Packing:
    """Where `extend_rows`' packed tokens sit: batch row, place in the run, cache slot; and the attention
    window (`end` slots, `mask` (batch, 1, T, end))."""

    batch: int
    steps: int
    rows: torch.Tensor
    columns: torch.Tensor
    slots: torch.Tensor
    end: int
    mask: torch.Tensor


def _attend_packed(layer: Layer, hidden: torch.Tensor, cache: KVCache, index: int, packing: Packing) -> torch.Tensor:
    """Attention for packed (tokens, n_embd) inputs: keys and values go to their rows' slots, queries are laid
    out per row for the attention itself and packed again after it."""
    tokens, width = hidden.shape
    qkv = torch.addmm(layer.qkv[1], layer.norm_1(hidden), layer.qkv[0])
    query, key, value = (t.reshape(tokens, layer.heads, layer.head_dim) for t in qkv.split(width, dim=1))
    cache.keys[index][packing.rows, :, packing.slots] = key
    cache.values[index][packing.rows, :, packing.slots] = value
    laid = query.new_zeros(packing.batch, packing.steps, layer.heads, layer.head_dim)
    laid[packing.rows, packing.columns] = query
    out = F.scaled_dot_product_attention(laid.transpose(1, 2), cache.keys[index][:packing.batch, :, :packing.end],
                                         cache.values[index][:packing.batch, :, :packing.end],
                                         attn_mask=packing.mask)
    out = out.transpose(1, 2)[packing.rows, packing.columns].reshape(tokens, width)
    return torch.addmm(layer.proj[1], out, layer.proj[0])


def _attend(layer: Layer, hidden: torch.Tensor, cache: KVCache, index: int, mask: torch.Tensor | None
            ) -> torch.Tensor:
    batch, steps, width = hidden.shape
    qkv = torch.addmm(layer.qkv[1], layer.norm_1(hidden).view(-1, width), layer.qkv[0])
    heads = (batch, steps, layer.heads, layer.head_dim)
    query, key, value = (t.view(heads).transpose(1, 2) for t in qkv.view(batch, steps, 3 * width).split(width, dim=2))
    start, end = cache.length, cache.length + steps
    cache.keys[index][:batch, :, start:end] = key
    cache.values[index][:batch, :, start:end] = value
    out = F.scaled_dot_product_attention(query, cache.keys[index][:batch, :, :end],
                                         cache.values[index][:batch, :, :end], attn_mask=mask)
    out = out.transpose(1, 2).reshape(-1, width)
    return torch.addmm(layer.proj[1], out, layer.proj[0]).view(batch, steps, width)


def _is_gelu_new(activation) -> bool:
    """GPT-2's default activation is the tanh approximation of GELU, which torch computes in one fused op
    (transformers spells it out in five; `composer.melody.gpt` uses torch's)."""
    return type(activation).__name__ == "NewGELUActivation" or getattr(activation, "approximate", None) == "tanh"


def _norm(layer_norm, hidden: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(hidden, layer_norm.normalized_shape, layer_norm.weight, layer_norm.bias, layer_norm.eps)
