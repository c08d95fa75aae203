"""Does a melody sound like its genre? A genre-family classifier on melody features (issue 14, section 4).

Trained on windows of real melodies (the music21 corpus collections and the Debian leads, which carry a
`family`), split by piece so no piece is on both sides, and used by `motif eval` to ask whether Motif's
melodies for a family's prompts are heard as that family.

The features leave out what Motif's rules set rather than what its melody writer chooses: no tempo, no note
density, no meter, no register, no mode (pitch classes are read as degrees of the melody's own mode, so a
minor tune and a major one with the same shape look alike), and no articulation (how long a note is held
inside its inter-onset interval: the MIDI leads' staccato and our renderer's legato would tell the source,
not the genre). What is left is the line itself: which degrees it dwells on, how often it leaves the mode
and by which blue notes, its intervals and contour, where in the bar and the beat its notes start, its
rhythm's ratios, and how much it repeats itself.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from composer.learn.dataset import windows
from composer.learn.evaluate import BLUE_STEPS
from composer.melody.attributes import family_of, genre_of
from composer.melody.corpus import LEADS_DIR, Melody, load_melodies
from composer.melody.markov import meter_grid
from prompts.music import MAJOR_THIRD_MODES, MODE_INTERVALS

GENRE_FAMILIES: tuple[str, ...] = ("folk", "classical", "jazz_blues", "rock_pop", "electronic", "cinematic")
"""The families the real data can carry and Motif's prompts ask for: the melody model's genre families
(`composer.melody.attributes.GENRES`), with jazz and blues as one and rock and pop as one. Kept apart, held-out
jazz pieces (9 leads) were labelled jazz 0-11% of the time and pop (7) 14% (chance 12.5%); together jazz/blues
reaches 61% and rock/pop 38% (chance 17%). Latin (2 lead pieces, 1 reggae) is too thin and left out."""
CLASSIFIER_FAMILY: dict[str, str] = {
    "folk": "folk", "classical": "classical", "jazz": "jazz_blues", "blues": "jazz_blues", "rock": "rock_pop",
    "pop": "rock_pop", "electronic": "electronic", "cinematic": "cinematic",
}
"""The classifier's family of each of the model's genre families (`GENRES`; latin has none)."""

WINDOW_BARS = 8
MIN_NOTES = 8
"""A window needs this many notes for its histograms to mean anything."""
WINDOWS_PER_PIECE = 16
PIECES_PER_FAMILY = 600
"""Caps that keep one long game track or eight thousand Essen songs from outweighing the rest (the learner
also balances the families' weights)."""

INTERVAL_BINS: tuple[tuple[int, int], ...] = (
    (0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 9), (10, 12), (13, 127))
"""Absolute interval classes in semitones (inclusive bounds)."""
BEAT_FRACTIONS: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("on_beat", (0.0,)), ("half", (0.5,)), ("quarter", (0.25, 0.75)), ("third", (1 / 3, 2 / 3)))
"""Where in its beat a note starts: the beat, its half, its quarters (sixteenths), its thirds (triplets,
swing); anything else is counted as `other`."""

FEATURE_NAMES: tuple[str, ...] = (
    *(f"degree_{d + 1}" for d in range(7)), "chromatic", "blue",
    *(f"interval_{lo}" if lo == hi else f"interval_{lo}_{hi}" for lo, hi in INTERVAL_BINS), "moves_up",
    "direction_changes", "range_octaves", "pitch_spread",
    *(f"metric_{name}" for name in ("downbeat", "group", "beat", "subdivision", "finer")),
    *(f"beat_{name}" for name, _ in BEAT_FRACTIONS), "beat_other", "syncopation",
    "ioi_same", "ioi_double", "ioi_half", "ioi_dotted", "ioi_other", "ioi_spread", "long_notes",
    "downbeat_tonic_triad", "repeated_trigrams", "bars_repeating",
)


