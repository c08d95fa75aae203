"""`motif data build` and `motif data markov` call the same typed functions as the modules' `python -m` entry
points (`composer.learn.corpus.build_corpus`, `composer.melody.markov.build_markov`), on real MIDI fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.commands import app
from composer.learn import corpus
from composer.melody import markov
from composer.melody.corpus import load_melodies

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def melodies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A melodies file built from the MIDI fixtures by `python -m composer.learn.corpus build`'s main."""
    root = tmp_path_factory.mktemp("data")
    midi_dir = root / "midi"
    midi_dir.mkdir()
    for path in FIXTURES.glob("*.mid"):
        shutil.copy(path, midi_dir / path.name)
    out = root / "melodies.jsonl.gz"
    argv = ["build", "--source", "midi", "--midi-dir", str(midi_dir), "--out", str(out), "--workers", "1",
            "--no-progress"]
    assert corpus.main(argv) == 0
    return out


def test_corpus_main_builds_then_reports_a_fresh_file(melodies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_melodies(melodies)
    assert corpus.build_corpus(melodies, workers=1, progress=False, sources=("midi",)) is None
    assert "is newer than the extraction code" in capsys.readouterr().out


def test_data_markov_reports_what_the_module_entry_point_reports(melodies: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "markov", "--melodies", str(melodies), "--out", str(tmp_path / "a.gz")])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout.strip().splitlines()[-1])
    direct = markov.build_markov(melodies, tmp_path / "b.gz")
    assert {k: v for k, v in from_cli.items() if k != "out"} == {k: v for k, v in direct.items() if k != "out"}
    assert markov.main(["train", "--melodies", str(melodies), "--out", str(tmp_path / "c.gz")]) == 0
    assert markov.MarkovModel.load(tmp_path / "a.gz").to_json() == markov.MarkovModel.load(tmp_path / "c.gz").to_json()
