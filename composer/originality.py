"""The originality guard: how long a stretch of a new melody copies a melody Motif learned from.

Each melody becomes a string of symbols (interval to the next note, inter-onset interval in 1/12 quarter),
so a match is the same intervals and the same rhythm in any key. The index holds every corpus melody's
symbols in one array; a query seeds with k-gram hashes (sorted array + searchsorted) and extends all hits
at once with numpy. A melody whose longest match reaches the threshold (default 12 notes) is a near-copy
and must not be posted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

INDEX_PATH = Path(__file__).parent / "data" / "originality.npz"
LEADS_DIR = Path(__file__).parent / "data" / "leads"
"""The Debian lead lines the model also learned from (`composer.melody.corpus.LEADS_DIR`). They are indexed
when the guard loads, from their own files, so no derived file mixes their licences with the corpus's."""
DEFAULT_THRESHOLD_NOTES = 12
SEED = 3
"""Symbols per seed k-gram: matches shorter than SEED + 1 notes are reported as such a length at most."""
GRID = 12


@dataclass(frozen=True)
class OriginalityReport:
    """The longest copied stretch (in notes), where it comes from, and whether the melody may be posted."""

    longest_match_notes: int
    source: str | None
    passed: bool
    threshold_notes: int

    def to_dict(self) -> dict[str, object]:
        return {"longest_match_notes": self.longest_match_notes, "source": self.source, "passed": self.passed,
                "threshold_notes": self.threshold_notes}


@dataclass(frozen=True)
class Screening:
    """One melody checked against the corpus: the report, how long the check took, and whether it was let
    through because the piece it was remixed from already carried that much of the same tune."""

    report: OriginalityReport
    elapsed_ms: float
    inherited: bool = False
    """Past the threshold, but no further than the parent's own match (a user's upload of a known tune): the
    user's material, so it passes."""

    @property
    def passed(self) -> bool:
        return self.report.passed or self.inherited


def screen(index: OriginalityIndex, piece, inherited_notes: int = 0) -> Screening:
    """The originality check every path runs (compose retries on a failure, a remix is refused): the piece's
    tune against the corpus. A near-copy that Motif wrote fails; one no longer than `inherited_notes` (the
    longest match of the piece a remix starts from) is what the parent already was, and passes."""
    start = time.perf_counter()
    report = index.check(tune_of(piece))
    elapsed_ms = (time.perf_counter() - start) * 1000.0
    return Screening(report, elapsed_ms, not report.passed and report.longest_match_notes <= inherited_notes)


def originality_record(report: OriginalityReport | None, attempts: int = 1, rejected: int = 0,
                       inherited: bool = False) -> dict[str, Any] | None:
    """The originality JSON stored with a generation (None when unchecked): the report, how many pieces were
    drawn and how many dropped as copies, and `inherited` when a remix passed on its parent's match."""
    if report is None:
        return None
    record: dict[str, Any] = report.to_dict() | {"attempts": attempts, "rejected_copies": rejected}
    if inherited:
        record |= {"passed": True, "inherited": True}
    return record


def tune_of(piece) -> list[tuple[int, float, float]]:
    """The tune a listener hears in a Piece's melody part: its skyline, one note per onset, so a solo
    keyboard's or choir's accompaniment in the same part does not hide a copied melody from the guard."""
    from composer.lines import melody_line

    return [(n.pitch, n.start, n.duration) for n in melody_line(piece.melody())]


def symbols(notes: Iterable[tuple[int, float, float]]) -> np.ndarray:
    """(n-1) int32 symbols for n notes sorted by onset: interval * 1024 + inter-onset interval in grid units."""
    rows = sorted(notes, key=lambda n: n[1])
    if len(rows) < 2:
        return np.zeros(0, dtype=np.int32)
    pitch = np.array([p for p, _, _ in rows], dtype=np.int32)
    onset = np.array([round(o * GRID) for _, o, _ in rows], dtype=np.int32)
    interval = np.clip(np.diff(pitch), -48, 48) + 48
    ioi = np.clip(np.diff(onset), 0, 1023)
    return (interval * 1024 + ioi).astype(np.int32)


