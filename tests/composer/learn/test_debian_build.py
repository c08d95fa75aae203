"""The build of one source's derived files, end to end on a folder laid out like the unpacked package (MIDI
files written here, no download): labels, skips, one file per licence, the same bytes twice, and the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from symusic import Note, Score, Tempo, TimeSignature, Track
from typer.testing import CliRunner

from bot.cli.commands import app
from composer.learn.debian.build import extract_source, summarise, write_output
from composer.learn.debian.sources import SOURCES

OPENMSX = next(s for s in SOURCES if s.name == "openmsx")
TUNE = [74, 76, 78, 79, 81, 79, 78, 76]


def write_song(path: Path, bars: int) -> None:
    """A MIDI song in D major: an eighth-note tune over a D major pad, `bars` bars of 4/4."""
    score = Score(480)
    lead, pad = Track("Melody", 73, False), Track("Strings", 48, False)
    for bar in range(bars):
        for i, pitch in enumerate(TUNE):
            lead.notes.append(Note(bar * 1920 + i * 240, 240, pitch, 90))
        for pitch in (62, 66, 69):
            pad.notes.append(Note(bar * 1920, 1920, pitch, 60))
    score.tracks.extend([lead, pad])
    score.time_signatures.append(TimeSignature(0, 4, 4))
    score.tempos.append(Tempo(0, 120.0))
    path.write_bytes(score.dumps_midi())


def test_a_source_builds_to_the_same_bytes_with_labels_and_skips(tmp_path: Path) -> None:
    root = tmp_path / "openmsx"
    root.mkdir()
    write_song(root / "city_blues_redfarn.mid", 20)
    write_song(root / "moo_redfarn.mid", 20)  # the same tune again: kept once
    write_song(root / "not_in_the_table.mid", 4)
    (root / "broken.mid").write_bytes(b"MThd not really")
    (root / "openmsx.obm").write_text("[names]\ncity_blues_redfarn.mid = City Blues\n[origin]\n")
    outputs = extract_source(OPENMSX, root, progress=False)
    assert set(outputs) == {"GPL-2.0"}
    output = outputs["GPL-2.0"]
    assert [r["id"] for r in output.records] == ["openmsx/city_blues_redfarn#000", "openmsx/city_blues_redfarn#001"]
    assert output.records[0]["title"] == "City Blues" and output.records[0]["family"] == "blues"
    assert output.skipped["moo_redfarn"] == "same lead line as a piece already kept"
    assert output.skipped["not_in_the_table"] == "no family label"
    assert "not a MIDI file" in output.skipped["broken.mid"]
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        out.mkdir()
        meta = write_output(OPENMSX, "GPL-2.0", extract_source(OPENMSX, root, progress=False)["GPL-2.0"], out)
    for name in ("openmsx.jsonl.gz", "openmsx.meta.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert meta["licence"] == "GPL-2.0" and "GNU General Public License version 2" in meta["notice"]
    assert meta["families"]["blues"]["pieces"] == 1 and meta["families"]["blues"]["bars_with_chords"] == 20
    assert len([json.loads(line) for line in gzip.open(first / "openmsx.jsonl.gz")]) == meta["phrases"] == 2
    assert summarise(first) == meta["families"]


def test_cli_summary_prints_the_committed_files_totals() -> None:
    result = CliRunner().invoke(app, ["data", "leads", "--summary"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == summarise()
