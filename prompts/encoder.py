"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline and only when needed.

The rules understand most prompts; the encoder is for the free words they do not know ("noir",
"sunset drive"): it embeds them and finds the nearest genre or mood description. The same `embed` is what
the learned model is conditioned on, so it is public, batched and deterministic.

The BERT forward pass is written here in plain torch over the packaged safetensors weights, and the WordPiece
tokenizer is the package's own `tokenizer.json` read by `tokenizers`: the same operations, in the same order,
as `transformers`' BertModel (a test checks the vectors are bit-identical), without importing `transformers`,
which cost a second or more of every cold start. torch loads inside the class, so importing this module (or
parsing a rules-only prompt) stays cheap.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from prompts.words.genres import GENRE_SCENES, GENRES
from prompts.words.moods import MOODS
from prompts.words.vocabulary import default_model_path

EMBEDDING_DIM = 384
KINDS: tuple[str, ...] = ("genre", "mood")


class EncoderError(ValueError):
    """The text encoder cannot be loaded or was asked something it does not know."""


def lexicon_texts(kind: str) -> list[tuple[str, str]]:
    """(id, text) pairs the encoder compares against: each description, and for genres the scenes they evoke.

    Short scene phrases ("night drive at sunset") match short free words far better than one long
    sentence does; an id scores the best of its texts.
    """
    if kind == "genre":
        pairs = [(g.id, g.description) for g in GENRES.values()]
        return pairs + [(gid, scene) for gid, scenes in GENRE_SCENES.items() for scene in scenes]
    if kind == "mood":
        return [(m.id, m.description) for m in MOODS.values()]
    raise EncoderError(f"unknown lexicon kind {kind!r}; expected one of {KINDS}")


class TextEncoder:
    """MiniLM sentence encoder: mean pooling over tokens, L2-normalised 384-d vectors."""

    def __init__(self, model_path: Path | None = None, max_length: int = 128) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        path = model_path or default_model_path()
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            self._weights = load_file(str(path / "model.safetensors"))
        except Exception as exc:  # OSError, or safetensors' and tokenizers' own errors for a broken file
            raise EncoderError(f"cannot load the text encoder from {path}: {exc}") from exc
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.enable_padding(pad_id=config["pad_token_id"], pad_token="[PAD]")
        self._layers = int(config["num_hidden_layers"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._torch: Any = torch
        self.max_length = max_length
        self._lexicon: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row unit length; the same text always gives the same row."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        torch = self._torch
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in encodings])
        types = torch.tensor([e.type_ids for e in encodings])
        attention = torch.tensor([e.attention_mask for e in encodings])
        with torch.inference_mode():
            hidden = self._forward(ids, types, attention)
            mask = attention.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.cpu().numpy().astype(np.float32)

    def _forward(self, ids: Any, types: Any, attention: Any) -> Any:
        """BERT's last hidden state, (batch, tokens, 384): embeddings, then post-norm encoder layers."""
        F, w = self._torch.nn.functional, self._weights
        steps = ids.shape[1]
        hidden = F.embedding(ids, w["embeddings.word_embeddings.weight"], 0)
        hidden = hidden + F.embedding(types, w["embeddings.token_type_embeddings.weight"])
        hidden = hidden + F.embedding(self._torch.arange(steps)[None], w["embeddings.position_embeddings.weight"])
        hidden = self._norm(hidden, "embeddings.LayerNorm")
        mask = None  # like transformers: no mask at all when nothing is padding
        if not bool(attention.all()):
            mask = attention.bool()[:, None, None, :].expand(ids.shape[0], 1, steps, steps)
        for layer in range(self._layers):
            hidden = self._layer(hidden, f"encoder.layer.{layer}.", mask)
        return hidden

    def _layer(self, hidden: Any, name: str, mask: Any) -> Any:
        F = self._torch.nn.functional
        batch, steps, width = hidden.shape
        head_dim = width // self._heads
        heads = (batch, steps, -1, head_dim)
        query, key, value = (self._linear(hidden, f"{name}attention.self.{part}").view(heads).transpose(1, 2)
                             for part in ("query", "key", "value"))
        out = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=0.0,
                                             scale=head_dim**-0.5, is_causal=False)
        out = out.transpose(1, 2).contiguous().reshape(batch, steps, -1).contiguous()
        attended = self._norm(self._linear(out, f"{name}attention.output.dense") + hidden,
                              f"{name}attention.output.LayerNorm")
        inner = F.gelu(self._linear(attended, f"{name}intermediate.dense"))
        return self._norm(self._linear(inner, f"{name}output.dense") + attended, f"{name}output.LayerNorm")

    def _linear(self, hidden: Any, name: str) -> Any:
        return self._torch.nn.functional.linear(hidden, self._weights[f"{name}.weight"], self._weights[f"{name}.bias"])

    def _norm(self, hidden: Any, name: str) -> Any:
        weight = self._weights[f"{name}.weight"]
        return self._torch.nn.functional.layer_norm(hidden, weight.shape, weight, self._weights[f"{name}.bias"],
                                                    self._eps)

    def _lexicon_matrix(self, kind: str) -> tuple[tuple[str, ...], np.ndarray]:
        with self._lock:
            if kind not in self._lexicon:
                pairs = lexicon_texts(kind)
                self._lexicon[kind] = (tuple(i for i, _ in pairs), self.embed([t for _, t in pairs]))
            return self._lexicon[kind]

    def nearest(self, text: str, kind: str = "genre", k: int = 1) -> list[tuple[str, float]]:
        """The k lexicon entries of `kind` closest to `text`, as (id, cosine similarity), best first."""
        ids, matrix = self._lexicon_matrix(kind)
        scores = matrix @ self.embed([text])[0]
        best: dict[str, float] = {}
        for entry_id, score in zip(ids, scores.tolist(), strict=True):
            best[entry_id] = max(best.get(entry_id, -1.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[: max(1, k)]


_ENCODER: TextEncoder | None = None
_ENCODER_LOCK = threading.Lock()


def get_encoder() -> TextEncoder:
    """The process-wide encoder, loaded on first use (about a second) and then shared."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            _ENCODER = TextEncoder()
        return _ENCODER
