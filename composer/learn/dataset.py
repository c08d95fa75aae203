"""Training examples for the melody model: corpus melodies and lead lines -> windows of whole bars -> token
sequences with attribute tokens, bar tokens (section, place in the phrase, chord) and a caption embedding.

The bar tokens come from the data: a lead line's chords (from its files, or heard in its accompaniment by
`composer.learn.debian`), else the triad its own notes outline in the bar (`chords_heard.best_triad`); the
phrase places from the same 4-bar phrasing composing uses (`source.phrase_lengths`, after a pickup bar); the
sections from the tune's own repeats (`form_labels`: an 8-bar strain heard again is A again, one whose
opening returns with a new ending is A'). Lead lines are few (136 pieces against 14,218 corpus melodies),
so each is also used an octave up and down where it stays in a singable range (`LEAD_SHIFTS`): the model
works in the normalised key (C / A minor), so a transposition to another key would teach it keys it is
never asked for; an octave keeps the key and moves the register.

The text embedder is passed in (a callable from captions to vectors) so the composer does not depend on
how the prompt side loads its encoder; `motif train` wires in the real MiniLM.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from composer.melody.attributes import ANY, caption, melody_attributes
from composer.melody.corpus import Melody, normalised_tonic
from composer.melody.source import phrase_lengths
from composer.melody.tokens import (
    PHRASE_BARS,
    SECTIONS,
    TIME_SIGNATURES,
    BarCondition,
    MotifTokenizer,
    chord_label,
)

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
    genre: str = ANY
    source: str = ""
    given_from: int | None = None
    """The tokenizer's first conditioning id (`MotifTokenizer.given_from`): ids from there on are not scored."""


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


LEAD_SHIFTS: tuple[int, ...] = (0, -12, 12)
"""Octave shifts each lead line is used at (a shift that takes it outside LEAD_RANGE is skipped)."""
LEAD_RANGE = (43, 96)
BAR_DROP_P = 0.15
"""Share of examples whose chords (and, separately, whose form tokens: section and phrase place) are all ANY,
so the model also writes where no chord or form is given."""


def bar_conditions(melody: Melody) -> list[BarCondition]:
    """Each bar's section, place in its phrase and chord, for every bar of the melody; [] when REMI does not
    write one Bar token per bar of this meter (then every bar is given ANY)."""
    num, den = (int(x) for x in melody.meter.split("/"))
    if num not in TIME_SIGNATURES.get(den, []):
        return []
    pickup = 1 if melody.pickup_ql > 0 and melody.bars > 1 else 0
    phrases = ["p"] * pickup
    for length in phrase_lengths(melody.bars - pickup):
        phrases += [str(min(i + 1, PHRASE_BARS)) for i in range(length - 1)] + [f"{min(length, PHRASE_BARS)}_end"]
    sections = form_labels(melody, pickup)
    chords = bar_chords(melody)
    return [BarCondition(sections[b], phrases[b], chords[b]) for b in range(melody.bars)]


