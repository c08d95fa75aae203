"""Reading a finished piece: the tune inside a part, pitch moves, and chords read from notes.

Used wherever Motif starts from notes rather than a plan: remixes (`composer.remix`), uploaded MIDI
(`composer.upload`) and the originality check (`composer.originality`).

A solo keyboard part carries its left hand in the melody track, and a user's MIDI file carries no harmony
plan, so a remix first needs the melody line (the skyline) and a chord per bar it can re-arrange around.
"""

from __future__ import annotations

import heapq
from dataclasses import replace

from composer.harmony.plan import SYMBOL_SUFFIX, prefers_flats
from composer.piece import Chord, Note, Track
from composer.ranges import instrument_range
from composer.theory import MODE_INTERVALS, PITCH_CLASSES, chord_pcs, fit_range, pc_name, tonic_pc
from prompts.music import split_chord_symbol
from prompts.spec import Spec

EPS = 1e-6
CHORD_QUALITIES = ("maj", "min", "7", "dim")
"""What chord reading chooses from: triads and the dominant seventh cover most tonal music well enough."""
_QUALITY_PRIOR = {"maj": 0.0, "min": 0.0, "7": -0.15, "dim": -0.3}


def copy_notes(notes: list[Note]) -> list[Note]:
    """Fresh Note objects, so editing a remix never changes the parent Piece."""
    return [Note(n.pitch, n.start, n.duration, n.velocity) for n in notes]


def copy_track(track: Track, **changes: object) -> Track:
    """A deep copy of a track (notes included), with some fields changed."""
    fresh = Track(track.name, track.program, track.role, copy_notes(track.notes), track.is_drum)
    return replace(fresh, **changes) if changes else fresh


def is_line_note(note: Note, notes: list[Note]) -> bool:
    """True when no higher note of `notes` is already sounding (or starts) at this note's onset."""
    for other in notes:
        if other is note or other.pitch <= note.pitch:
            continue
        if other.start <= note.start + EPS and other.end > note.start + EPS:
            return False
    return True


def _on_top(ordered: list[Note]) -> list[bool]:
    """`is_line_note` for every note of `ordered` (sorted by onset) in one sweep, O(n log n): a max-heap of
    the notes begun so far by pitch, dropping those ended by the current onset. Asking `is_line_note` of
    each note compares all pairs, which took 25 s for an uploaded part of 20,000 overlapping notes."""
    sounding: list[tuple[int, float]] = []  # (-pitch, end)
    flags: list[bool] = []
    begun = 0
    for note in ordered:
        onset = note.start + EPS
        while begun < len(ordered) and ordered[begun].start <= onset:
            heapq.heappush(sounding, (-ordered[begun].pitch, ordered[begun].end))
            begun += 1
        while sounding and sounding[0][1] <= onset:
            heapq.heappop(sounding)
        flags.append(not sounding or -sounding[0][0] <= note.pitch)
    return flags


def melody_line(track: Track | None) -> list[Note]:
    """The tune of a melody part: the skyline, so a solo keyboard's left hand is left out.

    A part that is already a single line comes back whole (as copies), in time order.
    """
    if track is None or track.is_drum:
        return []
    ordered = sorted(track.notes, key=lambda n: (n.start, -n.pitch))
    line = [n for n, on_top in zip(ordered, _on_top(ordered), strict=True) if on_top]
    kept: list[Note] = []
    for note in line:  # one note per onset: the highest
        if kept and abs(kept[-1].start - note.start) < EPS:
            continue
        kept.append(note)
    return copy_notes(_without_dips(kept))


DIP_SEMITONES = 12
"""How far below both neighbours a note on top must lie to be the accompaniment heard through the tune's
rest rather than the tune (a left-hand chord under a melody rest): more than an octave below the line notes
either side of it. A tune that leaps an octave down and straight back is rare; a left hand under a rest is
not, and one such note splits a copied melody in two for the originality guard."""


