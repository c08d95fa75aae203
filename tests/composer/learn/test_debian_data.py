"""The committed lead-line files (composer/data/leads/): one source and one licence per file, each with its
notice, package version and digest; every record in the corpus schema, readable by `load_melodies`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from composer.learn.debian.families import FAMILIES
from composer.learn.debian.packages import PACKAGES
from composer.learn.debian.sources import SOURCES
from composer.melody.corpus import GRID, LEADS_DIR, load_melodies

ROOT = Path(__file__).resolve().parents[3]
DATA_FILES = sorted(LEADS_DIR.glob("*.jsonl.gz"))
FIELDS = {"id", "source", "title", "meter", "mode", "tonic_pc", "tempo_bpm", "dance", "bars", "pickup_ql", "notes",
          "piece", "family", "licence", "track", "chords", "chords_from"}


def test_every_source_and_licence_has_its_file() -> None:
    expected = {s.output_name(t.licence) for s in SOURCES for t in s.terms}
    assert {p.name for p in DATA_FILES} <= expected
    assert {"openmsx.jsonl.gz", "freedoom.jsonl.gz", "blupi.jsonl.gz", "lmms-artistic-2.jsonl.gz",
            "musescore-cc-by-3-0.jsonl.gz"} <= {p.name for p in DATA_FILES}


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_file_holds_one_source_one_licence_in_the_corpus_schema(path: Path) -> None:
    meta = json.loads(path.with_name(path.name.removesuffix(".jsonl.gz") + ".meta.json").read_text())
    source = next(s for s in SOURCES if s.name == meta["source"])
    package = PACKAGES[source.package]
    assert (meta["package"], meta["version"], meta["sha256"]) == (package.name, package.version, package.sha256)
    assert meta["notice"] == source.terms_of(meta["licence"]).notice
    assert source.output_name(meta["licence"]) == path.name == meta["file"]
    records = [json.loads(line) for line in gzip.open(path)]
    assert len(records) == meta["phrases"] and sum(len(r["notes"]) for r in records) == meta["notes"]
    for record in records:
        assert set(record) == FIELDS, record["id"]
        assert record["source"] == source.name and record["licence"] == meta["licence"]
        assert record["family"] == FAMILIES[source.name][record["piece"].split("/", 1)[1]]
        assert record["id"].startswith(record["piece"] + "#")
        bar_q = int(record["meter"].split("/")[0]) * 4 / int(record["meter"].split("/")[1])
        assert len(record["notes"]) >= 8 and record["bars"] <= 16
        assert max(o + d for _, o, d in record["notes"]) <= record["bars"] * bar_q + 1e-6
        for pitch, onset, dur in record["notes"]:
            assert 0 <= pitch <= 127 and dur > 0
            assert abs(onset * GRID - round(onset * GRID)) < 1e-3 and abs(dur * GRID - round(dur * GRID)) < 1e-3
        if record["chords"] is not None:
            assert len(record["chords"]) == record["bars"] and record["chords_from"] in ("heard", "harmony")
    melodies = load_melodies(path)
    assert len(melodies) == len(records)
    by_piece: dict[str, set[str]] = {}
    for melody in melodies:
        by_piece.setdefault(melody.piece, set()).add(melody.split)
    assert all(len(splits) == 1 for splits in by_piece.values()), "a piece's phrases share one split"


def test_data_md_names_every_lead_file() -> None:
    data_md = (ROOT / "DATA.md").read_text()
    for path in sorted(LEADS_DIR.iterdir()):
        assert f"`{path.name}`" in data_md or f"`{path.relative_to(ROOT)}`" in data_md, path.name
    for package in PACKAGES.values():
        assert package.version in data_md and package.sha256 in data_md


def test_summary_adds_up_the_files_metas() -> None:
    from composer.learn.debian.build import summarise

    totals: dict[str, dict[str, int]] = {}
    for path in sorted(LEADS_DIR.glob("*.meta.json")):
        for family, row in json.loads(path.read_text())["families"].items():
            for key, value in row.items():
                totals.setdefault(family, {}).setdefault(key, 0)
                totals[family][key] += value
    assert summarise() == dict(sorted(totals.items()))
