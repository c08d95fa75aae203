"""Training examples for the melody model: corpus melodies -> windows of whole bars -> token sequences
with attribute tokens and a caption embedding.

The text embedder is passed in (a callable from captions to vectors) so the composer does not depend on
how the prompt side loads its encoder; `motif train` wires in the real MiniLM.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from composer.melody.attributes import caption, melody_attributes
from composer.melody.corpus import Melody
from composer.melody.tokens import MotifTokenizer

Embedder = Callable[[Sequence[str]], np.ndarray]
"""Captions -> (n, 384) float32 L2-normalised sentence embeddings."""


@dataclass
class Example:
    """One training sequence: token ids (BOS, attributes, notes, EOS), how many notes, and its caption."""

    ids: list[int]
    n_notes: int
    caption: str
    piece_id: str
    embedding: np.ndarray | None = None


def windows(melody: Melody, max_bars: int) -> list[tuple[int, list[tuple[int, float, float]]]]:
    """Split a melody into consecutive windows of at most `max_bars` whole bars, onsets rebased to 0.

    Notes are assigned to the window holding their onset and cut at the window's end, so every window is a
    valid piece of exactly its bar count.
    """
    bar_q = melody.bar_quarters
    result = []
    for first in range(0, melody.bars, max_bars):
        bars = min(max_bars, melody.bars - first)
        start, end = first * bar_q, (first + bars) * bar_q
        notes = [
            (p, round(o - start, 6), round(min(d, end - o), 6))
            for p, o, d in melody.notes
            if start <= o < end and min(d, end - o) > 0
        ]
        if notes:
            result.append((bars, notes))
    return result


def melody_examples(
    melody: Melody, tokenizer: MotifTokenizer, rng: random.Random, max_tokens: int, drop_p: float = 0.3,
) -> list[Example]:
    """Examples from one melody: each window once, half of them with some attributes dropped to ANY."""
    examples = []
    for max_bars in (16, 8, 4, 2, 1):
        parts = [(bars, notes, tokenizer.encode_notes(notes, melody.meter)) for bars, notes in
                 windows(melody, max_bars)]
        if all(len(ids) + 9 <= max_tokens for _, _, ids in parts):
            break
    else:
        return []
    for bars, notes, note_ids in parts:
        full = melody_attributes(melody.mode, melody.meter, melody.tempo_bpm, notes, bars, melody.source,
                                 melody.dance)
        attrs = full if rng.random() < 0.5 else full.dropped(rng, drop_p)
        examples.append(Example(tokenizer.sequence(attrs, note_ids), len(notes), caption(attrs, rng), melody.id))
    return examples


def build_examples(
    melodies: list[Melody], tokenizer: MotifTokenizer, embed: Embedder, seed: int, max_tokens: int,
    progress: Callable[[int], None] | None = None,
) -> list[Example]:
    """All examples for a split, with caption embeddings (computed in batches)."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for melody in melodies:
        examples.extend(melody_examples(melody, tokenizer, rng, max_tokens))
        if progress:
            progress(1)
    attach_embeddings(examples, embed)
    return examples


def attach_embeddings(examples: list[Example], embed: Embedder, batch: int = 256) -> None:
    """Embed every distinct caption once and attach the vectors."""
    captions = sorted({e.caption for e in examples})
    vectors: dict[str, np.ndarray] = {}
    for i in range(0, len(captions), batch):
        chunk = captions[i:i + batch]
        for text, vector in zip(chunk, embed(chunk), strict=True):
            vectors[text] = np.asarray(vector, dtype=np.float32)
    for example in examples:
        example.embedding = vectors[example.caption]


def full_attribute_examples(examples: list[Example], tokenizer: MotifTokenizer) -> list[Example]:
    """Only the examples whose attributes are all stated (for held-out scoring)."""
    any_ids = {tokenizer.vocab[t] for t in tokenizer.attribute_tokens if t.endswith("_any")}
    return [e for e in examples if not any_ids.intersection(e.ids[1:8])]

