"""A cold `motif compose --no-audio --no-images` loads only what composing needs (issue 11).

Every module imported is start-up time a user waits for on each CLI call and each worker start, so the
composing path must not reach the training pipeline (`composer.learn`), `transformers` (the melody model and
the text encoder are plain torch over their safetensors weights) or the picture renderers. A fresh
interpreter runs the real command, with the default engine, on a prompt the rules read whole; timings stay
in `motif bench` (`cold_midi_s`), where a slow CI machine cannot make a test flaky.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROMPT = "moody jazz in D minor, 8 bars"
"""Every word of it is read by the rules (no text-encoder lookup)."""

NOT_LOADED = ("transformers", "composer.learn", "matplotlib", "verovio")

RUN_COMPOSE = """
import json, runpy, sys
argv, report = sys.argv[1:-1], sys.argv[-1]
sys.argv = ["motif", *argv]
code = 0
try:
    runpy.run_module("bot.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
with open(report, "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def test_a_midi_only_compose_loads_neither_transformers_nor_training(tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "modules.json"
    args = ["compose", PROMPT, "--seed", "1", "--no-audio", "--no-images", "--json", "--out", str(out),
            "--db", str(tmp_path / "motif.db")]
    result = subprocess.run([sys.executable, "-c", RUN_COMPOSE, *args, str(report)], capture_output=True,
                            text=True, timeout=300)
    loaded = json.loads(report.read_text())
    assert loaded["code"] == 0, result.stderr[-2000:]
    composed = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(composed["files"]["midi"]).is_file()
    assert composed["engine"] == "model"
    assert not [note for note in composed["spec"]["notes"] if "understand" in note or "read as" in note]
    modules = set(loaded["modules"])
    assert "torch" in modules  # the learned melody model did the composing
    offenders = sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_LOADED))
    assert not offenders, offenders
