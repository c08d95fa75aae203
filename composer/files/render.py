"""Piece -> all the files a user gets: MIDI, MusicXML, audio, score picture and piano roll.

MIDI comes first and must succeed (it is what gets stored and remixed); every other stage is optional
and isolated: its failure is recorded in `Artifacts.errors` and the other files are still made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from music21.exceptions21 import Music21Exception

from composer.files.artifacts import Artifacts
from composer.files.audio import render_audio
from composer.files.midi import piece_to_midi_bytes
from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
from composer.piece import Piece

log = logging.getLogger(__name__)
T = TypeVar("T")

_OPTIONAL_ERRORS = (OSError, RuntimeError, ValueError, ArithmeticError, LookupError, TypeError, AttributeError,
                    Music21Exception)
"""What an optional stage may raise without taking the other artifacts down (music21/verovio/cairo
raise a wide variety); anything else (KeyboardInterrupt, MemoryError) still propagates."""


def _timed(artifacts: Artifacts, stage: str, fn: Callable[[], T]) -> T | None:
    start = time.perf_counter()
    try:
        return fn()
    except _OPTIONAL_ERRORS as exc:
        log.warning("render stage %s failed: %s", stage, exc)
        artifacts.errors[stage] = f"{type(exc).__name__}: {exc}"
        return None
    finally:
        artifacts.timings_ms[stage] = (time.perf_counter() - start) * 1000.0


def render_all(piece: Piece, out_dir: Path, stem: str, audio_format: str = "ogg", want_audio: bool = True,
               want_images: bool = True, midi: bytes | None = None, soundfont: Path | None = None) -> Artifacts:
    """Write `{stem}.mid`, `.musicxml`, `.ogg|.mp3`, `.score.png` and `.pianoroll.png` into `out_dir`.

    `midi` is the piece already encoded, when the caller has it (the studio stores those bytes, so the file
    written and the audio synthesised are exactly what is stored and what a remix starts from; encoded here
    otherwise). `soundfont` is the one the caller configured (None: the installed default, see
    `composer.files.audio.find_soundfont`). Timings are recorded per stage (render_midi, render_musicxml,
    render_audio, render_score, render_pianoroll). Only a MIDI failure raises; other failures land in `errors`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    midi_bytes = piece_to_midi_bytes(piece) if midi is None else midi
    midi_path = out_dir / f"{stem}.mid"
    midi_path.write_bytes(midi_bytes)
    artifacts = Artifacts(midi=midi_path)
    artifacts.timings_ms["render_midi"] = (time.perf_counter() - start) * 1000.0

    def musicxml() -> bytes:
        data = score_to_musicxml_bytes(piece_to_score(piece))
        (out_dir / f"{stem}.musicxml").write_bytes(data)
        return data

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="motif-audio") as pool:
        # Audio first, on a worker thread: fluidsynth is a separate process and encoding runs in libsndfile,
        # so on two cores it overlaps the MusicXML and pictures below instead of adding to them.
        audio_job = None
        if want_audio:
            audio_path = out_dir / f"{stem}.{audio_format}"
            audio_job = pool.submit(_timed, artifacts, "render_audio",
                                    lambda: render_audio(midi_bytes, audio_path, audio_format, soundfont))
        xml = _timed(artifacts, "render_musicxml", musicxml)
        if xml is not None:
            artifacts.musicxml = out_dir / f"{stem}.musicxml"
        if want_images:
            _render_images(piece, xml, out_dir, stem, artifacts)
        if audio_job is not None:
            artifacts.audio = audio_job.result()
    return artifacts


def _render_images(piece: Piece, xml: bytes | None, out_dir: Path, stem: str, artifacts: Artifacts) -> None:
    """The score picture (from the MusicXML) and the piano roll, each failing on its own (imported here, so
    verovio, cairo and matplotlib load only when pictures are asked for)."""
    from composer.files.engrave import render_score_png
    from composer.files.pianoroll import render_pianoroll_png

    if xml is not None:
        picture = _timed(artifacts, "render_score", lambda: render_score_png(xml, out_dir / f"{stem}.score.png"))
        if picture is not None:
            artifacts.score_png = picture.path
            if picture.truncated:
                artifacts.notes.append(f"score picture shows the first {picture.pages_shown} of {picture.pages_total} "
                                       "pages; the MusicXML file has the whole score")
    else:
        artifacts.errors["render_score"] = "skipped: the MusicXML could not be written"
    roll_path = out_dir / f"{stem}.pianoroll.png"
    artifacts.pianoroll_png = _timed(artifacts, "render_pianoroll", lambda: render_pianoroll_png(piece, roll_path))
