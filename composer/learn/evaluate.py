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
import torch

from composer.learn.dataset import Example, attach_embeddings, melody_examples, windows
from composer.learn.train import ATTRIBUTE_SPAN
from composer.melody.constraints import NEG, Constraints, MelodyRequest
from composer.melody.corpus import Melody
from composer.melody.markov import MarkovModel
from composer.melody.tokens import PITCH_RANGE
from composer.theory import mode_pcs, pc_name
from prompts.music import MAJOR_THIRD_MODES

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


def model_examples(melodies: list[Melody], tokenizer, embed: Callable, max_tokens: int, seed: int = 0
                   ) -> list[tuple[Melody, Example]]:
    """One full-attribute example per held-out window (no attribute dropout) with its caption embedding."""
    rng = random.Random(seed)
    pairs = []
    for melody in melodies:
        if f"TimeSig_{melody.meter}" not in tokenizer.vocab:
            continue
        window = fitting_window(melody, tokenizer, max_tokens)
        made = melody_examples(window, tokenizer, rng, max_tokens, drop_p=0.0) if window else []
        if len(made) == 1:
            pairs.append((window, made[0]))
    attach_embeddings([e for _, e in pairs], embed)
    return pairs


def fitting_window(melody: Melody, tokenizer, max_tokens: int) -> Melody | None:
    """The melody's first window of 16, 8, 4 or 2 bars whose tokens fit the model's context, as a Melody
    (so the model and the Markov baseline are scored on exactly the same notes)."""
    for max_bars in (16, 8, 4, 2):
        parts = windows(melody, max_bars)
        if not parts:
            return None
        bars, notes = parts[0]
        if len(tokenizer.encode_notes(notes, melody.meter)) + ATTRIBUTE_SPAN + 1 <= max_tokens:
            return dataclasses.replace(melody, notes=notes, bars=bars, pickup_ql=0.0)
    return None


def grammar_request(melody: Melody) -> MelodyRequest:
    """Only the token grammar and the bar count: any pitch class, the whole piano range, no harmony bias."""
    return MelodyRequest(meter=melody.meter, bars=melody.bars, allowed_pcs=frozenset(range(12)),
                         pitch_low=PITCH_RANGE[0], pitch_high=PITCH_RANGE[1] - 1, max_leap=127)


@torch.inference_mode()
def constrained_nats(model, tokenizer, melody: Melody, example: Example) -> tuple[float, int]:
    """NLL (nats) of a held-out sequence under the model as the sampler uses it: at every step the
    distribution is renormalised over the tokens the REMI grammar allows there (see composer.melody.constraints).
    Also returns how many tokens broke the grammar (scored with the raw distribution instead)."""
    ids = torch.tensor([example.ids])
    logits = model(ids, torch.from_numpy(example.embedding)[None]).logits[0, model.config.prefix_len:, :]
    constraints = Constraints(tokenizer, grammar_request(melody))
    row = constraints.new_row()
    total, outside = 0.0, 0
    for step in range(ATTRIBUTE_SPAN, len(example.ids)):
        raw = logits[step - 1].numpy().astype(np.float64)
        masked = raw + constraints.mask(row)
        target = example.ids[step]
        if masked[target] < NEG / 2:  # the held-out piece breaks a rule the sampler keeps: score it raw
            masked, outside = raw, outside + 1
        total -= float(masked[target] - np.logaddexp.reduce(masked))
        constraints.advance(row, target)
    return total, outside


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
    return pc_name(0 if mode in MAJOR_THIRD_MODES else 9)