def genre_family(melody: Melody) -> str | None:
    """The classifier's family of a real melody, or None when it is in none of `GENRE_FAMILIES`: its genre as
    the melody model is taught it (`composer.melody.attributes.genre_of`, one table for the corpus
    collections, the corpus dance types and the leads' families), then `CLASSIFIER_FAMILY`."""
    return CLASSIFIER_FAMILY.get(genre_of(melody.family or family_of(melody.source, melody.dance)))


def normalised_tonic(mode: str) -> int:
    """The tonic the corpus is transposed to: C for the modes with a major third, A for the others."""
    return 0 if mode in MAJOR_THIRD_MODES else 9


def melody_features(notes: Sequence[tuple[int, float, float]], bars: int, meter: str, tonic: int,
                    mode: str) -> np.ndarray:
    """The feature vector (`FEATURE_NAMES`) of a monophonic line: (pitch, onset, duration) in quarter notes
    from its first bar line, in `tonic` (pitch class) `mode`. Every entry is a share or a ratio, so neither
    the tempo nor the number of notes enters it."""
    grid = meter_grid(meter)
    line = sorted(((p, round(o * 12) / 12) for p, o, _ in notes), key=lambda n: (n[1], -n[0]))
    line = [n for i, n in enumerate(line) if i == 0 or n[1] != line[i - 1][1]]  # the top note of a chord
    pitches = [p for p, _ in line]
    onsets = [o for _, o in line]
    count = max(1, len(line))
    steps = MODE_INTERVALS[mode]
    rel = [(p - tonic) % 12 for p in pitches]
    degrees = [rel.count(s) / count for s in steps]
    chromatic = sum(r not in steps for r in rel) / count
    blue = sum(r in BLUE_STEPS and r not in steps for r in rel) / count

    moves = [b - a for a, b in zip(pitches, pitches[1:], strict=False)]
    n_moves = max(1, len(moves))
    intervals = [sum(lo <= abs(m) <= hi for m in moves) / n_moves for lo, hi in INTERVAL_BINS]
    signed = [m for m in moves if m]
    up = sum(m > 0 for m in signed) / max(1, len(signed))
    turns = sum((a > 0) != (b > 0) for a, b in zip(signed, signed[1:], strict=False)) / max(1, len(signed) - 1)
    span = (max(pitches) - min(pitches)) / 12 if pitches else 0.0
    spread = float(np.std(pitches)) / 12 if pitches else 0.0

    metric = Counter(grid.metric_class(o) for o in onsets)
    metric_shares = [metric[k] / count for k in range(5)]
    fractions = [(o % grid.beat_ql) / grid.beat_ql for o in onsets]
    beat_shares = [sum(any(abs(f - v) < 1e-3 for v in values) for f in fractions) / count
                   for _, values in BEAT_FRACTIONS]
    beat_other = max(0.0, 1.0 - sum(beat_shares))
    onset_set = set(onsets)
    end_q = bars * grid.bar_ql
    syncopated = 0
    for onset in onsets:
        next_beat = (math.floor(onset / grid.beat_ql + 1e-9) + 1) * grid.beat_ql
        off_beat = abs(onset / grid.beat_ql - round(onset / grid.beat_ql)) > 1e-6
        syncopated += off_beat and next_beat < end_q - 1e-6 and not any(abs(o - next_beat) < 1e-6 for o in onset_set)

    iois = [b - a for a, b in zip(onsets, [*onsets[1:], end_q], strict=False) if b > a]
    ratios = [math.log2(b / a) for a, b in zip(iois, iois[1:], strict=False)]
    n_ratios = max(1, len(ratios))
    ioi_same = sum(abs(r) < 0.1 for r in ratios) / n_ratios
    ioi_double = sum(abs(r - 1) < 0.1 for r in ratios) / n_ratios
    ioi_half = sum(abs(r + 1) < 0.1 for r in ratios) / n_ratios
    ioi_dotted = sum(any(abs(abs(r) - v) < 0.1 for v in (math.log2(1.5), math.log2(3))) for r in ratios) / n_ratios
    ioi_other = max(0.0, 1.0 - ioi_same - ioi_double - ioi_half - ioi_dotted)
    median = float(np.median(iois)) if iois else 1.0
    ioi_spread = float(np.std(np.log2(iois))) if iois else 0.0
    long_notes = sum(i >= 2 * median - 1e-6 for i in iois) / max(1, len(iois))

    downbeat = [r for (_, o), r in zip(line, rel, strict=True) if grid.metric_class(o) == 0]
    triad = {steps[0], steps[2], steps[4]}
    downbeat_triad = sum(r in triad for r in downbeat) / max(1, len(downbeat))
    trigrams = [tuple(moves[i:i + 3]) for i in range(len(moves) - 2)]
    seen = Counter(trigrams)
    repeated = sum(c for c in seen.values() if c > 1) / max(1, len(trigrams))
    bars_repeating = _bars_repeating(line, bars, grid.bar_ql)
    row = [*degrees, chromatic, blue, *intervals, up, turns, span, spread, *metric_shares, *beat_shares,
           beat_other, syncopated / count, ioi_same, ioi_double, ioi_half, ioi_dotted, ioi_other, ioi_spread,
           long_notes, downbeat_triad, repeated, bars_repeating]
    return np.asarray(row, dtype=np.float64)


