"""A Markov-chain melody model: the baseline the learned model must beat, and the default melody engine.

A note is two symbols predicted one after the other:
- rhythm: its inter-onset interval class, given the metric position where it starts and the two previous
  classes (tables per meter family: duple, triple, compound);
- pitch: its scale degree relative to the tonic, with octave and a chromatic flag, given the two previous
  degrees, its metric position and its own duration class (tables per mode family: major-like,
  minor-like).
Degrees rather than semitones let one table serve every mode of the family (dorian borrows from minor,
mixolydian from major). Probabilities are Witten-Bell interpolated from order 2 down to a uniform floor,
so every test note gets an honest, finite probability.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from composer.theory import MODE_INTERVALS, mode_family
from prompts.music import MODE_FAMILIES

DEFAULT_MODEL_PATH = Path(__file__).parents[1] / "data" / "markov.json.gz"

DURATIONS_QL: tuple[float, ...] = (
    1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1.0, 4 / 3, 3 / 2, 2.0, 5 / 2, 3.0, 4.0, 6.0, 8.0,
)
"""Inter-onset interval classes in quarter notes; any interval maps to the nearest on a log scale."""

DEGREE_LOW, DEGREE_HIGH = -14, 21
"""Scale degrees kept, relative to the reference tonic (C4 = 60 for major-like, A3 = 57 for minor-like)."""

N_DEGREES = DEGREE_HIGH - DEGREE_LOW + 1
N_PITCH_STATES = 2 * N_DEGREES
N_METRIC = 5
START = -1
"""Context value before the first note."""

METER_FAMILIES: tuple[str, ...] = ("duple", "triple", "compound")


class MarkovError(ValueError):
    """A model file that cannot be read, or a melody the model cannot score."""


# ---------------------------------------------------------------- meter


@dataclass(frozen=True)
class MeterGrid:
    """Where the beats fall in a bar: why notes on beat 1 are treated differently from off-beats."""

    bar_ql: float
    beat_ql: float
    sub_ql: float
    group_starts: tuple[float, ...]
    family: str

    def metric_class(self, onset_ql: float) -> int:
        """0 downbeat, 1 start of a beat group (mid-bar), 2 beat, 3 beat subdivision, 4 anything finer."""
        pos = onset_ql % self.bar_ql
        if _near(pos, 0.0) or _near(pos, self.bar_ql):
            return 0
        if any(_near(pos, g) for g in self.group_starts):
            return 1
        if _near(pos / self.beat_ql, round(pos / self.beat_ql)):
            return 2
        if _near(pos / self.sub_ql, round(pos / self.sub_ql)):
            return 3
        return 4


def _near(a: float, b: float) -> bool:
    return abs(a - b) < 1e-4


def meter_grid(time_signature: str) -> MeterGrid:
    """The beat grid of a time signature; unusual meters (5/4, 7/8) get additive groups (3+2, 2+2+3)."""
    try:
        num, den = (int(x) for x in time_signature.split("/"))
    except ValueError as exc:
        raise MarkovError(f"bad time signature {time_signature!r}") from exc
    if num <= 0 or den <= 0:
        raise MarkovError(f"bad time signature {time_signature!r}")
    unit = 4.0 / den
    bar = num * unit
    if num in (6, 9, 12):
        beat = 3 * unit
        groups = (bar / 2,) if num == 12 else ()
        return MeterGrid(bar, beat, unit, groups, "compound")
    if num == 3:
        return MeterGrid(bar, unit, unit / 2, (), "triple")
    if num == 4:
        return MeterGrid(bar, unit, unit / 2, (2 * unit,), "duple")
    if num in (5, 7):
        groups = (3 * unit,) if num == 5 else (2 * unit, 4 * unit)
        return MeterGrid(bar, unit, unit / 2, groups, "duple")
    return MeterGrid(bar, unit, unit / 2, (), "duple" if num % 3 else "triple")


def duration_class(ioi_ql: float) -> int:
    """Index of the nearest duration class (log scale)."""
    if ioi_ql <= 0:
        raise MarkovError(f"non-positive inter-onset interval {ioi_ql}")
    logs = np.log(np.asarray(DURATIONS_QL))
    return int(np.argmin(np.abs(logs - math.log(ioi_ql))))


# ---------------------------------------------------------------- pitch


def reference_tonic(mode: str) -> int:
    """MIDI pitch of degree 0 for a normalised melody: C4 for major-like modes, A3 for minor-like."""
    return 60 if mode_family(mode) == "major" else 57


def pitch_state(pitch: int, mode: str, tonic: int) -> int:
    """(degree, chromatic flag) of a MIDI pitch as one index; chromatic notes count as the degree below
    raised a semitone, which is exact for the seven-note modes (no gap wider than a whole tone)."""
    steps = MODE_INTERVALS[mode]
    octave, rel = divmod(pitch - tonic, 12)
    degree = max(i for i, s in enumerate(steps) if s <= rel)
    alt = 1 if steps[degree] != rel else 0
    index = min(max(octave * 7 + degree, DEGREE_LOW), DEGREE_HIGH) - DEGREE_LOW
    return 2 * index + alt


def state_pitch(state: int, mode: str, tonic: int) -> int:
    """Inverse of `pitch_state`: the MIDI pitch of a state in `mode` on `tonic`."""
    index, alt = divmod(state, 2)
    octave, degree = divmod(index + DEGREE_LOW, 7)
    return tonic + 12 * octave + MODE_INTERVALS[mode][degree] + alt


# ---------------------------------------------------------------- counts and smoothing


@dataclass
class NGramTable:
    """Counts of next symbols per context, for contexts of every order; Witten-Bell interpolated."""

    vocab: int
    counts: dict[tuple[int, ...], dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    _cache: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict, repr=False)

    def add(self, contexts: list[tuple[int, ...]], symbol: int) -> None:
        """Count `symbol` after each of its contexts (from the empty one to the longest)."""
        if self._cache:
            self._cache.clear()
        for ctx in contexts:
            row = self.counts[ctx]
            row[symbol] = row.get(symbol, 0) + 1

    def probs(self, contexts: list[tuple[int, ...]]) -> np.ndarray:
        """P(next | contexts), interpolating from the shortest context (first) to the longest (last)."""
        key = contexts[-1]
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        p = np.full(self.vocab, 1.0 / self.vocab)
        for ctx in contexts:
            row = self.counts.get(ctx)
            if not row:
                continue
            total, distinct = sum(row.values()), len(row)
            p = p * (distinct / (total + distinct))
            for symbol, count in row.items():
                p[symbol] += count / (total + distinct)
        self._cache[key] = p
        return p

    def to_json(self) -> dict[str, Any]:
        return {"vocab": self.vocab,
                "rows": [[list(ctx), {str(k): v for k, v in row.items()}] for ctx, row in self.counts.items()]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NGramTable:
        table = cls(int(data["vocab"]))
        for ctx, row in data["rows"]:
            table.counts[tuple(ctx)] = {int(k): int(v) for k, v in row.items()}
        return table


def rhythm_contexts(metric: int, d1: int, d2: int) -> list[tuple[int, ...]]:
    """Contexts of a duration, shortest first: (metric), (metric, prev), (metric, prev, prev-but-one)."""
    return [(metric,), (metric, d1), (metric, d1, d2)]


def pitch_contexts(metric: int, dur: int, s1: int, s2: int) -> list[tuple[int, ...]]:
    """Contexts of a pitch state, shortest first: (), (prev), (prev, metric class, own duration class),
    (prev, prev-but-one, metric class, own duration class). The rhythm symbol is drawn first, so the
    pitch may depend on it: long notes on downbeats settle on stable degrees."""
    return [(), (s1,), (s1, metric, dur), (s1, s2, metric, dur)]


# ---------------------------------------------------------------- the model


@dataclass
class MarkovModel:
    """Rhythm tables per meter family and pitch tables per mode family (see the module docstring)."""

    rhythm: dict[str, NGramTable]
    pitch: dict[str, NGramTable]
    trained_on: int = 0

    @classmethod
    def empty(cls) -> MarkovModel:
        return cls({f: NGramTable(len(DURATIONS_QL)) for f in METER_FAMILIES},
                   {f: NGramTable(N_PITCH_STATES) for f in MODE_FAMILIES})

    def duration_probs(self, family: str, metric: int, d1: int, d2: int) -> np.ndarray:
        """P(next duration class) in a meter family, after duration classes d1 (last) and d2."""
        return self.rhythm[family].probs(rhythm_contexts(metric, d1, d2))

    def pitch_probs(self, family: str, metric: int, dur: int, s1: int, s2: int) -> np.ndarray:
        """P(next pitch state) in a mode family, after states s1 (last) and s2, for a note of duration
        class `dur` starting at metric class `metric`."""
        return self.pitch[family].probs(pitch_contexts(metric, dur, s1, s2))

    def note_log_probs(self, melody: Any) -> list[float]:
        """log2 P of each note (rhythm symbol + pitch symbol) of a normalised corpus `Melody`."""
        grid = meter_grid(melody.meter)
        mode_fam = mode_family(melody.mode)
        out: list[float] = []
        for metric, dur, state, prev in _symbols(melody, grid):
            p_dur = self.duration_probs(grid.family, metric, prev[0], prev[1])[dur]
            p_pitch = self.pitch_probs(mode_fam, metric, dur, prev[2], prev[3])[state]
            out.append(math.log2(p_dur) + math.log2(p_pitch))
        return out

    def log_prob(self, melody: Any) -> float:
        """Mean log2 probability per note of one melody (negative bits per note)."""
        values = self.note_log_probs(melody)
        if not values:
            raise MarkovError(f"melody {getattr(melody, 'id', '?')} has no notes")
        return sum(values) / len(values)

    def bits_per_note(self, melodies: list[Any]) -> float:
        """Cross-entropy over all notes of `melodies` in bits per note: the held-out yardstick."""
        total, count = 0.0, 0
        for melody in melodies:
            values = self.note_log_probs(melody)
            total -= sum(values)
            count += len(values)
        if count == 0:
            raise MarkovError("no notes to score")
        return total / count

    def sample(self, time_signature: str, mode: str, bars: int, rng: np.random.Generator) -> list[tuple[int, float, float]]:
        """An unconstrained melody of `bars` bars in C/A-based `mode`: (pitch, onset, duration) tuples.

        Why: a plain draw from the model, for tests and for judging what the tables learned; the
        constrained generator for users is `composer.melody.MarkovMelody`.
        """
        grid = meter_grid(time_signature)
        tonic, fam = reference_tonic(mode), mode_family(mode)
        end, onset = bars * grid.bar_ql, 0.0
        prev = [START, START, START, START]
        notes: list[tuple[int, float, float]] = []
        while onset < end - 1e-6:
            metric = grid.metric_class(onset)
            dur_p = self.duration_probs(grid.family, metric, prev[0], prev[1])
            dur = int(rng.choice(len(dur_p), p=dur_p))
            pitch_p = self.pitch_probs(fam, metric, dur, prev[2], prev[3])
            state = int(rng.choice(len(pitch_p), p=pitch_p))
            length = min(DURATIONS_QL[dur], end - onset)
            notes.append((state_pitch(state, mode, tonic), round(onset, 4), round(length, 4)))
            onset += DURATIONS_QL[dur]
            prev = [dur, prev[0], state, prev[2]]
        return notes

    def to_json(self) -> dict[str, Any]:
        return {"format": 2, "trained_on": self.trained_on, "durations_ql": list(DURATIONS_QL),
                "degree_range": [DEGREE_LOW, DEGREE_HIGH],
                "rhythm": {k: t.to_json() for k, t in self.rhythm.items()},
                "pitch": {k: t.to_json() for k, t in self.pitch.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MarkovModel:
        if data.get("format") != 2 or data.get("degree_range") != [DEGREE_LOW, DEGREE_HIGH]:
            raise MarkovError("model file was written by an incompatible version; retrain it")
        return cls({k: NGramTable.from_json(v) for k, v in data["rhythm"].items()},
                   {k: NGramTable.from_json(v) for k, v in data["pitch"].items()},
                   int(data.get("trained_on", 0)))

    def save(self, path: Path | str = DEFAULT_MODEL_PATH) -> None:
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as handle:
            json.dump(self.to_json(), handle, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL_PATH) -> MarkovModel:
        path = Path(path)
        if not path.exists():
            raise MarkovError(f"model file {path} not found; build it with `python -m composer.melody.markov train`")
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))


def _symbols(melody: Any, grid: MeterGrid) -> list[tuple[int, int, int, tuple[int, int, int, int]]]:
    """(metric class, duration class, pitch state, previous (d1, d2, s1, s2)) for each note."""
    tonic = reference_tonic(melody.mode)
    notes = melody.notes
    out = []
    prev = (START, START, START, START)
    for i, (pitch, onset, dur) in enumerate(notes):
        ioi = notes[i + 1][1] - onset if i + 1 < len(notes) else dur
        d = duration_class(ioi if ioi > 0 else dur)
        s = pitch_state(pitch, melody.mode, tonic)
        out.append((grid.metric_class(onset), d, s, prev))
        prev = (d, prev[0], s, prev[2])
    return out


def train(melodies: list[Any]) -> MarkovModel:
    """Count every note of `melodies` (normally the train split) into a fresh model."""
    model = MarkovModel.empty()
    for melody in melodies:
        grid = meter_grid(melody.meter)
        mode_fam = mode_family(melody.mode)
        for metric, dur, state, prev in _symbols(melody, grid):
            model.rhythm[grid.family].add(rhythm_contexts(metric, prev[0], prev[1]), dur)
            model.pitch[mode_fam].add(pitch_contexts(metric, dur, prev[2], prev[3]), state)
    model.trained_on = len(melodies)
    return model


def build_markov(melodies: Path | None = None, out: Path = DEFAULT_MODEL_PATH) -> dict[str, Any]:
    """Train the tables on the melodies file's train split, save them to `out`, and report bits per note on
    every split (what `motif data markov` and `python -m composer.melody.markov train` print)."""
    from composer.melody.corpus import DEFAULT_PATH, load_melodies

    by_split: dict[str, list[Any]] = defaultdict(list)
    for melody in load_melodies(melodies or DEFAULT_PATH):
        by_split[melody.split].append(melody)
    model = train(by_split["train"])
    model.save(out)
    report: dict[str, Any] = {"trained_on": model.trained_on, "out": str(out), "bytes": Path(out).stat().st_size}
    for split in ("train", "valid", "test"):
        if by_split[split]:
            report[f"{split}_bits_per_note"] = round(model.bits_per_note(by_split[split]), 4)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m composer.melody.markov train [--melodies P] [--out P]`, printing held-out bits/note."""
    from composer.melody.corpus import DEFAULT_PATH

    parser = argparse.ArgumentParser(prog="python -m composer.melody.markov")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("train", help="train on the train split and report held-out bits per note")
    cmd.add_argument("--melodies", type=Path, default=DEFAULT_PATH)
    cmd.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    print(json.dumps(build_markov(args.melodies, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