def bar_notes(melody: Melody) -> list[list[tuple[int, float, float]]]:
    """The notes starting in each bar, onsets relative to the bar."""
    bar_q = melody.bar_quarters
    bars: list[list[tuple[int, float, float]]] = [[] for _ in range(melody.bars)]
    for pitch, onset, duration in melody.notes:
        index = int(onset // bar_q + 1e-9)
        if 0 <= index < melody.bars:
            bars[index].append((pitch, round(onset - index * bar_q, 4), duration))
    return bars


def form_labels(melody: Melody, pickup: int) -> list[str]:
    """A section label per bar, found in the tune's repeats: the bars after a pickup fall into sections of 8
    bars (4 in a tune under 16 bars; one section under 8), each compared with the sections before it. The
    same notes in 3/4 of its bars: the earlier section's label; its opening half the same and the rest not:
    that label primed (A', B'; a C or D returns unprimed); else the next new letter (ANY after D)."""
    body = melody.bars - pickup
    unit = 8 if body >= 16 else 4 if body >= 8 else max(1, body)
    per_bar = [tuple(notes) for notes in bar_notes(melody)]
    labels: list[str] = []
    starts = list(range(pickup, melody.bars, unit))
    letters = iter("ABCD")
    seen: list[tuple[int, str]] = []
    for start in starts:
        mine = per_bar[start:start + unit]
        label = None
        for other, name in seen:
            theirs = per_bar[other:other + unit]
            same = [a == b for a, b in zip(mine, theirs, strict=False)]
            if len(theirs) != len(mine) or not mine:
                continue
            if sum(same) >= 0.75 * len(mine):
                label = name
                break
            half = max(1, len(mine) // 2)
            if all(same[:half]):
                primed = name.rstrip("'") + "'"
                label = primed if primed in SECTIONS else name
                break
        if label is None:
            label = next(letters, ANY)
            seen.append((start, label))
        labels += [label] * len(mine)
    return [labels[0] if labels else ANY] * pickup + labels


def bar_chords(melody: Melody) -> list[str]:
    """Each bar's chord label (root above the normalised tonic, triad): the melody's own chords where it has
    them, else the triad its notes in the bar outline (two pitch classes at least, else ANY)."""
    from composer.learn.chords_heard import best_triad

    tonic = normalised_tonic(melody.mode)
    if melody.chords:
        return [symbol_label(symbol, tonic) for symbol in melody.chords][:melody.bars] + \
            [ANY] * max(0, melody.bars - len(melody.chords))
    labels = []
    for notes in bar_notes(melody):
        weights = np.zeros(12)
        for pitch, onset, duration in notes:
            weights[pitch % 12] += duration * (1.5 if onset == 0 else 1.0)
        if np.count_nonzero(weights) < 2:
            labels.append(ANY)
            continue
        root, quality = best_triad(weights)
        labels.append(chord_label(root, quality, tonic))
    return labels


def symbol_label(symbol: str | None, tonic: int) -> str:
    """A chord symbol of the data ("F#m", "Dsus4", "E+", None) as a bar token's value."""
    if not symbol:
        return ANY
    from composer.harmony.given import heard_triad
    from composer.theory import PITCH_CLASSES
    from prompts.music import split_chord_symbol

    try:
        root, quality, _ = split_chord_symbol(symbol)
    except ValueError:
        return ANY
    return chord_label(PITCH_CLASSES[root], heard_triad(quality), tonic)


def shifted(melody: Melody, semitones: int) -> Melody:
    import dataclasses

    return dataclasses.replace(melody, notes=[(p + semitones, o, d) for p, o, d in melody.notes])


def augmented(melody: Melody) -> list[Melody]:
    """A corpus melody as it is; a lead line at each of LEAD_SHIFTS that keeps it inside LEAD_RANGE."""
    if melody.family is None or not melody.notes:
        return [melody]
    low, high = min(p for p, _, _ in melody.notes), max(p for p, _, _ in melody.notes)
    return [shifted(melody, s) for s in LEAD_SHIFTS
            if s == 0 or (LEAD_RANGE[0] <= low + s and high + s <= LEAD_RANGE[1])]


def melody_examples(
    melody: Melody, tokenizer: MotifTokenizer, rng: random.Random, max_tokens: int, drop_p: float = 0.3,
    bar_drop_p: float = BAR_DROP_P,
) -> list[Example]:
    """Examples from one melody: each window once, half of them with some attributes dropped to ANY, and a
    few with the chords or the form tokens dropped (`bar_drop_p`)."""
    examples = []
    conditions = bar_conditions(melody) if tokenizer.has_bar_tokens else []
    for max_bars in (16, 8, 4, 2, 1):
        parts = []
        for index, (bars, notes) in enumerate(windows(melody, max_bars)):
            first = index * max_bars
            given = conditions[first:first + bars] if conditions else []
            if given and rng.random() < bar_drop_p:
                given = [BarCondition(c.section, c.phrase, ANY) for c in given]
            if given and rng.random() < bar_drop_p:
                given = [BarCondition(ANY, ANY, c.chord) for c in given]
            ids = tokenizer.with_bar_tokens(tokenizer.encode_notes(notes, melody.meter), given)
            parts.append((bars, notes, ids))
        if all(len(ids) + tokenizer.attribute_span + 1 <= max_tokens for _, _, ids in parts):
            break
    else:
        return []
    for bars, notes, note_ids in parts:
        full = melody_attributes(melody.mode, melody.meter, melody.tempo_bpm, notes, bars, melody.source,
                                 melody.dance, melody.family)
        attrs = full if rng.random() < 0.5 else full.dropped(rng, drop_p)
        examples.append(Example(tokenizer.sequence(attrs, note_ids), len(notes), caption(attrs, rng),
                                melody.piece or melody.id, genre=full.genre, source=melody.source,
                                given_from=tokenizer.given_from))
    return examples


def build_examples(
    melodies: list[Melody], tokenizer: MotifTokenizer, embed: Embedder, seed: int, max_tokens: int,
    progress: Callable[[int], None] | None = None,
) -> list[Example]:
    """All examples for a split, with caption embeddings (computed in batches)."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for melody in melodies:
        for copy in augmented(melody):
            examples.extend(melody_examples(copy, tokenizer, rng, max_tokens))
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
    return [e for e in examples if not any_ids.intersection(e.ids[1:tokenizer.attribute_span])]


MODEL_LICENCES: frozenset[str] = frozenset({"GPL-2.0", "GPL-2+", "GPL-1+", "BSD-3-Clause", "BSD-2-Clause",
                                            "Artistic-2", "CC-BY-3.0"})
"""The lead-line licences the shipped checkpoint may learn from together. The weights are treated as derived
from everything they were trained on, so their inputs must combine into one file: GPL-2.0-only material
(openmsx) with what GPL-2.0 accepts (GPL-2+; GPL-1+, a work under "the GPL" with no version named, which may
be used under GPL-2.0; BSD, Artistic-2, attribution-only CC-BY). GPL-3+ (blupi) and
CC-BY-SA (some LMMS and MuseScore demos) cannot join GPL-2.0-only material, so the model does not learn from
them; the originality guard still checks against every lead line (DATA.md, "checkpoint/")."""


def trains_model(melody: Melody) -> bool:
    """Whether the shipped model may learn from this melody: every corpus melody (no `licence`) and the lead
    lines under MODEL_LICENCES."""
    return melody.licence is None or melody.licence in MODEL_LICENCES


def training_melodies(split: str, leads: bool = True) -> list[Melody]:
    """One split of what the model trains on: the corpus melodies and (by default) the Debian lead lines whose
    licences combine (`MODEL_LICENCES`), split by piece (every phrase of a song on the same side)."""
    from composer.melody.corpus import LEADS_DIR, load_melodies

    chosen = [m for m in load_melodies(LEADS_DIR, split=split) if trains_model(m)] if leads else []
    return load_melodies(split=split) + chosen


def family_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Pieces, examples and notes per genre family (thin families are reported, not hidden)."""
    table: dict[str, dict[str, Any]] = {}
    for example in examples:
        row = table.setdefault(example.genre, {"pieces": set(), "examples": 0, "notes": 0})
        row["pieces"].add(example.piece_id)
        row["examples"] += 1
        row["notes"] += example.n_notes
    return {genre: {"pieces": len(row["pieces"]), "examples": row["examples"], "notes": row["notes"]}
            for genre, row in sorted(table.items())}

