"""`motif remix`, `import`, `history`, `lineage`, `db backup` and `chat` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"


def motif(args: list[str], tmp_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MOTIF_DB=str(tmp_path / "motif.db"), USER="tester")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp_path, input=stdin)


def only_json(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_remix_history_lineage_backup(tmp_path: Path) -> None:
    quick = ["--no-audio", "--no-images", "--engine", "markov", "--out", str(tmp_path / "o")]
    root = only_json(motif(["compose", "a folk tune in A minor, 4 bars", "--json", "--seed", "1", *quick], tmp_path))[0]
    proc = motif(["remix", root["id"], "faster with drums", "--json", *quick], tmp_path)
    assert proc.returncode == 0, proc.stderr
    child = only_json(proc)[0]
    assert child["parent_id"] == root["id"] and child["spec"]["drums"] and child["changes"]
    assert child["spec"]["tempo_bpm"] > root["spec"]["tempo_bpm"]
    history = only_json(motif(["history", "--json", "--user", "local:tester"], tmp_path))
    assert [h["id"] for h in history] == [child["id"], root["id"]]
    lineage = motif(["lineage", child["id"], "--out", str(tmp_path / "o"), "--json"], tmp_path)
    tree = only_json(lineage)[0]
    assert {g["id"] for g in tree["generations"]} == {root["id"], child["id"]}
    assert Path(tree["picture"]).stat().st_size > 2000
    backup = tmp_path / "copy.db"
    assert motif(["db", "backup", str(backup)], tmp_path).returncode == 0
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM generations").fetchone()[0] == 2


def test_remix_errors_are_clear(tmp_path: Path) -> None:
    bad_id = motif(["remix", "nosuchid42", "faster", "--json", "--no-audio", "--no-images"], tmp_path)
    assert bad_id.returncode == 2 and "no generation" in only_json(bad_id)[0]["error"]
    root = only_json(motif(["compose", "a waltz, 4 bars", "--json", "--no-audio", "--no-images", "--engine",
                            "markov", "--out", str(tmp_path / "o")], tmp_path))[0]
    unreadable = motif(["remix", root["id"], "flibber the wotsit", "--json", "--no-audio"], tmp_path)
    assert unreadable.returncode == 2 and only_json(unreadable)[0]["error"]
    assert "Traceback" not in unreadable.stderr


def test_import_good_and_hostile_files(tmp_path: Path) -> None:
    good = motif(["import", str(FIXTURES / "bwv66_6_first4.mid"), "--json", "--no-audio", "--out",
                  str(tmp_path / "o")], tmp_path)
    assert good.returncode == 0, good.stderr
    spec = only_json(good)[0]["spec"]
    assert spec["bars"] >= 1 and spec["instruments"]
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"MThd" + os.urandom(200))
    bad = motif(["import", str(junk), "--json"], tmp_path)
    assert bad.returncode == 2 and only_json(bad)[0]["error"] and "Traceback" not in bad.stderr
    huge = tmp_path / "huge.mid"
    huge.write_bytes(b"\0" * (2 * 1024 * 1024))
    too_big = motif(["import", str(huge), "--json"], tmp_path)
    assert too_big.returncode == 2 and "KiB" in only_json(too_big)[0]["error"]


def test_chat_composes_replies_and_lists(tmp_path: Path) -> None:
    first = motif(["chat", "--no-audio", "--engine", "markov", "--out", str(tmp_path / "o")], tmp_path,
                  stdin="a short calm piano piece, 2 bars\nhistory\nquit\n")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "motif.db") as conn:
        (gen_id,) = conn.execute("SELECT id FROM generations").fetchone()
    second = motif(["chat", "--no-audio", "--engine", "markov", "--out", str(tmp_path / "o")], tmp_path,
                   stdin=f"{gen_id}: slower\nlineage {gen_id}\nnosuchid99: faster\nquit\n")
    assert second.returncode == 0
    assert "Composed" in second.stdout and "lineage" in second.stdout and "no generation" in second.stdout
    with sqlite3.connect(tmp_path / "motif.db") as conn:
        assert conn.execute("SELECT count(*) FROM generations WHERE parent_id = ?", (gen_id,)).fetchone()[0] == 1
