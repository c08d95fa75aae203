"""render_all: every artifact from one Piece, timings per stage, and isolation of optional failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import soundfile

from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.files.render import render_all
from tests.fixtures.pieces import tune_4_4

STAGES = {"render_midi", "render_musicxml", "render_audio", "render_score", "render_pianoroll"}


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")
def test_all_artifacts_written(tmp_path: Path) -> None:
    piece = tune_4_4()
    art = render_all(piece, tmp_path / "out", "song")
    assert art.errors == {}
    assert set(art.timings_ms) == STAGES and all(v >= 0 for v in art.timings_ms.values())
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert names == {"song.mid", "song.musicxml", "song.ogg", "song.score.png", "song.pianoroll.png"}
    assert midi_bytes_to_piece(art.midi.read_bytes(), piece.spec).chords == piece.chords
    assert soundfile.info(art.audio).duration >= 16.0
    assert art.files()["audio"] == str(tmp_path / "out" / "song.ogg")


def test_midi_only(tmp_path: Path) -> None:
    art = render_all(tune_4_4(bars=2), tmp_path, "m", want_audio=False, want_images=False)
    assert art.audio is None and art.score_png is None and art.pianoroll_png is None
    assert art.midi.is_file() and art.musicxml is not None and art.musicxml.is_file()
    assert set(art.timings_ms) == {"render_midi", "render_musicxml"}


def test_failed_audio_keeps_the_other_artifacts(tmp_path: Path) -> None:
    art = render_all(tune_4_4(bars=2), tmp_path, "x", soundfont=tmp_path / "no-such.sf2")
    assert art.audio is None and "no-such.sf2" in art.errors["render_audio"]
    assert art.midi.is_file() and art.score_png is not None and art.pianoroll_png is not None
    assert "render_audio" in art.timings_ms


def test_unknown_audio_format_is_recorded(tmp_path: Path) -> None:
    art = render_all(tune_4_4(bars=1), tmp_path, "y", audio_format="flac", want_images=False)
    assert art.audio is None and "unknown audio format" in art.errors["render_audio"]


def test_given_midi_bytes_are_written_and_synthesised_as_they_are(tmp_path: Path) -> None:
    """The caller's encoding (the bytes the studio stores) is the file, never a second encoding."""
    piece = tune_4_4(bars=2)
    stored = piece_to_midi_bytes(piece)
    art = render_all(piece, tmp_path, "z", want_audio=False, want_images=False, midi=stored)
    assert art.midi.read_bytes() == stored
