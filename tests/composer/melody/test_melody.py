"""The Markov melody source over a grid of requests: exact bar fit, mode, harmony, cadence, register,
density, reproducibility and speed. A failing case writes its melody as MIDI to tests/_artifacts/."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from composer.melody.source import (
    CENTRE_PITCH,
    HALF_SPAN,
    MarkovMelody,
    MelodyError,
    MelodySource,
    chord_at,
    load_default_melody_source,
    phrase_lengths,
)
from composer.piece import Chord, Note
from composer.theory import MODE_INTERVALS, chord_pcs, scale_pcs, tonic_pc
from prompts.spec import MODES, Spec

ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts"
METERS = ("2/4", "3/4", "4/4", "5/4", "6/8", "7/8", "9/8", "12/8", "2/2", "6/4", "7/4")
TRIAD_QUALITY = {(4, 7): "maj", (3, 7): "min", (3, 6): "dim", (4, 8): "aug"}


def diatonic_chords(spec: Spec, degrees: tuple[int, ...] = (0, 3, 4, 0)) -> list[Chord]:
    """One diatonic triad per bar cycling through `degrees` (I IV V I by default), ending on I."""
    scale = scale_pcs(spec.tonic, spec.mode)
    chords = []
    for bar in range(spec.bars):
        degree = 0 if bar == spec.bars - 1 else degrees[bar % len(degrees)]
        root, third, fifth = (scale[(degree + k) % 7] for k in (0, 2, 4))
        quality = TRIAD_QUALITY.get(((third - root) % 12, (fifth - root) % 12), "5")
        chords.append(Chord(bar * spec.bar_quarters, spec.bar_quarters, root, quality, f"{root}{quality}"))
    return chords


def dump(name: str, spec: Spec, notes: list[Note]) -> None:
    """Write a failing melody as MIDI so a person can listen to what went wrong."""
    from symusic import Note as SNote
    from symusic import Score, Track

    ARTIFACTS.mkdir(exist_ok=True)
    score = Score(480)
    track = Track(name="melody", program=0)
    for n in notes:
        track.notes.append(SNote(int(n.start * 480), max(1, int(n.duration * 480)), n.pitch, n.velocity))
    score.tracks.append(track)
    score.dump_midi(str(ARTIFACTS / f"{name}.mid"))


@pytest.fixture(scope="module")
def source() -> MarkovMelody:
    return load_default_melody_source()


def check_melody(spec: Spec, chords: list[Chord], notes: list[Note]) -> list[bool]:
    """Assert the hard rules; return, per note starting on a downbeat, whether it is a chord tone."""
    total = spec.bars * spec.bar_quarters
    assert notes, "no notes"
    for a, b in zip(notes, notes[1:], strict=False):
        assert a.start < b.start and a.end <= b.start + 1e-6, (a, b)
    assert notes[0].start >= 0 and all(n.duration > 0 for n in notes)
    assert notes[-1].end <= total + 1e-6 and notes[-1].end >= total - spec.bar_quarters
    scale = set(scale_pcs(spec.tonic, spec.mode))
    assert all(n.pitch % 12 in scale for n in notes), "chromatic note with chromatic off"
    centre = CENTRE_PITCH + 12 * spec.register
    assert all(abs(n.pitch - centre) <= HALF_SPAN for n in notes)
    final = notes[-1]
    final_chord = chord_at(tuple(chords), final.start)
    assert final_chord is not None
    allowed = {tonic_pc(spec.tonic), *chord_pcs(final_chord.root_pc, final_chord.quality)}
    assert final.pitch % 12 in allowed
    assert final.duration >= float(np.median([n.duration for n in notes]))
    downbeats = []
    for n in notes:
        if abs(n.start / spec.bar_quarters - round(n.start / spec.bar_quarters)) < 1e-6:
            chord = chord_at(tuple(chords), n.start)
            assert chord is not None
            downbeats.append(n.pitch % 12 in chord_pcs(chord.root_pc, chord.quality))
    return downbeats


def test_grid_of_requests(source: MarkovMelody) -> None:
    downbeat_tones: list[bool] = []
    for index, (mode, meter) in enumerate((m, t) for m in MODES for t in METERS):
        for bars in range(1, 17):
            tonic = ("C", "F#", "Bb", "E", "Ab")[(index + bars) % 5]
            spec = Spec(tonic=tonic, mode=mode, time_signature=meter, bars=bars, register=(bars % 3) - 1,
                        density=((index + bars) % 5) / 4)
            chords = diatonic_chords(spec)
            notes = source.generate(spec, chords, np.random.default_rng(index * 100 + bars))
            try:
                downbeat_tones.extend(check_melody(spec, chords, notes))
            except AssertionError:
                dump(f"melody_{mode}_{meter.replace('/', '-')}_{bars}bars", spec, notes)
                raise
    ratio = sum(downbeat_tones) / len(downbeat_tones)
    assert ratio >= 0.7, f"chord tones on downbeats: {ratio:.2f}"


def test_reproducible_by_seed(source: MarkovMelody) -> None:
    spec = Spec(tonic="D", mode="dorian", time_signature="6/8", bars=8)
    chords = diatonic_chords(spec)
    a = source.generate(spec, chords, np.random.default_rng(3))
    b = source.generate(spec, chords, np.random.default_rng(3))
    c = source.generate(spec, chords, np.random.default_rng(4))
    assert a == b and a != c


def test_density_changes_note_count(source: MarkovMelody) -> None:
    def count(density: float) -> int:
        spec = Spec(time_signature="4/4", bars=8, density=density)
        return sum(len(source.generate(spec, diatonic_chords(spec), np.random.default_rng(s))) for s in range(20))

    assert count(0.95) > 1.3 * count(0.05)


def test_chromatic_notes_only_when_allowed(source: MarkovMelody) -> None:
    spec = Spec(tonic="A", mode="minor", time_signature="4/4", bars=16)
    scale = set(scale_pcs(spec.tonic, spec.mode))
    outside = 0
    for seed in range(30):
        notes = source.generate(spec, [], np.random.default_rng(seed), allow_chromatic=True)
        outside += sum(n.pitch % 12 not in scale for n in notes)
        assert notes[-1].pitch % 12 == tonic_pc("A")  # no chords: the final is the tonic
    assert outside > 0


def test_phrases_and_breaths(source: MarkovMelody) -> None:
    assert phrase_lengths(1) == [1] and phrase_lengths(8) == [4, 4] and phrase_lengths(9) == [4, 3, 2]
    assert phrase_lengths(6) == [4, 2] and phrase_lengths(16) == [4, 4, 4, 4]
    spec = Spec(time_signature="3/4", bars=16)
    gaps = 0
    for seed in range(10):
        notes = source.generate(spec, diatonic_chords(spec), np.random.default_rng(seed))
        gaps += sum(b.start - a.end > 1e-6 for a, b in zip(notes, notes[1:], strict=False))
    assert gaps > 0


def test_protocol_speed_and_bad_chords(source: MarkovMelody) -> None:
    assert isinstance(source.name, str)
    typed: MelodySource = source
    spec = Spec(tonic="G", mode="mixolydian", time_signature="4/4", bars=8)
    chords = diatonic_chords(spec)
    typed.generate(spec, chords, np.random.default_rng(0))
    timings = []
    for seed in range(20):
        started = time.perf_counter()
        typed.generate(spec, chords, np.random.default_rng(seed))
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[10] < 0.020
    with pytest.raises(MelodyError, match="sorted"):
        source.generate(spec, list(reversed(chords)), np.random.default_rng(0))
    assert len(MODE_INTERVALS) == 8
