"""Pieces as long as Motif allows, through the real CLI and the real fluidsynth: every command exits 0 and its
audio lasts as long as its MIDI.

Subprocesses, because the bug this guards (libsndfile's Vorbis encoder overflowing the stack when handed a
whole piece past ~47 s) was a SIGSEGV: it must show as an exit code, not take pytest down with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile
import symusic

from prompts import ParseConfig
from prompts.spec import TIME_SIGNATURES
from prompts.words.timing import MIN_TEMPO_BPM

ROOT = Path(__file__).resolve().parents[2]


def bar_quarters(meter: str) -> float:
    beats, unit = (int(part) for part in meter.split("/"))
    return beats * 4 / unit


LONGEST_BAR = max(TIME_SIGNATURES, key=bar_quarters)
"""The meter with the most quarter notes a bar among those Motif writes (7/4 today)."""
TAIL_S = 4.0
"""Audio may run past the MIDI by fluidsynth's reverb/release tail (2-3 s) before it is trimmed."""
DISCORD_LIMIT_BYTES = 8 * 1024 * 1024
FIT = """
import json, sys
from pathlib import Path
from bot.discord_app.attachments import fit_attachments
files, out, limit = json.loads(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
fitted = fit_attachments(files, "long", limit)
for name, data in fitted.files:
    (out / name).write_bytes(data)
print(json.dumps({"names": [name for name, _ in fitted.files], "note": fitted.note()}))
"""


def run(args: list[str], home: Path, timeout_s: float = 240) -> subprocess.CompletedProcess[str]:
    """`python ARGS` from the repository root with the store in `home`; never raises on a failed exit."""
    env = dict(os.environ, MOTIF_DB=str(home / "motif.db"), USER="tester", MOTIF_DEBUG="1")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout_s,
                          cwd=ROOT)


def motif(args: list[str], home: Path) -> dict:
    """Run `motif ARGS --json --no-images --out HOME/out`; assert it exited 0 and return its JSON result."""
    proc = run(["-m", "bot.cli", *args, "--json", "--no-images", "--out", str(home / "out")], home)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stdout[-2000:]} {proc.stderr[-2000:]}"
    result = json.loads(proc.stdout.splitlines()[-1])
    assert not result.get("errors"), result
    return result


def midi_seconds(path: str | Path) -> float:
    """The MIDI's length read by symusic: its last note or marker (Motif marks the end of the last bar)."""
    score = symusic.Score(str(path)).to("second")
    return float(max([score.end()] + [marker.time for marker in score.markers]))


def audio_matches_midi(files: dict) -> float:
    """Assert the audio file decodes and lasts as long as the MIDI (plus at most the tail); its length in s."""
    midi_s, info = midi_seconds(files["midi"]), soundfile.info(files["audio"])
    assert midi_s - 0.1 <= info.duration <= midi_s + TAIL_S, (info.duration, midi_s)
    return info.duration


def spec_seconds(spec: dict) -> float:
    return spec["bars"] * bar_quarters(spec["time_signature"]) * 60 / spec["tempo_bpm"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("long")


@pytest.fixture(scope="module")
def longest(home: Path) -> dict:
    """The longest piece a prompt can ask for: the most bars of the widest meter at the slowest tempo (22.4 min)."""
    bars = ParseConfig().max_bars
    return motif(["compose", f"a slow ballad in {LONGEST_BAR}, {bars} bars at {MIN_TEMPO_BPM} bpm", "--seed", "3"],
                 home)


@pytest.fixture(scope="module")
def parent(home: Path) -> dict:
    return motif(["compose", "a folk ballad, 32 bars at 50 bpm", "--seed", "5"], home)


def test_longest_allowed_piece_renders_in_full(longest: dict) -> None:
    spec = longest["spec"]
    wanted = (ParseConfig().max_bars, MIN_TEMPO_BPM, LONGEST_BAR)
    assert (spec["bars"], spec["tempo_bpm"], spec["time_signature"]) == wanted
    assert abs(midi_seconds(longest["files"]["midi"]) - spec_seconds(spec)) < 0.5  # 1344 s
    assert audio_matches_midi(longest["files"]) > spec_seconds(spec) - 0.5


def test_32_bars_at_50_bpm(parent: dict) -> None:
    assert abs(midi_seconds(parent["files"]["midi"]) - 153.6) < 0.5
    audio_matches_midi(parent["files"])


def test_remix_continues_a_long_parent(parent: dict, home: Path) -> None:
    child = motif(["remix", parent["id"], "continue for 16 bars", "--seed", "6"], home)
    assert child["parent_id"] == parent["id"] and child["spec"]["bars"] == 48
    assert abs(midi_seconds(child["files"]["midi"]) - 230.4) < 0.5
    audio_matches_midi(child["files"])


def _hundred_second_midi(path: Path) -> None:
    """200 quarter notes at 120 bpm (100 s): a scale melody over whole-note bass, as a user's file might be."""
    score = symusic.Score(480)
    score.tempos.append(symusic.Tempo(0, qpm=120.0))
    melody, bass = symusic.Track("melody", program=0), symusic.Track("bass", program=32)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    for beat in range(200):
        melody.notes.append(symusic.Note(beat * 480, 440, scale[beat % 8] if beat % 16 < 8 else scale[7 - beat % 8], 80))
        if beat % 4 == 0:
            bass.notes.append(symusic.Note(beat * 480, 1900, 36 + [0, 5, 7, 0][beat // 4 % 4], 70))
    score.tracks.extend([melody, bass])
    score.dump_midi(str(path))


def test_import_of_a_100_s_midi_file(home: Path) -> None:
    path = home / "hundred.mid"
    _hundred_second_midi(path)
    assert 99.5 < midi_seconds(path) < 100.5
    imported = motif(["import", str(path)], home)
    assert abs(midi_seconds(imported["files"]["midi"]) - 100.0) < 2.0
    audio_matches_midi(imported["files"])


def test_attachment_fallback_on_the_longest_piece(longest: dict, home: Path) -> None:
    """The 20 MB OGG does not fit Discord's 8 MiB: it is re-encoded smaller (in blocks) and still lasts 22 min."""
    files, out = longest["files"], home / "fitted"
    assert Path(files["audio"]).stat().st_size > DISCORD_LIMIT_BYTES
    out.mkdir()
    proc = run(["-c", FIT, json.dumps(files), str(out), str(DISCORD_LIMIT_BYTES)], home)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    fitted = json.loads(proc.stdout)
    audio = [name for name in fitted["names"] if name.endswith((".ogg", ".mp3"))]
    assert "audio sent at lower quality" in fitted["note"] and len(audio) == 1 and "motif-long.mid" in fitted["names"]
    info = soundfile.info(out / audio[0])
    assert info.channels == 1 and sum((out / name).stat().st_size for name in fitted["names"]) <= DISCORD_LIMIT_BYTES
    midi_s = midi_seconds(files["midi"])
    assert midi_s - 0.1 <= info.duration <= midi_s + TAIL_S