def _without_dips(line: list[Note]) -> list[Note]:
    """The skyline without the notes that dip more than DIP_SEMITONES below the line on both sides: below the
    last note kept, and below the next note back in that register (a run of left-hand notes in a rest goes
    as a whole)."""
    kept: list[Note] = []
    for i, note in enumerate(line):
        if kept and kept[-1].pitch - note.pitch > DIP_SEMITONES:
            floor = kept[-1].pitch - DIP_SEMITONES
            back = next((n.pitch for n in line[i + 1:] if n.pitch >= floor), None)
            if back is not None and back - note.pitch > DIP_SEMITONES:
                continue
        kept.append(note)
    return kept


def line_indices(track: Track) -> set[int]:
    """Indices (into `track.notes`) of the notes that form its melody line."""
    line = {(n.pitch, round(n.start, 6)) for n in melody_line(track)}
    return {i for i, n in enumerate(track.notes) if (n.pitch, round(n.start, 6)) in line}


def map_pitch(pitch: int, source: tuple[int, str], target: tuple[int, str]) -> int:
    """Move a pitch from one key to another by scale degree (C major E -> C minor Eb).

    Keys are (tonic pitch class, mode). A chromatic note keeps its offset from the degree below it; the
    two tonics are aligned by the nearer way, so a melody moves at most a tritone.
    """
    src_tonic, src_mode = source
    dst_tonic, dst_mode = target
    tonic_move = (dst_tonic - src_tonic + 6) % 12 - 6
    offset = (pitch - src_tonic) % 12
    src_steps, dst_steps = MODE_INTERVALS[src_mode], MODE_INTERVALS[dst_mode]
    degree = max(k for k in range(7) if src_steps[k] <= offset)
    return pitch + tonic_move + dst_steps[degree] - src_steps[degree]


def remap_notes(notes: list[Note], source: tuple[int, str], target: tuple[int, str]) -> list[Note]:
    """Notes moved into another key: kept as they are when both keys use the same seven notes
    (a relative key), else mapped by scale degree."""
    same = set(_scale(*source)) == set(_scale(*target))
    if same:
        return copy_notes(notes)
    return [Note(map_pitch(n.pitch, source, target), n.start, n.duration, n.velocity) for n in notes]


def _scale(tonic: int, mode: str) -> tuple[int, ...]:
    return tuple((tonic + step) % 12 for step in MODE_INTERVALS[mode])


def fit_notes(notes: list[Note], program: int) -> None:
    """Keep a part inside its instrument's range: the smallest whole-octave move that fits the most notes,
    then any note still outside folded by octaves (in place)."""
    if not notes:
        return
    low, high = instrument_range(program)
    pitches = [n.pitch for n in notes]
    shift = min((0, -12, 12, -24, 24, -36, 36),
                key=lambda s: (sum(1 for p in pitches if not low <= p + s <= high), abs(s)))
    for note in notes:
        note.pitch = fit_range(note.pitch + shift, low, high)


def chord_symbol(root_pc: int, quality: str, bass_pc: int | None, spec: Spec) -> str:
    """A readable chord name spelled for the key (Bb rather than A# in F major)."""
    flats = prefers_flats(spec.tonic, spec.mode)
    symbol = pc_name(root_pc, flats) + SYMBOL_SUFFIX.get(quality, quality)
    return symbol if bass_pc is None else f"{symbol}/{pc_name(bass_pc, flats)}"


def transpose_chord(chord: Chord, semitones: int, spec: Spec) -> Chord:
    """A chord moved by `semitones`, re-spelled for `spec`'s key."""
    root = (chord.root_pc + semitones) % 12
    bass = None if chord.bass_pc is None else (chord.bass_pc + semitones) % 12
    return Chord(chord.start, chord.duration, root, chord.quality, chord_symbol(root, chord.quality, bass, spec), bass)