def _bars_repeating(line: list[tuple[int, float]], bars: int, bar_q: float) -> float:
    """Share of bars (with two notes or more) whose interval pattern an earlier bar already played."""
    by_bar: list[list[int]] = [[] for _ in range(bars)]
    for pitch, onset in line:
        by_bar[min(bars - 1, max(0, int(onset // bar_q + 1e-9)))].append(pitch)
    seen: set[tuple[int, ...]] = set()
    patterned = repeats = 0
    for bar in by_bar:
        if len(bar) < 2:
            continue
        pattern = tuple(b - a for a, b in zip(bar, bar[1:], strict=False))
        patterned += 1
        repeats += pattern in seen
        seen.add(pattern)
    return repeats / max(1, patterned)


@dataclass(frozen=True)
class Window:
    """One window of a melody, its features, and the piece it was cut from (what the split keeps whole)."""

    piece: str
    family: str | None
    features: np.ndarray = field(repr=False)


def line_windows(notes: Sequence[tuple[int, float, float]], bars: int, meter: str, tonic: int, mode: str,
                 piece: str, family: str | None = None) -> list[Window]:
    """A line cut into windows of `WINDOW_BARS` (`composer.learn.dataset.windows`, the model's own cut), each
    with `MIN_NOTES` or more kept; a piece shorter than a window is one window."""
    melody = Melody(id=piece, source=piece, title="", meter=meter, mode=mode, tonic_pc=tonic, tempo_bpm=0,
                    dance=None, bars=bars, pickup_ql=0.0, notes=list(notes))
    return [Window(piece, family, melody_features(part, size, meter, tonic, mode))
            for size, part in windows(melody, WINDOW_BARS) if len(part) >= MIN_NOTES and size >= WINDOW_BARS // 2]


def real_windows(melodies: Iterable[Melody] | None = None, seed: int = 0) -> list[Window]:
    """Windows of the real melodies of every genre family (the corpus and the leads when `melodies` is None),
    at most `PIECES_PER_FAMILY` pieces a family and `WINDOWS_PER_PIECE` windows a piece, drawn with `seed`."""
    if melodies is None:
        melodies = [*load_melodies(), *load_melodies(LEADS_DIR)]
    pieces: dict[str, dict[str, list[Melody]]] = {}
    for melody in melodies:
        family = genre_family(melody)
        if family is not None and melody.mode in MODE_INTERVALS:
            pieces.setdefault(family, {}).setdefault(melody.piece or melody.id, []).append(melody)
    rng = random.Random(seed)
    result: list[Window] = []
    for family in sorted(pieces):
        names = sorted(pieces[family])
        for piece in rng.sample(names, min(PIECES_PER_FAMILY, len(names))):
            cut = [w for m in pieces[family][piece] for w in line_windows(
                m.notes, m.bars, m.meter, normalised_tonic(m.mode), m.mode, piece, family)]
            result += rng.sample(cut, min(WINDOWS_PER_PIECE, len(cut)))
    return result


@dataclass
class GenreClassifier:
    """A standardised multinomial logistic regression over `FEATURE_NAMES` (scikit-learn): a plain learner
    whose weights can be read, trained with balanced family weights so thin families count."""

    pipeline: object
    families: tuple[str, ...]

    def probabilities(self, rows: Sequence[np.ndarray]) -> np.ndarray:
        """Family probabilities per row, columns in `self.families` order."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return self.pipeline.predict_proba(np.vstack(rows))

    def label(self, rows: Sequence[np.ndarray]) -> str:
        """The family of a whole piece from its windows: the one with the highest mean probability."""
        return self.families[int(np.argmax(self.probabilities(rows).mean(axis=0)))]


def fit(train: Sequence[Window], c: float = 0.3) -> GenreClassifier:
    """Fit the classifier on labelled windows. One BLAS thread: on a machine whose cores are busy (a model
    training beside it), OpenBLAS's spinning threads made this small fit take 50 s instead of 0.7 s."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    labels = [w.family for w in train]
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=3000))
    with threadpool_limits(1):
        pipeline.fit(np.vstack([w.features for w in train]), labels)
    return GenreClassifier(pipeline, tuple(str(f) for f in pipeline.classes_))


def piece_folds(data: Sequence[Window], folds: int = 5, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """(train, held-out) window indices for each fold, every piece wholly on one side and each family's
    pieces spread over the folds (scikit-learn's StratifiedGroupKFold)."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    labels = [w.family for w in data]
    groups = [w.piece for w in data]
    return [(list(a), list(b)) for a, b in splitter.split(np.zeros(len(data)), labels, groups)]


@dataclass(frozen=True)
class HeldOut:
    """Held-out accuracy on real pieces: each piece labelled by a classifier that never saw it."""

    window_accuracy: dict[str, float]
    piece_accuracy: dict[str, float]
    pieces: dict[str, int]
    windows: dict[str, int]
    confusion: dict[str, dict[str, int]]
    """Asked family -> family the held-out pieces were labelled as -> pieces."""

    @property
    def mean_piece_accuracy(self) -> float:
        return round(float(np.mean(list(self.piece_accuracy.values()))), 4)

    def as_dict(self) -> dict[str, object]:
        return {"piece_accuracy": self.piece_accuracy, "window_accuracy": self.window_accuracy,
                "mean_piece_accuracy": self.mean_piece_accuracy, "chance": round(1 / len(self.pieces), 4),
                "pieces": self.pieces, "windows": self.windows, "confusion": self.confusion}


def held_out(data: Sequence[Window], folds: int = 5, seed: int = 0) -> HeldOut:
    """Cross-validated by piece: every window and piece is labelled by the fold's classifier that was trained
    without it. Per family: the share of windows, and of pieces (by `GenreClassifier.label`), labelled right."""
    right_windows: Counter[str] = Counter()
    right_pieces: Counter[str] = Counter()
    n_windows: Counter[str] = Counter()
    n_pieces: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {}
    for train_index, test_index in piece_folds(data, folds, seed):
        classifier = fit([data[i] for i in train_index])
        by_piece: dict[str, list[Window]] = {}
        for i in test_index:
            by_piece.setdefault(data[i].piece, []).append(data[i])
        for members in by_piece.values():
            family = str(members[0].family)
            probs = classifier.probabilities([w.features for w in members])
            labels = [classifier.families[int(k)] for k in probs.argmax(axis=1)]
            right_windows[family] += sum(label == family for label in labels)
            n_windows[family] += len(members)
            piece_label = classifier.families[int(np.argmax(probs.mean(axis=0)))]
            right_pieces[family] += piece_label == family
            n_pieces[family] += 1
            confusion.setdefault(family, Counter())[piece_label] += 1
    families = sorted(n_pieces)
    return HeldOut(
        window_accuracy={f: round(right_windows[f] / n_windows[f], 4) for f in families},
        piece_accuracy={f: round(right_pieces[f] / n_pieces[f], 4) for f in families},
        pieces={f: n_pieces[f] for f in families}, windows={f: n_windows[f] for f in families},
        confusion={f: dict(confusion[f].most_common()) for f in families})
