"""The largest piece a request can make (15 pitched parts, one per MIDI channel, and drums, 64 bars) renders
its MusicXML and pictures within a bounded amount of memory, and says the score picture was cut.

Measured in a fresh process (peak RSS before and after `render_all`), so nothing else in the test run
counts. Stacking the score's pages as float RGBA arrays once added 430 MB here; the picture stage now
adds about 160 MB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from composer.piece import Note, Piece, Track
from prompts.spec import Instrument
from tests.fixtures.pieces import tune_4_4

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = (73, 68, 71, 70, 60, 56, 57, 58, 40, 41, 42, 43, 46, 0, 19)
"""Flute, oboe, clarinet, bassoon, horn, trumpet, trombone, tuba, violin, viola, cello, contrabass, harp,
piano, organ: 15 pitched parts, as many as a MIDI file has channels for."""
MAX_RISE_MB = 300


def largest_piece() -> Piece:
    """A 64-bar tune arranged for 15 pitched parts (octaves apart) and drums."""
    base = tune_4_4(bars=64)
    pitched = [t for t in base.tracks if not t.is_drum]
    tracks = []
    for i, program in enumerate(PROGRAMS):
        source = pitched[i % len(pitched)]
        notes = [Note(n.pitch + 12 * (i % 3 - 1), n.start, n.duration, n.velocity) for n in source.notes]
        tracks.append(Track(f"Part {i + 1}", program, source.role, notes))
    tracks += [t for t in base.tracks if t.is_drum]
    spec = replace(base.spec, instruments=tuple(Instrument(t.name, t.program, t.role) for t in tracks if not t.is_drum))
    return replace(base, spec=spec, tracks=tracks)


def measure() -> None:
    """Run in a child process: render the largest piece without audio and print peak RSS before and after."""
    from composer.files.render import render_all

    piece = largest_piece()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = render_all(piece, Path(tmp), "big", want_audio=False)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        made = {kind: getattr(artifacts, kind) is not None for kind in ("musicxml", "score_png", "pianoroll_png")}
    print(json.dumps({"rise_mb": (after - before) / 1024, "errors": artifacts.errors, "notes": artifacts.notes,
                      "made": made}))


def test_largest_request_renders_pictures_in_bounded_memory() -> None:
    done = subprocess.run([sys.executable, "-c", "from tests.composer.files.test_render_bounds import measure; measure()"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == {} and all(report["made"].values())
    assert any(note.startswith("score picture shows the first 2 of ") and "MusicXML" in note for note in report["notes"])
    assert report["rise_mb"] < MAX_RISE_MB, report
