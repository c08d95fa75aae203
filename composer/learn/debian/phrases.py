"""A song's lead line as corpus records: key-normalised, cut into phrases of whole bars, chords per bar.

The records have the schema of `composer/data/melodies.jsonl.gz` (see `composer.melody.corpus.Melody`), so
every reader of melodies reads them, plus what only these sources know: the genre `family`, the `chords`
per bar, where the chords come from, the `licence`, the lead `track`, and the `piece` every phrase of one
song shares (the train/valid/test split is made by piece, so no song is on both sides). A phrase is at most
`PHRASE_BARS` bars (the longest window the training code makes), starting from the lead's first bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from composer.learn.debian.chords import bar_chords
from composer.learn.debian.lead import pick_lead, skyline, song_key
from composer.learn.debian.song import Song
from composer.learn.extract import MIN_NOTES, ExtractError, quantise, transpose_shift

PHRASE_BARS = 16


@dataclass(frozen=True)
class Labels:
    """What the build knows of a piece beyond its file: its source, genre family and licence."""

    source: str
    family: str
    licence: str


def song_records(song: Song, labels: Labels) -> list[dict[str, Any]]:
    """The phrase records of one song; ExtractError when it has no usable lead line."""
    choice = pick_lead(song)
    if choice is None:
        raise ExtractError("no pitched track with enough notes")
    line = skyline(choice.track.notes, song.meter_end_q)
    if len(line) < MIN_NOTES:
        raise ExtractError(f"lead has only {len(line)} notes")
    key = song_key(song)
    shift = transpose_shift(key)
    bar_q = song.bar_quarters
    first_bar, last_bar = int(line[0][1] // bar_q), int(line[-1][1] // bar_q)
    piece = f"{labels.source}/{song.piece}"
    records = []
    for number, first in enumerate(range(first_bar, last_bar + 1, PHRASE_BARS)):
        start, end = first * bar_q, (first + PHRASE_BARS) * bar_q
        notes = [[p + shift, quantise(o - start), quantise(min(d, end - o))] for p, o, d in line if start <= o < end]
        if len(notes) < MIN_NOTES:
            continue
        bars = int(math.ceil(max(o + d for _, o, d in notes) / bar_q - 1e-6))
        chords, origin = bar_chords(song, choice.index, shift, first, bars)
        records.append({
            "id": f"{piece}#{number:03d}", "source": labels.source, "title": song.title, "meter": song.meter,
            "mode": key.mode, "tonic_pc": key.tonic_pc, "tempo_bpm": int(round(song.tempo_bpm)), "dance": None,
            "bars": bars, "pickup_ql": quantise(song.pickup_q) if first == 0 else 0.0, "notes": notes,
            "piece": piece, "family": labels.family, "licence": labels.licence, "track": choice.track.name,
            "chords": chords if any(chords) else None, "chords_from": origin if any(chords) else None,
        })
    if not records:
        raise ExtractError("no phrase with enough notes")
    return records
