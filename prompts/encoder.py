"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline and only when needed.

The rules understand most prompts; the encoder is for the free words they do not know ("noir",
"sunset drive"): it embeds them and finds the nearest genre or mood description. The same `embed` is what
the learned model is conditioned on, so it is public, batched and deterministic. torch and transformers
are imported inside the class, so importing this module (or parsing a rules-only prompt) stays cheap.
"""

from __future__ import annotations

import os
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
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # stderr belongs to the user: no weight-loading bars
        hf_logging.set_verbosity_error()

        path = model_path or default_model_path()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self._model = AutoModel.from_pretrained(str(path), local_files_only=True)
        except OSError as exc:
            raise EncoderError(f"cannot load the text encoder from {path}: {exc}") from exc
        self._model.eval()
        self._torch: Any = torch
        self.max_length = max_length
        self._lexicon: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row unit length; the same text always gives the same row."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        torch = self._torch
        batch = self._tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.cpu().numpy().astype(np.float32)

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
