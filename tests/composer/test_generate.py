"""End-to-end tests of compose(spec): the written MIDI obeys the Spec (bars, ranges, programs, drums,
chords, key) over a grid of genres, modes, meters, tonics and instrument sets."""

from __future__ import annotations

import math
from pathlib import Path

import music21
import numpy as np
import pytest
import symusic

from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose, compose_timed
from composer.piece import Piece
from composer.ranges import instrument_range
from composer.styles import STYLES
from composer.theory import tonic_pc
from prompts.spec import MODES, TIME_SIGNATURES, TONICS, Instrument, Spec
from tests.composer.arrange.test_arrange import GRID_INSTRUMENTS, ChordToneMelody

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
KEY_RATE_FLOOR = {"chord_tones": 0.72, "markov": 0.78}
"""Regression floors just under the measured agreement on grid(3) (0.746 and 0.810). The design target
is 0.99; phrygian and locrian requests are what fall short (see the failures listed on failure)."""


def grid(per_genre: int) -> list[Spec]:
    """A deterministic grid: every genre x `per_genre` combinations of mode, meter, tonic, bars, band."""
    specs = []
    for i, genre in enumerate(sorted(STYLES)):
        for j in range(per_genre):
            k = i * 7 + j * 3
            specs.append(Spec(
                tonic=TONICS[k % len(TONICS)], mode=MODES[(i + j) % len(MODES)], genre=genre,
                time_signature=TIME_SIGNATURES[(i * 3 + j) % len(TIME_SIGNATURES)],
                bars=(4, 8, 12, 16, 5, 1, 2)[(i + j) % 7], instruments=GRID_INSTRUMENTS[(i + j) % 4],
                drums=(i + j) % 2 == 0, seed=k,
            ))
    return specs


def _save(piece: Piece, data: bytes, label: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{label}-{piece.spec.genre}-{piece.spec.seed}.mid").write_bytes(data)


def check_midi(piece: Piece, data: bytes) -> None:
    """What the file says must match what the Spec asked for."""
    spec = piece.spec
    score = symusic.Score.from_midi(data)
    tpq = score.ticks_per_quarter
    total = spec.bars * spec.bar_quarters
    end_q = max(n.end for t in score.tracks for n in t.notes) / tpq
    assert math.ceil(end_q / spec.bar_quarters - 1e-6) == spec.bars
    pitched = [t for t in score.tracks if not t.is_drum]
    assert [int(t.program) for t in pitched] == [i.program for i in spec.instruments]
    assert any(t.is_drum for t in score.tracks) == spec.drums
    for track in pitched:
        low, high = instrument_range(int(track.program))
        assert all(low <= n.pitch <= high for n in track.notes), track.name
    assert piece.chords[0].start == 0 and abs(piece.chords[-1].end - total) < 1e-9


def key_matches(data: bytes, spec: Spec) -> tuple[bool, str]:
    """music21's key analysis (Krumhansl-style profiles) of the whole written texture."""
    found = music21.converter.parse(data, format="midi").analyze("key")
    family = "minor" if spec.is_minor_family else "major"
    return found.tonic.pitchClass == tonic_pc(spec.tonic) and found.mode == family, str(found)


def test_grid_midi_obeys_the_spec() -> None:
    for spec in grid(4):
        piece = compose(spec, ChordToneMelody())
        data = piece_to_midi_bytes(piece)
        try:
            check_midi(piece, data)
        except AssertionError:
            _save(piece, data, "spec")
            raise


def test_grid_key_is_heard_as_requested() -> None:
    specs = grid(3)
    failures = []
    for spec in specs:
        piece = compose(spec, ChordToneMelody())
        data = piece_to_midi_bytes(piece)
        ok, found = key_matches(data, spec)
        if not ok:
            failures.append(f"{spec.genre} {spec.tonic} {spec.mode} {spec.time_signature} x{spec.bars}: {found}")
            _save(piece, data, "key")
    rate = 1 - len(failures) / len(specs)
    assert rate >= KEY_RATE_FLOOR["chord_tones"], f"key rate {rate:.3f}; failures: {failures}"


def _default_source():  # type: ignore[no-untyped-def]
    melody = pytest.importorskip("composer.melody")
    try:
        return melody.load_default_melody_source()
    except ValueError as exc:
        pytest.skip(f"default melody source unavailable: {exc}")


def test_default_source_grid() -> None:
    source = _default_source()
    specs = grid(3)
    failures = []
    for spec in specs:
        piece = compose(spec, source)
        data = piece_to_midi_bytes(piece)
        check_midi(piece, data)
        ok, found = key_matches(data, spec)
        if not ok:
            failures.append(f"{spec.genre} {spec.tonic} {spec.mode} {spec.time_signature}: {found}")
    assert 1 - len(failures) / len(specs) >= KEY_RATE_FLOOR["markov"], failures


def _notes(piece: Piece) -> list[tuple[str, int, float, float, int]]:
    return [(t.name, n.pitch, n.start, n.duration, n.velocity) for t in piece.tracks for n in t.notes]


def test_same_seed_same_music_and_different_seeds_differ() -> None:
    spec = Spec(genre="bossa_nova", tonic="F", bars=8, instruments=GRID_INSTRUMENTS[1], drums=True, seed=11)
    first, second = compose(spec, ChordToneMelody()), compose(spec, ChordToneMelody())
    assert _notes(first) == _notes(second) and first.chords == second.chords
    other = compose(spec, ChordToneMelody(), rng_seed=12)
    assert _notes(other) != _notes(first)


def test_compose_timed_reports_each_stage_and_the_style() -> None:
    spec = Spec(genre="swing", bars=4, instruments=(Instrument("Sax", 65, "melody"),), seed=1)
    piece, timings = compose_timed(spec, ChordToneMelody())
    assert set(timings) == {"harmony", "generate", "arrange"}
    assert all(v >= 0 for v in timings.values())
    assert piece.swing and piece.engine == "chord_tones"
    assert len(piece.tracks) == 1 and piece.tracks[0].program == 65


def test_rng_seed_overrides_spec_seed() -> None:
    spec = Spec(genre="pop", bars=4, seed=5)
    a = compose(spec, ChordToneMelody(), rng_seed=9)
    b = compose(Spec(genre="pop", bars=4, seed=9), ChordToneMelody())
    assert _notes(a) == _notes(b)
    assert np.isfinite(sum(n.start for t in a.tracks for n in t.notes))
