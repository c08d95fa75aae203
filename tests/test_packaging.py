"""Installed the ordinary way (`pip install .`), it is the same Motif: the wheel carries every data file, an
installed Motif composes with the trained model, and the shipped data is documented and rebuildable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parents[1]


def tracked(*paths: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` would install, built offline from a copy of the tracked files (so the build's
    own folders never land in the working tree)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    for rel in tracked():
        if (ROOT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, source / rel)
    for extra in ("LICENSE", "DATA.md"):  # new files count even before they are committed
        if (ROOT / extra).is_file():
            shutil.copy2(ROOT / extra, source / extra)
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(dist)], cwd=source, check=True, capture_output=True, timeout=600)
    (built,) = dist.glob("motif-*.whl")
    return built


def test_wheel_ships_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = tracked("composer/data", "prompts/data")
    assert any(p.startswith("composer/data/checkpoint/") for p in data)
    missing = [p for p in data if p not in names]
    assert not missing, f"not in the wheel: {missing}"
    for path in data:
        assert zipfile.ZipFile(wheel).read(path) == (ROOT / path).read_bytes(), path
    assert any(n.endswith("/LICENSE") for n in names) and any(n.endswith("/DATA.md") for n in names)


def test_installed_motif_composes_with_the_trained_model(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site), MOTIF_DB=str(tmp_path / "m.db"))
    where = subprocess.run([sys.executable, "-c", "import composer; print(composer.__file__)"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site), "the test runs the installed copy, not the tree"
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "compose", "a reel in D, 4 bars", "--json", "--seed",
                           "1", "--no-audio", "--no-images", "--out", str(tmp_path / "o")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["engine"] == "model" and result["model_version"].startswith("model@")
    assert result["model_version"] != "model@none"


def test_data_is_documented() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert "MIT License" in licence and "Copyright (c) 2026 the Motif authors" in licence
    data_md = (ROOT / "DATA.md").read_text()
    for path in tracked("composer/data", "prompts/data"):
        assert f"`{path}`" in data_md or f"`{Path(path).name}`" in data_md, f"DATA.md does not list {path}"
    meta = json.loads((ROOT / "composer/data/melodies.meta.json").read_text())
    assert meta["music21_version"] in data_md
    for source in meta["sources"]:
        assert f"`{source}`" in data_md, f"DATA.md does not name the corpus collection {source}"
    for command in ("motif data build", "motif data markov", "motif data originality", "motif train"):
        assert command in data_md
    assert "all-MiniLM-L6-v2" in data_md and "Apache-2.0" in data_md
    assert "DATA.md" in (ROOT / "composer/data/checkpoint/README.md").read_text()


def test_originality_index_rebuilds_exactly(tmp_path: Path) -> None:
    """DATA.md's command for originality.npz gives the shipped arrays."""
    out = tmp_path / "originality.npz"
    subprocess.run([sys.executable, "-m", "bot.cli", "data", "originality", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    with np.load(out) as rebuilt, np.load(ROOT / "composer/data/originality.npz") as shipped:
        assert set(rebuilt.files) == set(shipped.files)
        for name in shipped.files:
            assert np.array_equal(rebuilt[name], shipped[name]), name
