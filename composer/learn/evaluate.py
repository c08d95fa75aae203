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
from collections.abc import Callable, Sequence

import numpy as np
import torch

from composer.learn.dataset import Example, attach_embeddings, melody_examples, windows
from composer.melody.constraints import NEG, Constraints, MelodyRequest
from composer.melody.corpus import Melody
from composer.melody.markov import MarkovModel
from composer.melody.tokens import PITCH_RANGE, BarCondition
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
        made = melody_examples(window, tokenizer, rng, max_tokens, drop_p=0.0, bar_drop_p=0.0) if window else []
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
        bar_tokens = len(tokenizer.bar_ids(BarCondition())) * bars
        if len(tokenizer.encode_notes(notes, melody.meter)) + bar_tokens + tokenizer.attribute_span + 1 <= max_tokens:
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
    The conditioning tokens (attributes, each bar's section, phrase place and chord) are given, not scored.
    Also returns how many tokens broke the grammar (scored with the raw distribution instead)."""
    ids = torch.tensor([example.ids])
    logits = model(ids, torch.from_numpy(example.embedding)[None]).logits[0, model.config.prefix_len:, :]
    constraints = Constraints(tokenizer, grammar_request(melody))
    row = constraints.new_row()
    total, outside = 0.0, 0
    for step in range(tokenizer.attribute_span, len(example.ids)):
        target = example.ids[step]
        if target >= tokenizer.given_from:
            constraints.advance(row, target)
            continue
        raw = logits[step - 1].numpy().astype(np.float64)
        masked = raw + constraints.mask(row)
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


# ---------------------------------------------------------------- form and idiom (issue 14, section 4)

LineNotes = list[tuple[int, float, float]]
"""A monophonic line: (MIDI pitch, onset, duration), quarter notes from the first bar line."""
PHRASE_BARS = 4
"""Phrase ends counted every fourth bar (bars 4, 8, 12...), as the listening review measured them."""
BLUE_STEPS = (3, 6, 10)
"""Semitones above the tonic of the blue notes (b3, b5, b7); each counts only where the mode lacks it, so the
b7 of a mixolydian blues is a scale note, not a blue one."""
FREYGISH_STEPS = frozenset({1, 4})
"""The augmented second of the freygish scale: its b2 and its major third (Eb-F# in D)."""
FORM_COUNTS: tuple[str, ...] = (
    "pieces", "long_pieces", "long_pieces_repeating", "bars_patterned", "bars_repeating", "notes", "syncopated",
    "blue", "chromatic", "augmented_seconds", "pieces_with_augmented_second",
)


def form_counts(notes: LineNotes, bars: int, meter: str, tonic: int, mode: str, pickup: bool = False
                ) -> dict[str, float]:
    """Counts behind the form and idiom figures of one line, to be pooled over many (`form_figures`).

    Form: bars whose interval pattern (the steps between the notes starting in the bar) repeats an earlier
    bar's, whether the piece repeats a whole bar exactly (same onsets, same intervals, any transposition), and
    the longest note sounding in each bar (the part of it inside the bar), phrase-end bars (every fourth, the last bar of the piece left out: it always
    holds the final note) apart from the others. Idiom: syncopated notes (starting off the beat with no onset
    on the next beat, so they are held over it or leave it silent), blue and other out-of-mode notes, and
    freygish augmented seconds (b2 to 3 or back, adjacent notes). `pickup`: bar 0 is an anacrusis (corpus
    tunes keep it there), so phrases end in bars 4, 8... counted from the first full bar."""
    from composer.melody.markov import meter_grid

    grid = meter_grid(meter)
    bar_q, beat_q = grid.bar_ql, grid.beat_ql
    line = sorted(((p, round(o * 12) / 12, d) for p, o, d in notes if 0 <= o < bars * bar_q - 1e-6),
                  key=lambda n: (n[1], -n[0]))
    by_bar: list[list[tuple[int, float, float]]] = [[] for _ in range(bars)]
    for note in line:
        by_bar[min(bars - 1, int(note[1] // bar_q + 1e-9))].append(note)
    patterns, shapes = set(), set()
    counts = dict.fromkeys(FORM_COUNTS, 0.0)
    counts |= {"pieces": 1.0, "long_pieces": float(bars >= 8)}
    end_longest, other_longest = [], []
    repeated_exactly = False
    for number, bar in enumerate(by_bar):
        start = number * bar_q
        sounding = [min(o + d, start + bar_q) - max(o, start) for _, o, d in line if o < start + bar_q and o + d > start]
        if number < bars - 1 and sounding:  # an anticipated cadence note, pushed into the bar before, counts
            longest = max(sounding)
            (end_longest if (number + 1 - pickup) % PHRASE_BARS == 0 else other_longest).append(longest)
        if len(bar) < 2:
            continue
        steps = tuple(b[0] - a[0] for a, b in zip(bar, bar[1:], strict=False))
        shape = (steps, tuple(round(o - number * bar_q, 3) for _, o, _ in bar))
        counts["bars_patterned"] += 1
        counts["bars_repeating"] += steps in patterns
        repeated_exactly |= shape in shapes
        patterns.add(steps)
        shapes.add(shape)
    counts["long_pieces_repeating"] = float(bars >= 8 and repeated_exactly)
    counts["end_longest"] = sum(end_longest)
    counts["end_bars"] = len(end_longest)
    counts["other_longest"] = sum(other_longest)
    counts["other_bars"] = len(other_longest)
    scale = {(tonic + s) % 12 for s in _mode_steps(mode)}
    blue = {(tonic + s) % 12 for s in BLUE_STEPS} - scale
    onsets = {o for _, o, _ in line}
    end_q = bars * bar_q
    for i, (pitch, onset, _) in enumerate(line):
        counts["notes"] += 1
        counts["blue"] += pitch % 12 in blue
        counts["chromatic"] += pitch % 12 not in scale
        next_beat = (math.floor(onset / beat_q + 1e-9) + 1) * beat_q
        off_beat = abs(onset / beat_q - round(onset / beat_q)) > 1e-6
        counts["syncopated"] += off_beat and next_beat < end_q - 1e-6 and not any(
            abs(o - next_beat) < 1e-6 for o in onsets)
        if i and {(line[i - 1][0] - tonic) % 12, (pitch - tonic) % 12} == FREYGISH_STEPS \
                and abs(pitch - line[i - 1][0]) == 3:
            counts["augmented_seconds"] += 1
    counts["pieces_with_augmented_second"] = float(counts["augmented_seconds"] > 0)
    return counts


def _mode_steps(mode: str) -> tuple[int, ...]:
    from composer.theory import MODE_INTERVALS

    return tuple(MODE_INTERVALS[mode])


def form_figures(rows: list[dict[str, float]]) -> dict[str, float]:
    """Pooled figures over many lines' `form_counts`: shares of bars, pieces and notes, and phrase-end marking
    (the mean longest note of phrase-end bars divided by the other bars'; 1.0 = unmarked)."""
    total = {k: sum(r.get(k, 0.0) for r in rows) for k in (*FORM_COUNTS, "end_longest", "end_bars",
                                                              "other_longest", "other_bars")}

    def share(part: str, whole: str) -> float:
        return round(total[part] / total[whole], 4) if total[whole] else 0.0

    end = total["end_longest"] / total["end_bars"] if total["end_bars"] else 0.0
    other = total["other_longest"] / total["other_bars"] if total["other_bars"] else 0.0
    return {
        "pieces": int(total["pieces"]),
        "bars_repeating_intervals": share("bars_repeating", "bars_patterned"),
        "long_pieces_repeating_a_bar": share("long_pieces_repeating", "long_pieces"),
        "phrase_end_marking": round(end / other, 3) if other else 0.0,
        "syncopation": share("syncopated", "notes"),
        "blue_notes": share("blue", "notes"),
        "chromatic": share("chromatic", "notes"),
        "augmented_seconds": int(total["augmented_seconds"]),
        "pieces_with_augmented_second": share("pieces_with_augmented_second", "pieces"),
    }


def real_form_figures(melodies: list[Melody], group_of: Callable[[Melody], str | None],
                      per_group: int = 300, seed: int = 0) -> dict[str, dict[str, float]]:
    """Form and idiom figures of real melodies per group (a corpus collection, a lead family): the first
    window of at most 16 bars of up to `per_group` melodies each, in their normalised key (C or A), with the
    bootstrap interval of each of `INTERVAL_FIGURES` (`pooled_interval`)."""
    grouped: dict[str, list[Melody]] = {}
    for melody in melodies:
        group = group_of(melody)
        if group is not None and melody.mode in _MODES:
            grouped.setdefault(group, []).append(melody)
    rng = random.Random(seed)
    report = {}
    for group, members in sorted(grouped.items()):
        rows = []
        for melody in rng.sample(members, min(per_group, len(members))):
            for bars, notes in windows(melody, WINDOW_BARS)[:1]:
                tonic = 0 if melody.mode in MAJOR_THIRD_MODES else 9
                rows.append(form_counts(notes, bars, melody.meter, tonic, melody.mode, melody.pickup_ql > 0))
        report[group] = form_figures(rows) | {f"{figure}_interval": pooled_interval(rows, figure, seed=seed)
                                              for figure in INTERVAL_FIGURES}
    return report


INTERVAL_FIGURES: tuple[str, ...] = ("syncopation", "phrase_end_marking")
"""The real-data figures reported with a bootstrap interval, the range Motif's own figure is judged against."""


def pooled_interval(rows: list[dict[str, float]], figure: str, draws: int = 400, seed: int = 0
                    ) -> tuple[float, float]:
    """The 5th-95th percentile of a pooled `form_figures` figure over `draws` resamples of the pieces (with
    replacement): how far the real figure moves with which pieces a family happens to hold. Pieces, not
    notes, are resampled, as one song's rhythm colours all its notes (a family of ten leads is a wide range,
    and should read as one)."""
    if not rows:
        return (0.0, 0.0)
    rng = random.Random(seed)
    values = sorted(form_figures([rng.choice(rows) for _ in rows])[figure] for _ in range(draws))
    return (values[int(0.05 * (draws - 1))], values[int(0.95 * (draws - 1))])


def _modes() -> frozenset[str]:
    from composer.theory import MODE_INTERVALS

    return frozenset(MODE_INTERVALS)


_MODES = _modes()


@dataclasses.dataclass(frozen=True)
class Scorer:
    """A learned model as held-out scoring needs it: the weights, their tokenizer and a caption embedder."""

    model: object
    tokenizer: object
    embed: Callable


def fitted_windows(melodies: list[Melody], tokenizers: list, max_tokens: int) -> list[Melody]:
    """Each melody's first window that fits every tokenizer's context (the new vocabulary's bar tokens make a
    busy window longer), so every model and the Markov baseline are scored on exactly the same notes."""
    result = []
    for melody in melodies:
        window: Melody | None = melody
        for tokenizer in tokenizers:
            window = fitting_window(window, tokenizer, max_tokens) if window is not None else None
        if window is not None and all(f"TimeSig_{melody.meter}" in t.vocab for t in tokenizers):
            result.append(window)
    return result


def bits_by_family(windows_: list[Melody], scorers: dict[str, Scorer], markov: MarkovModel
                   ) -> dict[str, dict[str, float]]:
    """Held-out bits per note per genre family (`attributes.genre_of` of a lead's family or a corpus
    collection's), for each learned model (grammar-constrained, as the sampler uses it) and the Markov baseline,
    on the same windows; with the family's pieces and notes, so a thin family reads as thin."""
    from composer.melody.attributes import family_of, genre_of

    def genre(melody: Melody) -> str:
        return genre_of(melody.family or family_of(melody.source, melody.dance))

    groups: dict[str, list[Melody]] = {}
    for window in windows_:
        groups.setdefault(genre(window), []).append(window)
    groups["all"] = list(windows_)
    nats: dict[str, dict[str, float]] = {name: {} for name in scorers}
    for name, scorer in scorers.items():
        pairs = model_examples(windows_, scorer.tokenizer, scorer.embed, scorer.model.config.max_tokens)
        if len(pairs) != len(windows_):
            raise ValueError(f"{name}: {len(windows_) - len(pairs)} windows did not fit; pass fitted_windows")
        for melody, example in pairs:
            total, _ = constrained_nats(scorer.model, scorer.tokenizer, melody, example)
            nats[name][melody.id + melody.title] = total
    table: dict[str, dict[str, float]] = {}
    for family, members in sorted(groups.items()):
        notes = sum(len(m.notes) for m in members)
        row: dict[str, float] = {"pieces": len({m.piece or m.id for m in members}), "windows": len(members),
                                 "notes": notes}
        for name in scorers:
            row[name] = round(sum(nats[name][m.id + m.title] for m in members) / math.log(2) / max(1, notes), 3)
        row["markov"] = round(markov_bits_per_note(markov, members), 3)
        table[family] = row
    return table


def family_report(checkpoints: dict[str, str], embed: Callable[[Sequence[str]], np.ndarray],
                  corpus_windows: int = 300, seed: int = 0) -> dict[str, object]:
    """`motif eval-families`: bits per note per genre family on held-out pieces, the corpus's test split (a
    sample of `corpus_windows`) with every lead line of the test split, and separately the leads' validation
    split (which training used to choose its checkpoint, so it flatters a little). `embed` is the caption
    encoder (the prompt side's MiniLM, passed in by the command line: composer never loads it itself)."""
    from pathlib import Path

    from composer.melody.corpus import LEADS_DIR, load_melodies
    from composer.melody.model import load_model
    from composer.melody.tokens import MotifTokenizer

    scorers = {name: Scorer(load_model(Path(path)), MotifTokenizer.load(Path(path)), embed)
               for name, path in checkpoints.items()}
    tokenizers = [s.tokenizer for s in scorers.values()]
    max_tokens = min(s.model.config.max_tokens for s in scorers.values())
    rng = random.Random(seed)
    corpus = load_melodies(split="test")
    chosen = rng.sample(corpus, min(corpus_windows, len(corpus)))
    markov = MarkovModel.load()
    test = fitted_windows(chosen + load_melodies(LEADS_DIR, split="test"), tokenizers, max_tokens)
    valid = fitted_windows(load_melodies(LEADS_DIR, split="valid"), tokenizers, max_tokens)
    return {"test": bits_by_family(test, scorers, markov), "leads_valid": bits_by_family(valid, scorers, markov)}
