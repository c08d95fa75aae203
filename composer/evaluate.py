"""Evaluating melody engines against held-out corpus melodies.

- Bits per note: the sum of a model's negative log2-likelihood over a piece divided by its notes, for the
  learned model and the Markov baseline on the SAME held-out windows (whole bars, at most 16).
- Musical statistics, MGEval-style: per-piece features of generated and held-out melodies, compared by
  the overlapping area of their histograms (1.0 = the same distribution).
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable

import numpy as np

from composer.analyze import mode_pcs
from composer.corpus import Melody
from composer.dataset import Example, attach_embeddings, melody_examples, windows
from composer.markov import MarkovModel
from composer.theory import pc_name

FEATURES: tuple[str, ...] = ("pitch_range", "pitch_class_entropy", "mean_ioi", "note_density", "in_scale_ratio")
WINDOW_BARS = 16


def test_windows(melodies: list[Melody], limit: int, seed: int = 0) -> list[Melody]:
    """Held-out melodies cut to windows of at most 16 bars (what the model was trained on), as Melody objects."""
    rng = random.Random(seed)
    chosen = rng.sample(melodies, min(limit, len(melodies)))
    result = []
    for melody in chosen:
        for bars, notes in windows(melody, WINDOW_BARS)[:1]:
            result.append(dataclasses.replace(melody, notes=notes, bars=bars, pickup_ql=0.0))
    return result


def markov_bits_per_note(model: MarkovModel, melodies: list[Melody]) -> float:
    return float(model.bits_per_note(melodies))


def model_examples(melodies: list[Melody], tokenizer, embed: Callable, seed: int = 0) -> list[Example]:
    """One full-attribute example per held-out window (no attribute dropout) with its caption embedding."""
    rng = random.Random(seed)
    examples = []
    for melody in melodies:
        made = melody_examples(melody, tokenizer, rng, max_tokens=10_000, drop_p=0.0)
        examples.extend(made[:1])
    attach_embeddings(examples, embed)
    return examples


def features(notes: list[tuple[int, float, float]], bars: int, mode: str, tonic: str = "C") -> dict[str, float]:
    """Per-piece statistics of a monophonic line (pitch, onset, duration in quarter notes)."""
    if not notes:
        return dict.fromkeys(FEATURES, 0.0)
    pitches = np.array([p for p, _, _ in notes])
    onsets = np.array(sorted(o for _, o, _ in notes))
    counts = np.bincount(pitches % 12, minlength=12) / len(pitches)
    nonzero = counts[counts > 0]
    scale = mode_pcs(tonic, mode)
    return {
        "pitch_range": float(pitches.max() - pitches.min()),
        "pitch_class_entropy": float(-(nonzero * np.log2(nonzero)).sum()),
        "mean_ioi": float(np.diff(onsets).mean()) if len(onsets) > 1 else 0.0,
        "note_density": len(notes) / max(1, bars),
        "in_scale_ratio": float(np.mean([p % 12 in scale for p in pitches])),
    }


def overlapping_area(a: list[float], b: list[float], bins: int = 24) -> float:
    """Overlap of two samples' normalised histograms on shared bins (MGEval's OA, histogram estimate)."""
    if not a or not b:
        return 0.0
    lo, hi = min(min(a), min(b)), max(max(a), max(b))
    if math.isclose(lo, hi):
        return 1.0
    edges = np.linspace(lo, hi, bins + 1)
    pa = np.histogram(a, edges)[0] / len(a)
    pb = np.histogram(b, edges)[0] / len(b)
    return float(np.minimum(pa, pb).sum())


def compare_features(generated: list[dict[str, float]], reference: list[dict[str, float]]) -> dict[str, float]:
    return {f: round(overlapping_area([g[f] for g in generated], [r[f] for r in reference]), 4) for f in FEATURES}


def normalised_tonic_name(mode: str) -> str:
    """The tonic held-out melodies are stored in (C for major-like, A for minor-like modes)."""
    return pc_name(0 if mode in ("major", "lydian", "mixolydian") else 9)
