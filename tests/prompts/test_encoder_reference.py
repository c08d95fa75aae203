"""The plain torch MiniLM (`prompts.encoder`) computes exactly what `transformers`' BertModel and tokenizer
compute: bit-identical vectors, single and batched (padding masked), for lexicon texts and odd inputs, so the
melody model's conditioning and the free-word lookups did not move when `transformers` left the request path."""

from __future__ import annotations

import numpy as np

from prompts.encoder import TextEncoder, lexicon_texts
from prompts.words.vocabulary import default_model_path

TEXTS = ["moody jazz in D minor, 8 bars", "film noir", "", "Café crème à la française — naïve", "🎵 日本の音楽",
         "word " * 300, "ALL CAPS!!! don't stop-believin' (live) [remix] #1 @ 120bpm"]


def reference_embed(texts: list[str]) -> np.ndarray:
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(default_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    rows = []
    for batch in [[t] for t in texts] + [texts]:
        inputs = tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            rows.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
    return np.concatenate(rows)


def test_vectors_are_bit_identical_to_transformers() -> None:
    texts = TEXTS + [text for _, text in lexicon_texts("mood")]
    encoder = TextEncoder()
    ours = np.concatenate([encoder.embed([t]) for t in texts] + [encoder.embed(texts)])
    assert np.array_equal(ours, reference_embed(texts))