def kgram_hashes(sym: np.ndarray, k: int = SEED) -> np.ndarray:
    """A 64-bit hash of every window of k symbols (polynomial, wrapping arithmetic)."""
    if len(sym) < k:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(len(sym) - k + 1, dtype=np.uint64)
    mult = np.uint64(1_000_003)
    for j in range(k):
        h = h * mult + sym[j: len(sym) - k + 1 + j].astype(np.uint64)
    return h


class OriginalityIndex:
    """All corpus melodies' symbols, with a sorted k-gram table for lookups."""

    def __init__(self, concatenated: np.ndarray, offsets: np.ndarray, ids: list[str]) -> None:
        self.sym = concatenated
        self.offsets = offsets
        self.ids = ids
        self.piece_of = np.repeat(np.arange(len(ids)), np.diff(offsets))
        hashes, starts = [], []
        for i in range(len(ids)):
            h = kgram_hashes(concatenated[offsets[i]: offsets[i + 1]])
            hashes.append(h)
            starts.append(np.arange(len(h), dtype=np.int64) + offsets[i])
        all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
        order = np.argsort(all_hashes, kind="stable")
        self.hashes = all_hashes[order]
        self.starts = (np.concatenate(starts) if starts else np.zeros(0, np.int64))[order]

    @classmethod
    def from_melodies(cls, melodies: Iterable[tuple[str, list[tuple[int, float, float]]]]) -> OriginalityIndex:
        ids, parts = [], []
        for piece_id, notes in melodies:
            ids.append(piece_id)
            parts.append(symbols(notes))
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
        return cls(np.concatenate(parts) if parts else np.zeros(0, np.int32), offsets, ids)

    def save(self, path: Path = INDEX_PATH) -> None:
        np.savez_compressed(path, sym=self.sym, offsets=self.offsets, ids=np.array(self.ids))

    @classmethod
    def load(cls, path: Path = INDEX_PATH, leads: Path | None = LEADS_DIR) -> OriginalityIndex:
        """The committed corpus index, joined by every lead line in `leads` (None: the corpus alone): the guard
        checks a new melody against all the music the model learned from."""
        with np.load(path) as data:
            sym, offsets, ids = data["sym"], data["offsets"], [str(x) for x in data["ids"]]
        if leads is not None and leads.is_dir():
            from composer.melody.corpus import load_melodies

            extra = [(m.id, symbols(m.notes)) for m in load_melodies(leads)]
            if extra:
                sym = np.concatenate([sym, *(part for _, part in extra)]).astype(sym.dtype)
                offsets = np.concatenate([offsets, offsets[-1] + np.cumsum([len(p) for _, p in extra])]).astype(np.int64)
                ids = ids + [name for name, _ in extra]
        return cls(sym, offsets, ids)

    def longest_match(self, notes: list[tuple[int, float, float]]) -> tuple[int, str | None]:
        """(notes in the longest stretch shared with one corpus melody, that melody's id)."""
        query = symbols(notes)
        best_len, best_piece = 0, None
        for q_start, h in enumerate(kgram_hashes(query)):
            lo, hi = np.searchsorted(self.hashes, h, "left"), np.searchsorted(self.hashes, h, "right")
            if lo == hi:
                continue
            length, piece = self._extend(query, q_start, self.starts[lo:hi])
            if length > best_len:
                best_len, best_piece = length, piece
        return (best_len + 1 if best_len else 0), (self.ids[best_piece] if best_piece is not None else None)

    def _extend(self, query: np.ndarray, q_start: int, starts: np.ndarray) -> tuple[int, int | None]:
        """Longest run of equal symbols from `q_start` against every candidate start, all at once."""
        ends = self.offsets[self.piece_of[starts] + 1]
        length = np.zeros(len(starts), dtype=np.int64)
        alive = np.ones(len(starts), dtype=bool)
        for step in range(len(query) - q_start):
            pos = starts + step
            ok = alive & (pos < ends)
            ok[ok] = self.sym[pos[ok]] == query[q_start + step]
            alive = ok
            if not alive.any():
                break
            length[alive] += 1
        best = int(np.argmax(length))
        return int(length[best]), (int(self.piece_of[starts[best]]) if length[best] else None)

    def check(self, notes: list[tuple[int, float, float]], threshold: int = DEFAULT_THRESHOLD_NOTES
              ) -> OriginalityReport:
        length, source = self.longest_match(notes)
        return OriginalityReport(length, source, length < threshold, threshold)
