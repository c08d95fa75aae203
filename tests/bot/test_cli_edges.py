"""The command line at its edges: user text that looks like markup, files that never end, stores and folders
that cannot work, a batch whose renders fail, and which engine made a piece. Real subprocesses, real SQLite
files, faults caused through configuration only."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prompts import ParseConfig, parse
from storage import NewGeneration, Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
CHECKPOINT = Path(__file__).parents[2] / "composer" / "data" / "checkpoint"
QUICK = ["--no-audio", "--no-images", "--engine", "markov"]
MARKUP = "a [bold]jazz[/] tune [/] in D minor [red], 4 bars"


def motif(args: list[str], tmp_path: Path, stdin: str | bytes | None = None, timeout: float = 300,
          **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ, MOTIF_DB=str(tmp_path / "motif.db"), USER="tester", COLUMNS="300")
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, env=environ,
                          timeout=timeout, cwd=tmp_path, input=stdin, text=not isinstance(stdin, bytes))


def json_lines(proc: subprocess.CompletedProcess) -> list[dict]:
    out = proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def no_crash(proc: subprocess.CompletedProcess) -> None:
    err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode()
    assert "Traceback" not in err and "MarkupError" not in err, err[-2000:]


def count_generations(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return conn.execute("SELECT count(*) FROM generations").fetchone()[0] if "generations" in tables else 0


# --- user text is printed as text -------------------------------------------------------------------------


def test_parse_prints_markup_like_prompt_as_text(tmp_path: Path) -> None:
    proc = motif(["parse", MARKUP], tmp_path)
    no_crash(proc)
    assert proc.returncode == 0
    assert "[bold]jazz[/] tune [/]" in proc.stderr


def test_history_and_chat_print_stored_prompts_as_text(tmp_path: Path) -> None:
    made = motif(["compose", MARKUP, "--json", "--out", str(tmp_path / "o"), *QUICK], tmp_path)
    assert made.returncode == 0, made.stderr
    local_id = json_lines(made)[0]["id"]
    discord_prompt = "[link=https://x]click[/link] [/] [/bold] [[weird]]"

    async def store_discord_piece() -> str:  # what the Discord bot stores: another author, another guild
        async with Store.open(tmp_path / "motif.db") as store:
            generation = await store.add_generation(NewGeneration(
                prompt=discord_prompt, spec=parse("a waltz in F, 4 bars", ParseConfig()).to_dict(), seed=1,
                engine="markov", midi=(FIXTURES / "bwv66_6_first4.mid").read_bytes(), author="discord:[/]42",
                guild="discord:7"))
            return generation.id

    discord_id = asyncio.run(store_discord_piece())
    history = motif(["history"], tmp_path)
    no_crash(history)
    assert history.returncode == 0
    assert MARKUP in history.stderr and discord_prompt in history.stderr and "discord:[/]42" in history.stderr
    chat = motif(["chat", "--no-audio", "--engine", "markov", "--out", str(tmp_path / "o")], tmp_path,
                 stdin=f"{MARKUP}\nhistory\n{local_id}: [/] flibber [bold]\nnosuch[/]x: faster\n"
                       f"lineage {discord_id}\nquit\n")
    no_crash(chat)
    assert chat.returncode == 0
    assert chat.stdout.count(MARKUP) >= 2, "the composed prompt shows in the chat's history"
    assert "bye" in chat.stdout, "the channel stays open through every line"


# --- motif import of things that are not files ----------------------------------------------------------


def test_import_of_dev_zero_reads_the_cap_then_refuses(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = motif(["import", "/dev/zero", "--json", "--no-audio", "--out", str(tmp_path / "o")], tmp_path,
                 timeout=60)
    assert proc.returncode == 2 and "KiB" in json_lines(proc)[0]["error"]
    assert time.monotonic() - started < 50
    no_crash(proc)
    assert count_generations(tmp_path / "motif.db") == 0


def test_import_of_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "upload.mid"
    os.mkfifo(fifo)
    proc = motif(["import", str(fifo), "--json", "--no-audio", "--out", str(tmp_path / "o")], tmp_path, timeout=60)
    assert proc.returncode == 2 and json_lines(proc)[0]["error"]
    no_crash(proc)


def test_import_from_a_pipe(tmp_path: Path) -> None:
    """A pipe (`motif import <(cat x.mid)`, /dev/stdin) is read up to the cap: a real MIDI file comes through,
    an endless stream is refused."""
    midi = (FIXTURES / "bwv66_6_first4.mid").read_bytes()
    good = motif(["import", "/dev/stdin", "--json", "--no-audio", "--no-images", "--out", str(tmp_path / "o")],
                 tmp_path, stdin=midi)
    assert good.returncode == 0, good.stderr
    assert json_lines(good)[0]["spec"]["instruments"]
    flood = motif(["import", "/dev/stdin", "--json", "--out", str(tmp_path / "o")], tmp_path,
                  stdin=b"MThd" + b"\0" * (3 * 1024 * 1024))
    assert flood.returncode == 2 and "KiB" in json_lines(flood)[0]["error"]


# --- unusable --db and --out are refused before anything is stored -------------------------------------


@pytest.mark.parametrize("case", ["db-is-a-directory", "db-under-a-file", "db-unwritable", "db-postgres-url",
                                  "env-postgres-url", "out-is-a-file", "out-under-a-file", "out-unwritable"])
def test_unusable_store_or_folder_is_refused_first(tmp_path: Path, case: str) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("not a folder")
    (tmp_path / "adir").mkdir()
    db, out, env = tmp_path / "m.db", tmp_path / "o", {}
    db_arg = {"db-is-a-directory": str(tmp_path / "adir"), "db-under-a-file": str(plain / "m.db"),
              "db-unwritable": "/proc/motif-test.db", "db-postgres-url": "postgresql://motif@db.example/motif"}
    out_arg = {"out-is-a-file": plain, "out-under-a-file": plain / "o", "out-unwritable": Path("/proc/motif-out")}
    args = ["compose", "a waltz, 4 bars", "--json", *QUICK]
    args += ["--out", str(out_arg.get(case, out))]
    if case in db_arg:
        args += ["--db", db_arg[case]]
    elif case == "env-postgres-url":
        env["MOTIF_DB"] = "postgres://motif@db.example/motif"
    else:
        args += ["--db", str(db)]
    proc = motif(args, tmp_path, **env)
    no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    (obj,) = json_lines(proc)
    assert obj["error"]
    if "postgres" in case:
        assert "cannot reach the PostgreSQL store" in obj["error"]  # db.example never resolves
        assert not list(tmp_path.glob("postgres*")), "a URL never becomes a folder"
    assert count_generations(db) == 0 and not (tmp_path / "adir" / "motif.db").exists()
    if case.startswith("out"):
        assert not db.exists(), "nothing is created in the store when the folder is refused"


def test_history_with_a_store_that_is_not_sqlite(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n" * 100)
    proc = motif(["history", "--json", "--db", str(notes)], tmp_path)
    no_crash(proc)
    assert proc.returncode == 2 and "not a usable SQLite database" in json_lines(proc)[0]["error"]
    assert notes.read_text() == "hello\n" * 100


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("MOTIF_AUDIO_FORMAT", "wav", "ogg or mp3"),
    ("MOTIF_DB", "postgresql://motif@db.example", "names no database"),
])
def test_bot_refuses_unsupported_settings_at_start(tmp_path: Path, variable: str, value: str, says: str) -> None:
    proc = motif(["bot", "--env-file", str(tmp_path / "none.env")], tmp_path, timeout=120,
                 DISCORD_TOKEN="not-a-real-token", **{variable: value})
    assert proc.returncode == 2
    assert says in proc.stderr and variable in proc.stderr
    no_crash(proc)


# --- a batch carries on through every failure and announces ids as they are stored ---------------------


def test_batch_with_failing_audio_reports_each_line_and_carries_on(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"this is not a soundfont\n" * 100)
    batch = tmp_path / "prompts.txt"
    batch.write_text("a waltz in F, 4 bars\n" + "z" * 1500 + "\nfunky bass groove, 4 bars\na calm hymn, 4 bars\n")
    args = ["compose", "--batch", str(batch), "--no-images", "--engine", "markov", "--out", str(tmp_path / "o")]
    proc = motif([*args, "--json"], tmp_path, MOTIF_SOUNDFONT=str(broken))
    no_crash(proc)
    assert proc.returncode == 2, "a failed line makes the exit code say so"
    results = json_lines(proc)
    assert len(results) == 4
    assert "error" in results[1]
    made = [results[0], results[2], results[3]]
    for result in made:
        assert result["files"]["audio"] is None and "soundfont" in result["errors"]["render_audio"]
        assert Path(result["files"]["midi"]).is_file()
    with sqlite3.connect(tmp_path / "motif.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM generations")}
    assert stored == {r["id"] for r in made}

    batch.write_text("a waltz in F, 4 bars\nfunky bass groove, 4 bars\n")
    readable = motif(args, tmp_path, MOTIF_SOUNDFONT=str(broken))
    no_crash(readable)
    assert readable.returncode == 1, "stored, but a file it asked for could not be made"
    lines = readable.stderr.splitlines()
    for gen_id in {row for row in _ids(tmp_path)} - stored:
        announced = next(i for i, line in enumerate(lines) if line.startswith(f"stored {gen_id}"))
        problem = next(i for i, line in enumerate(lines) if "not made" in line and i > announced)
        assert announced < problem, "the id is announced before its files are rendered"


def test_batch_ids_come_out_as_each_piece_is_made(tmp_path: Path) -> None:
    batch = tmp_path / "prompts.txt"
    batch.write_text("".join(f"a folk tune in G, {bars} bars\n" for bars in (2, 8, 8, 8, 8, 8)))
    env = dict(os.environ, MOTIF_DB=str(tmp_path / "motif.db"))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "compose", "--batch", str(batch), "--json",
                             "--out", str(tmp_path / "o"), "--engine", "markov"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, cwd=tmp_path, text=True)
    try:
        first = json.loads(proc.stdout.readline())
        still_running = proc.poll() is None
        with sqlite3.connect(tmp_path / "motif.db") as conn:
            assert conn.execute("SELECT count(*) FROM generations WHERE id = ?", (first["id"],)).fetchone()[0] == 1
        rest = [json.loads(line) for line in proc.stdout]
    finally:
        proc.wait(timeout=300)
    assert still_running, "the first id is printed while the rest of the batch is still composing"
    assert len(rest) == 5 and proc.returncode == 0


def _ids(tmp_path: Path) -> set[str]:
    with sqlite3.connect(tmp_path / "motif.db") as conn:
        return {row[0] for row in conn.execute("SELECT id FROM generations")}


def test_render_failure_after_storing_names_the_stored_id(tmp_path: Path) -> None:
    """When the files cannot be written after the generation is stored, the error says which id is stored."""
    from bot.studio import RenderError, StudioConfig, open_studio

    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should be")
    config = StudioConfig(out_dir=blocker / "out", db_path=tmp_path / "m.db", want_audio=False, want_images=False,
                          engine="markov")

    async def go() -> str:
        async with open_studio(config) as studio:
            with pytest.raises(RenderError) as caught:
                await studio.compose("a waltz, 4 bars", seed=1)
            assert await studio.store.get_generation(caught.value.generation_id) is not None
            return str(caught.value)

    message = asyncio.run(go())
    assert "stored" in message


# --- which engine made a piece -------------------------------------------------------------------------


def test_json_results_name_engine_and_model_version(tmp_path: Path) -> None:
    out = ["--out", str(tmp_path / "o"), "--no-audio", "--no-images", "--json"]
    markov = json_lines(motif(["compose", "a reel in D, 4 bars", "--engine", "markov", "--seed", "3", *out],
                              tmp_path))[0]
    assert (markov["engine"], markov["model_version"]) == ("markov", "markov@tables")
    remix = motif(["remix", markov["id"], "faster", *out], tmp_path)
    assert remix.returncode == 0, remix.stderr
    assert json_lines(remix)[0]["engine"] == "markov" and json_lines(remix)[0]["model_version"]
    imported = json_lines(motif(["import", str(FIXTURES / "bwv66_6_first4.mid"), *out], tmp_path))[0]
    assert (imported["engine"], imported["model_version"]) == ("import", "import")
    if (CHECKPOINT / "model.safetensors").is_file():
        model = json_lines(motif(["compose", "a reel in D, 4 bars", "--engine", "model", *out], tmp_path))[0]
        digest = hashlib.sha256((CHECKPOINT / "model.safetensors").read_bytes()).hexdigest()[:12]
        assert (model["engine"], model["model_version"]) == ("model", f"model@{digest}")
    with sqlite3.connect(tmp_path / "motif.db") as conn:
        rows = dict(conn.execute("SELECT id, model_version FROM generations"))
    assert rows[markov["id"]] == "markov@tables", "the JSON says what the store recorded"
