"""Which track of a song carries the tune, its one-note-at-a-time line, and the song's key.

A song's lead is rarely marked, so it is judged like a listener would: a melody is mostly one note at a
time, sits in the middle-high register, plays through most of the piece, is on a melodic General MIDI
program (a lead synth, a horn, a reed, a flute rather than a bass or a pad), and is often named so ("lead",
"melody", "solo"). Drums are never a lead. The chosen track's skyline (highest note per onset, each note cut
at the next onset) is the line, on the corpus's 1/12-quarter grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from composer.learn.debian.song import NoteRow, Song, Track
from composer.learn.extract import KeyInfo, analysed_key, quantise

MIN_LEAD_NOTES = 16
LEAD_WORDS: tuple[str, ...] = ("lead", "melody", "melodie", "solo", "vocal", "voice", "sing", "theme", "main",
                               "sax", "trumpet", "flute", "whistle", "clarinet", "oboe", "violin i", "piccolo")
ACCOMPANIMENT_WORDS: tuple[str, ...] = ("bass", "pad", "chord", "comp", "rhythm", "accomp", "sub", "arp",
                                        "string", "choir", "organ", "back", "harm", "fx", "noise", "tuba",
                                        "trombone", "cello", "viola", "drum", "perc")
PROGRAM_BONUS: tuple[tuple[range, float], ...] = (
    (range(32, 40), -3.0),   # basses
    (range(88, 104), -1.0),  # pads and effects
    (range(48, 56), -0.5),   # ensembles and choirs
    (range(80, 88), 1.0),    # synth leads
    (range(56, 80), 0.7),    # brass, reeds, pipes
    (range(40, 42), 0.4),    # violin, viola
)
"""What a track's General MIDI program says about it being the tune."""


@dataclass(frozen=True)
class LeadChoice:
    """The chosen track and why: the score of every candidate, by track index."""

    track: Track
    index: int
    scores: dict[int, float]


def monophony(notes: list[NoteRow]) -> float:
    """Share of notes that start alone and do not overlap the next onset by more than a sixteenth."""
    if not notes:
        return 0.0
    alone = 0
    for pos, (_, onset, dur) in enumerate(notes):
        prev_onset = notes[pos - 1][1] if pos else None
        next_onset = notes[pos + 1][1] if pos + 1 < len(notes) else None
        if prev_onset != onset and (next_onset is None or (next_onset != onset and onset + dur <= next_onset + 0.25)):
            alone += 1
    return alone / len(notes)


def lead_score(track: Track, song_bars: int, bar_q: float, most_notes: int) -> float:
    """How much a track sounds like the tune (see the module's rules); higher is more likely. `most_notes`
    is the busiest pitched track's note count: a track of a few bell strokes is no tune however high."""
    notes = track.notes
    mean_pitch = sum(p for p, _, _ in notes) / len(notes)
    bars_played = len({int(onset // bar_q) for _, onset, _ in notes})
    coverage = bars_played / max(1, song_bars)
    register = 1.0 if 60 <= mean_pitch <= 84 else (-5.0 if mean_pitch < 48 else (-2.0 if mean_pitch < 55 else 0.0))
    name = f" {track.name.lower()} "
    words = (1.5 if any(w in name for w in LEAD_WORDS) else 0.0) - (1.0 if any(w in name for w in
                                                                           ACCOMPANIMENT_WORDS) else 0.0)
    program = next((bonus for span, bonus in PROGRAM_BONUS if track.program in span), 0.0)
    share = min(1.0, len(notes) / max(1.0, 0.4 * most_notes))
    return 2.0 * monophony(notes) + 3.0 * min(1.0, coverage) + 1.5 * share + register + words + program


def pick_lead(song: Song) -> LeadChoice | None:
    """The pitched track most like a tune, or None when no track has enough notes."""
    bar_q = song.bar_quarters
    end_q = max((o + d for t in song.tracks for _, o, d in t.notes), default=0.0)
    song_bars = int(end_q // bar_q) + 1
    pitched = {i: t for i, t in enumerate(song.tracks) if not t.is_drum and len(t.notes) >= MIN_LEAD_NOTES}
    most = max((len(t.notes) for t in pitched.values()), default=0)
    scores = {index: round(lead_score(track, song_bars, bar_q, most), 4) for index, track in pitched.items()}
    if not scores:
        return None
    best = max(scores, key=lambda index: (scores[index], -index))
    return LeadChoice(song.tracks[best], best, scores)


def skyline(notes: list[NoteRow], end_q: float | None = None) -> list[NoteRow]:
    """One note at a time on the 1/12 grid: the highest note per onset, each cut at the next onset;
    notes starting at or after `end_q` (where the meter changes) are left out."""
    best: dict[float, NoteRow] = {}
    for pitch, onset, dur in notes:
        if end_q is not None and onset >= end_q - 1e-9:
            continue
        at = quantise(onset)
        if at not in best or pitch > best[at][0]:
            best[at] = (pitch, at, dur)
    ordered = [best[at] for at in sorted(best)]
    line: list[NoteRow] = []
    for pos, (pitch, onset, dur) in enumerate(ordered):
        if pos + 1 < len(ordered):
            dur = min(dur, ordered[pos + 1][1] - onset)
        if end_q is not None:
            dur = min(dur, end_q - onset)
        dur = quantise(dur)
        if dur > 0:
            line.append((pitch, onset, dur))
    return line


def song_key(song: Song) -> KeyInfo:
    """The song's key by music21's key analysis over every pitched note's duration, by pitch class.

    Why all tracks: the chords say the key more surely than the tune alone (a riff can avoid the third)."""
    from music21 import note, stream

    weights = [0.0] * 12
    for track in song.tracks:
        if not track.is_drum:
            for pitch, _, dur in track.notes:
                weights[pitch % 12] += dur
    histogram = stream.Stream()
    for pc, weight in enumerate(weights):
        if weight > 0:
            histogram.append(note.Note(60 + pc, quarterLength=max(0.25, round(weight * 4) / 4)))
    if not len(histogram):
        return KeyInfo(0, "major")
    return analysed_key(histogram)