def transpose_chords(chords: list[Chord], semitones: int, spec: Spec) -> list[Chord]:
    """The harmony plan moved with the notes, re-spelled for the new key."""
    return [transpose_chord(c, semitones, spec) for c in chords]


def transpose_symbols(symbols: tuple[str, ...], semitones: int, spec: Spec) -> tuple[str, ...]:
    """A user's progression (normalised symbols) moved with the notes, spelled for the new key."""
    moved = []
    for symbol in symbols:
        root, quality, bass = split_chord_symbol(symbol)
        bass_pc = None if bass is None else (PITCH_CLASSES[bass] + semitones) % 12
        moved.append(chord_symbol((PITCH_CLASSES[root] + semitones) % 12, quality, bass_pc, spec))
    return tuple(moved)


def clip_chords(chords: list[Chord], start: float, end: float, offset: float = 0.0) -> list[Chord]:
    """The chords sounding inside [start, end), cut to it and moved by `offset`."""
    clipped = []
    for c in chords:
        lo, hi = max(c.start, start), min(c.end, end)
        if hi - lo > EPS:
            clipped.append(Chord(lo + offset, hi - lo, c.root_pc, c.quality, c.symbol, c.bass_pc))
    return clipped


def infer_chords(tracks: list[Track], spec: Spec) -> list[Chord]:
    """A chord per bar read from the notes (duration-weighted pitch classes against chord templates).

    Used for material without Motif's chord markers (a user's MIDI file) so it can be re-arranged; a bar
    with no pitched notes repeats the chord before it, and the key's tonic chord fills the start.
    """
    bar_q = spec.bar_quarters
    notes = [n for t in tracks if not t.is_drum for n in t.notes]
    key = (tonic_pc(spec.tonic), spec.mode)
    home = (key[0], "min" if spec.is_minor_family else "maj")
    chords: list[Chord] = []
    previous = home
    for bar in range(spec.bars):
        weights = _bar_weights(notes, bar * bar_q, (bar + 1) * bar_q)
        best = _best_chord(weights, key) if any(weights) else previous
        chords.append(Chord(bar * bar_q, bar_q, best[0], best[1], chord_symbol(best[0], best[1], None, spec)))
        previous = best
    return _merge(chords)


def _bar_weights(notes: list[Note], start: float, end: float) -> list[float]:
    weights = [0.0] * 12
    lowest: tuple[int, float] | None = None
    for n in notes:
        overlap = min(n.end, end) - max(n.start, start)
        if overlap > EPS:
            weights[n.pitch % 12] += overlap
            if lowest is None or n.pitch < lowest[0]:
                lowest = (n.pitch, overlap)
    if lowest is not None:  # the bass note counts double: it usually names the root
        weights[lowest[0] % 12] += lowest[1]
    return weights


def _best_chord(weights: list[float], key: tuple[int, str]) -> tuple[int, str]:
    total = sum(weights) or 1.0
    diatonic = set(_scale(*key))
    best: tuple[float, int, str] | None = None
    for root in range(12):
        for quality in CHORD_QUALITIES:
            tones = set(chord_pcs(root, quality))
            inside = sum(weights[pc] for pc in tones) / total
            score = inside - 0.6 * (1 - inside) + _QUALITY_PRIOR[quality] + 0.1 * weights[root] / total
            if tones <= diatonic:
                score += 0.1
            if root == key[0]:
                score += 0.05
            if best is None or score > best[0] + EPS:
                best = (score, root, quality)
    assert best is not None
    return best[1], best[2]


def _merge(chords: list[Chord]) -> list[Chord]:
    merged: list[Chord] = []
    for c in chords:
        if merged and merged[-1].symbol == c.symbol:
            last = merged[-1]
            merged[-1] = Chord(last.start, last.duration + c.duration, last.root_pc, last.quality, last.symbol)
        else:
            merged.append(c)
    return merged

