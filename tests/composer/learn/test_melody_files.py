"""The corpus melodies as one file per collection: the same records, in the same order, as the single file
they were split from, and every reader reading the whole set."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from composer.learn.corpus import split_by_collection, write_jsonl_gz
from composer.melody.corpus import DEFAULT_PATH, INDEX_NAME, CorpusError, load_melodies, melody_files

ROOT = Path(__file__).resolve().parents[3]
SINGLE_FILE_COMMIT = "974b740"
"""The last commit with the single `composer/data/melodies.jsonl.gz`."""
SINGLE_FILE_LINES_SHA256 = "e4120ac1ec132478551690508d2c90e64957eb021e7391d6485a8e7d5e857299"
"""sha256 of that file's uncompressed lines (DATA.md records it too)."""


def _lines(files: list[Path]) -> bytes:
    return b"".join(gzip.open(f).read() for f in files)


def test_shipped_files_concatenate_to_the_single_file() -> None:
    index = json.loads((DEFAULT_PATH / INDEX_NAME).read_text())
    files = melody_files(DEFAULT_PATH)
    assert [f.name for f in files] == [e["file"] for e in index["files"]]
    lines = _lines(files)
    assert hashlib.sha256(lines).hexdigest() == index["lines_sha256"] == SINGLE_FILE_LINES_SHA256
    for entry, path in zip(index["files"], files, strict=True):
        sources = {json.loads(line)["source"] for line in gzip.open(path)}
        assert sources == {entry["collection"]}, path
        assert entry["terms"]
    assert {e["collection"] for e in index["files"]} >= {"essenFolksong", "josquin"}


def test_loaded_melodies_equal_the_single_file_from_git(tmp_path: Path) -> None:
    """Read the single file as it was committed and compare the loaded lists, melody by melody."""
    if shutil.which("git") is None:
        pytest.skip("no git")
    shown = subprocess.run(["git", "show", f"{SINGLE_FILE_COMMIT}:composer/data/melodies.jsonl.gz"], cwd=ROOT,
                           capture_output=True)
    if shown.returncode != 0:
        pytest.skip("the single-file commit is not in this clone's history")
    old = tmp_path / "melodies.jsonl.gz"
    old.write_bytes(shown.stdout)
    assert load_melodies(old) == load_melodies()
    assert load_melodies(old, split="test") == load_melodies(split="test")


def test_split_round_trips_and_is_reproducible(tmp_path: Path) -> None:
    records = [{"id": f"{s}/{n}", "source": s, "notes": [[60, 0.0, 1.0]] * 8} for s, n in
               [("essenFolksong", 1), ("essenFolksong", 2), ("josquin", 1), ("bach", 3)]]
    single = tmp_path / "all.jsonl.gz"
    write_jsonl_gz(single, records)
    first = split_by_collection(single, tmp_path / "a")
    split_by_collection(single, tmp_path / "b")
    assert [e["collection"] for e in first] == ["essenFolksong", "josquin", "bach"]
    assert first[1]["terms"].startswith("GNU GPL")
    for name in ("essenFolksong.jsonl.gz", "josquin.jsonl.gz", "bach.jsonl.gz", INDEX_NAME):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert _lines(melody_files(tmp_path / "a")) == gzip.open(single).read()


def test_split_refuses_interleaved_collections(tmp_path: Path) -> None:
    single = tmp_path / "all.jsonl.gz"
    write_jsonl_gz(single, [{"id": "a", "source": "bach"}, {"id": "b", "source": "josquin"},
                            {"id": "c", "source": "bach"}])
    with pytest.raises(ValueError, match="not contiguous"):
        split_by_collection(single, tmp_path / "out")


def test_a_folder_without_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_melodies(tmp_path / "nothing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / INDEX_NAME).write_text("[]")
    with pytest.raises(CorpusError, match="not a melodies index"):
        load_melodies(tmp_path / "bad")


def test_build_into_a_folder_writes_one_file_per_collection(tmp_path: Path) -> None:
    from music21 import note, stream

    from composer.learn.corpus import build, is_fresh

    midi_dir = tmp_path / "midi"
    midi_dir.mkdir()
    part = stream.Part()
    for i, step in enumerate("CDEFGABCDEFG"):
        part.insert(i, note.Note(step + "4", quarterLength=1.0))
    part.write("midi", fp=str(midi_dir / "scale.mid"))
    out = tmp_path / "melodies"
    summary = build(out, workers=1, midi_dir=midi_dir, progress=False, sources=("midi",))
    assert summary is not None and summary.ok["midi"] == 1
    assert sorted(p.name for p in out.iterdir()) == [INDEX_NAME, "midi.jsonl.gz"]
    meta = json.loads((tmp_path / "melodies.meta.json").read_text())
    assert meta["file"] == "melodies" and meta["file_bytes"] == (out / "midi.jsonl.gz").stat().st_size
    assert [m.id for m in load_melodies(out)] == ["midi/scale.mid"]
    assert is_fresh(out) and not list(tmp_path.glob("*.part"))
