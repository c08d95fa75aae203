"""The chord of each bar under a lead line: the written chord symbols, or the triad the other tracks play.

Written symbols (MuseScore's harmony) win: a bar's chord is the symbol sounding longest in it. Without them
the bar is listened to like `composer.learn.chords_heard` listens to Motif's own files: every other pitched,
non-drum track's notes weigh their pitch classes (bass notes heavier) and the best-fitting triad is the
chord. A bar whose accompaniment is too thin or too far from any triad has no chord (None), so the model is
never taught a guess. Symbols are written in the normalised key (C major / A minor), as `Spec.chords` are.
"""

from __future__ import annotations

import numpy as np

from composer.learn.analyze import HeardNote
from composer.learn.chords_heard import best_triad, slot_weights, triad_pcs
from composer.learn.debian.song import Song
from prompts.music import CHORD_SUFFIX, MAJOR_KEY_SPELLING, chord_symbol

MIN_BAR_WEIGHT_Q = 1.0
"""Sounding quarters of accompaniment a bar needs before its chord is heard at all."""
MUSESCORE_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("min", "m"), ("mi", "m"), ("-", "m"), ("Maj", "maj"), ("ma", "maj"), ("^", "maj"), ("t", "maj"),
    ("0", "m7b5"), ("ø", "m7b5"), ("o", "dim"), ("sus", "sus4"), ("aug", "+"), ("6/9", "69"),
)
"""How MuseScore's chord-name texts write what `prompts.music.CHORD_SUFFIX` writes ("mi7" -> "m7")."""
QUALITY_OF_SUFFIX: dict[str, str] = {suffix: quality for quality, suffix in CHORD_SUFFIX.items()}
MIN_TRIAD_SHARE = 0.6
"""Share of a bar's weight the heard triad's three notes must hold (less is a cluster or a passing mess)."""


def bar_chords(song: Song, lead_index: int, shift: int, first_bar: int, bars: int) -> tuple[list[str | None], str]:
    """One chord symbol (or None) per bar of [first_bar, first_bar + bars), moved by `shift` semitones, and
    where they come from ("harmony" written, "heard" from the other tracks)."""
    if song.harmony:
        return _written(song, shift, first_bar, bars), "harmony"
    notes = [HeardNote(p, o, o + d, 1, max(0, t.program)) for i, t in enumerate(song.tracks)
             if i != lead_index and not t.is_drum for p, o, d in t.notes]
    bar_q = song.bar_quarters
    chords: list[str | None] = []
    for bar in range(first_bar, first_bar + bars):
        weights = slot_weights(notes, bar * bar_q, (bar + 1) * bar_q)
        chords.append(_heard(weights, shift))
    return chords, "heard"


def _heard(weights: np.ndarray, shift: int) -> str | None:
    total = float(weights.sum())
    if total < MIN_BAR_WEIGHT_Q:
        return None
    root, quality = best_triad(weights)
    share = sum(float(weights[pc]) for pc in triad_pcs(root, quality)) / total
    if share < MIN_TRIAD_SHARE:
        return None
    return _spelled(root + shift, quality)


def _spelled(root_pc: int, quality: str) -> str:
    """A heard triad as a normalised symbol, spelled as in C major (Bb, Eb, F#)."""
    suffix = {"maj": "", "min": "m", "dim": "dim", "aug": "+", "sus4": "sus4", "sus2": "sus2"}[quality]
    return MAJOR_KEY_SPELLING[root_pc % 12] + suffix


def _written(song: Song, shift: int, first_bar: int, bars: int) -> list[str | None]:
    """Per bar, the written symbol that sounds longest in it (a symbol lasts until the next one)."""
    bar_q = song.bar_quarters
    spans = [(h.onset_q, song.harmony[i + 1].onset_q if i + 1 < len(song.harmony) else float("inf"), h)
             for i, h in enumerate(song.harmony)]
    chords: list[str | None] = []
    for bar in range(first_bar, first_bar + bars):
        start, end = bar * bar_q, (bar + 1) * bar_q
        overlaps = [(min(e, end) - max(s, start), h) for s, e, h in spans if min(e, end) > max(s, start)]
        if not overlaps:
            chords.append(None)
            continue
        _, harmony = max(overlaps, key=lambda row: row[0])
        chords.append(_symbol(MAJOR_KEY_SPELLING[(harmony.root_pc + shift) % 12], harmony.quality))
    return chords


def _symbol(root: str, written: str) -> str | None:
    """A written quality (MuseScore's "mi7b5", "ma7", "7b9") as a normalised symbol: the quality itself when
    it is one Motif names, else the longest named prefix ("m11b13" -> "m11"); None if nothing fits."""
    text = written.replace("(", "").replace(")", "").strip()
    for theirs, ours in MUSESCORE_SPELLINGS:
        text = text.replace(theirs, ours) if not text.startswith("maj") or theirs != "ma" else text
    text = text.replace("sus44", "sus4").replace("sus42", "sus2").replace("m7b5b5", "m7b5")
    for end in range(len(text), -1, -1):
        if text[:end] in QUALITY_OF_SUFFIX:
            return chord_symbol(root, QUALITY_OF_SUFFIX[text[:end]])
    return None
