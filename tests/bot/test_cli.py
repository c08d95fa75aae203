"""The `motif` command as a user runs it: a real subprocess, a real SQLite file, real files on disk."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from composer.learn.analyze import check_explicit, read_midi
from prompts import Spec

MOTIF = [sys.executable, "-m", "bot.cli"]


def run_motif(args: list[str], tmp_path: Path, env_db: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MOTIF_DB", None)
    if env_db:
        env["MOTIF_DB"] = str(tmp_path / "env.db")
    return subprocess.run(MOTIF + args, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def json_lines(stdout: str) -> list[dict]:
    """Every stdout line must be one JSON object (the --json contract)."""
    return [json.loads(line) for line in stdout.splitlines()]


def test_compose_json_contract_and_files(tmp_path: Path) -> None:
    db = tmp_path / "motif.db"
    out = tmp_path / "out"
    proc = run_motif(["compose", "moody jazz in D minor, 8 bars", "--out", str(out), "--seed", "7", "--json",
                      "--db", str(db)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert set(result) >= {"id", "parent_id", "spec", "files", "timings_ms", "originality"}
    assert result["parent_id"] is None
    assert set(result["files"]) == {"midi", "musicxml", "audio", "score_png", "pianoroll_png"}
    for kind, path in result["files"].items():
        assert path and Path(path).is_file() and Path(path).stat().st_size > 0, kind
        assert Path(path).name.startswith(result["id"]), "files are named by generation id"
    assert Path(result["files"]["audio"]).stat().st_size < 1_000_000
    spec = Spec.from_dict(result["spec"])
    assert (spec.tonic, spec.mode, spec.bars, spec.genre, spec.seed) == ("D", "minor", 8, "jazz", 7)
    facts = read_midi(Path(result["files"]["midi"]).read_bytes())
    failed = [c for c in check_explicit(spec, facts) if not c.ok]
    assert not failed, failed
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT prompt, seed, midi FROM generations WHERE id = ?", (result["id"],)).fetchone()
    assert row[0] == "moody jazz in D minor, 8 bars" and row[1] == 7
    assert row[2] == Path(result["files"]["midi"]).read_bytes(), "the store keeps exactly the MIDI the user got"


def test_same_seed_same_music(tmp_path: Path) -> None:
    midis = []
    for name in ("a", "b"):
        proc = run_motif(["compose", "a cheerful folk tune in G", "--seed", "42", "--json", "--no-audio",
                          "--no-images", "--out", str(tmp_path / name), "--db", str(tmp_path / "m.db")], tmp_path)
        assert proc.returncode == 0, proc.stderr
        midis.append(Path(json_lines(proc.stdout)[0]["files"]["midi"]).read_bytes())
    assert midis[0] == midis[1]


def test_batch_reports_each_line_and_keeps_going(tmp_path: Path) -> None:
    batch = tmp_path / "prompts.txt"
    batch.write_text("a waltz in F, 4 bars\n\n# a comment\n" + "x" * 2000 + "\nfunky bass groove, 4 bars\n")
    proc = run_motif(["compose", "--batch", str(batch), "--json", "--no-audio", "--no-images",
                      "--out", str(tmp_path / "out")], tmp_path, env_db=True)
    assert proc.returncode == 2, "a failed line makes the exit code say so"
    results = json_lines(proc.stdout)
    assert len(results) == 3
    assert results[0]["spec"]["time_signature"] == "3/4"
    assert "error" in results[1] and results[1]["prompt"].startswith("xxx")
    assert results[2]["spec"]["bars"] == 4
    assert (tmp_path / "env.db").is_file(), "MOTIF_DB names the store when --db is not given"


@pytest.mark.parametrize("bad", ["", "   ", "y" * 1001, "a jig, 500 bars"])
def test_bad_prompt_is_a_clear_error_not_a_traceback(tmp_path: Path, bad: str) -> None:
    proc = run_motif(["parse", bad, "--json"], tmp_path)
    assert proc.returncode == 2
    (obj,) = json_lines(proc.stdout)
    assert obj["error"] and "Traceback" not in proc.stderr


def test_parse_json(tmp_path: Path) -> None:
    proc = run_motif(["parse", "bossa nova in Bb at 130 bpm with nylon guitar", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    spec = json_lines(proc.stdout)[0]["spec"]
    assert (spec["tonic"], spec["tempo_bpm"], spec["genre"]) == ("Bb", 130, "bossa_nova")


def test_readable_output_without_json(tmp_path: Path) -> None:
    proc = run_motif(["compose", "sad piano, 4 bars", "--no-audio", "--out", str(tmp_path / "o"),
                      "--db", str(tmp_path / "m.db")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" or not proc.stdout.lstrip().startswith("{")
    assert "Composed" in proc.stderr and "midi" in proc.stderr


def test_mp3_on_request(tmp_path: Path) -> None:
    proc = run_motif(["compose", "calm ambient pad, 4 bars", "--audio-format", "mp3", "--no-images", "--json",
                      "--out", str(tmp_path / "o"), "--db", str(tmp_path / "m.db")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    audio = Path(json_lines(proc.stdout)[0]["files"]["audio"])
    assert audio.suffix == ".mp3" and audio.stat().st_size > 1000
