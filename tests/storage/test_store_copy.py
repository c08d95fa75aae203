"""`Store.copy_into` and `motif db copy`: a lived-in single-machine SQLite store moved onto PostgreSQL reads
back the same through every part of the API (and back again), all or nothing, into an empty store only."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import SCHEMA_VERSION, Store, StoreError
from tests.pg_server import PostgresServer, create_schema
from tests.storage.factories import midi_bytes, new_generation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> str:
    return await create_schema(postgres_server, prefix="copy")


async def _live_in(store: Store) -> dict[str, str]:
    """A store as a few weeks of a busy server leave it: a remix tree, settings, presets, jobs in every state,
    feedback; returns the ids the comparison needs."""
    await store.upsert_user("discord:1", "Ada")
    await store.upsert_user("local:bob")
    root = await store.add_generation(new_generation(author="discord:1", guild="g1", midi=midi_bytes(3000, seed=1)))
    remix = await store.add_generation(new_generation(parent_id=root.id, author="discord:2", guild="g1", seed=2))
    await store.add_generation(new_generation(parent_id=remix.id, author="discord:1", guild="g1", seed=3))
    await store.add_generation(new_generation(guild=None, author="local:bob", prompt="a DM piece", seed=4))
    await store.attach_message(root.id, channel="c1", message_id="m-1")
    await store.set_guild_settings("g1", tempo_max=140, instruments=["piano", "bass"], audio=False)
    await store.add_preset("g1", "Noir", prompt_suffix="in a smoky club", spec_overrides={"tempo_bpm": 70})
    await store.add_preset("g1", "bright", prompt_suffix="sunny")
    await store.add_feedback(root.id, "discord:2", "reaction", "🔥")
    await store.add_feedback(root.id, "discord:2", "rating", 4)
    done, _ = await store.enqueue_job("i-1", "compose", {"prompt": "jazz", "transient": {"token": "t"}}, "discord:1", "g1")
    await store.claim_next_job("w1", 60)
    await store.complete_job(done.id, {"generation_id": root.id, "message_id": "m-1"})
    running, _ = await store.enqueue_job("i-2", "remix", {"parent": root.id}, "discord:2", "g1")
    await store.claim_next_job("w1", 600)
    for n in range(3):
        await store.enqueue_job(f"i-{3 + n}", "compose", {"n": n}, f"discord:{n % 2 + 1}", "g1")
    return {"root": root.id, "remix": remix.id, "running": running.id}


async def _view(store: Store, ids: dict[str, str]) -> dict[str, object]:
    """Everything the bot and CLI read, as plain values."""
    return {
        "generations": await store.list_generations(limit=100),
        "summaries": await store.list_generation_summaries(limit=100),
        "tree": await store.tree(ids["root"]),
        "lineage": await store.lineage(ids["remix"]),
        "children": await store.children(ids["root"]),
        "by_message": await store.get_by_message("m-1"),
        "users": [await store.get_user("discord:1"), await store.get_user("local:bob")],
        "settings": await store.guild_settings("g1"),
        "overrides": await store.guild_overrides("g1"),
        "presets": await store.list_presets("g1"),
        "noir": await store.get_preset("g1", "NOIR"),
        "jobs": [await store.get_job_by_key(f"i-{n}") for n in range(1, 6)],
        "pending": await store.pending_jobs(),
        "position": await store.queue_position((await store.pending_jobs())[-1].id),
        "window": await store.count_jobs_since(HOUR_AGO, user_id="discord:1"),
        "feedback": await store.feedback_for(ids["root"]),
    }


async def test_a_lived_in_store_reads_back_the_same_on_postgresql_and_back(pg_url: str, tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as lite:
        ids = await _live_in(lite)
        before = await _view(lite, ids)
        async with Store.open(pg_url) as pg:
            report = await lite.copy_into(pg)
            assert report.rows == {"generations": 4, "users": 2, "guilds": 1, "presets": 2, "jobs": 5, "feedback": 2}
            assert await _view(pg, ids) == before
            claimed = await pg.claim_next_job("w2", 60)  # the queue carries on where it stopped
            assert claimed is not None and claimed.idempotency_key == "i-3"
            with pytest.raises(StoreError, match="not empty"):
                await lite.copy_into(pg)
            async with Store.open(tmp_path / "back.db") as back:
                await pg.copy_into(back)
                assert await back.get_job(claimed.id) == claimed
                assert (await _view(back, ids))["tree"] == before["tree"]


async def test_a_released_v1_file_is_upgraded_and_copied(pg_url: str, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "v1.db", tmp_path / "v1.db")
    expected = json.loads((FIXTURES / "v1.json").read_text())
    async with Store.open(tmp_path / "v1.db") as lite, Store.open(pg_url) as pg:
        assert (await lite.copy_into(pg)).rows["generations"] == len(expected) == 4
        assert await pg.schema_version() == SCHEMA_VERSION
        assert await pg.list_generations(limit=100) == await lite.list_generations(limit=100)


async def test_a_failed_copy_leaves_the_target_empty(pg_url: str, tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as lite:
        await _live_in(lite)
    with closing(sqlite3.connect(tmp_path / "motif.db")) as raw, raw:  # a hand edit only SQLite can hold
        raw.execute("UPDATE users SET display_name = 'Ada' || char(0) WHERE id = 'discord:1'")
    async with Store.open(tmp_path / "motif.db") as lite, Store.open(pg_url) as pg:
        with pytest.raises(StoreError, match="NUL character"):
            await lite.copy_into(pg)
        assert await pg.list_generations() == [] and await pg.pending_jobs() == []
        assert await pg.get_user("local:bob") is None


def _motif(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=120)


async def test_db_copy_and_backup_from_the_command_line(postgres_server: PostgresServer, tmp_path: Path) -> None:
    from tests.pg_server import create_database

    async with Store.open(tmp_path / "motif.db") as lite:
        ids = await _live_in(lite)
    url = await create_database(postgres_server, prefix="cli")
    copied = _motif("db", "copy", str(tmp_path / "motif.db"), url, "--json")
    assert copied.returncode == 0, copied.stderr
    assert json.loads(copied.stdout)["rows"]["generations"] == 4
    again = _motif("db", "copy", str(tmp_path / "motif.db"), url, "--json")
    assert again.returncode == 2 and "not empty" in json.loads(again.stdout)["error"]
    assert "Traceback" not in again.stderr
    dump = tmp_path / "pg.dump"
    backup = _motif("db", "backup", str(dump), "--db", url, "--json")
    assert backup.returncode == 0, backup.stderr
    assert json.loads(backup.stdout) == {"backup": str(dump)} and dump.stat().st_size > 1000
    missing = _motif("db", "copy", str(tmp_path / "nothing.db"), url, "--json")
    assert missing.returncode == 2 and "no store at" in json.loads(missing.stdout)["error"]
    async with Store.open(url) as pg:
        assert [g.id for g in await pg.tree(ids["root"])][:1] == [ids["root"]]


async def test_a_copy_taken_while_motif_writes_is_one_consistent_moment(pg_url: str, tmp_path: Path) -> None:
    async with Store.open(tmp_path / "motif.db") as lite, Store.open(pg_url) as pg:
        first = [await lite.add_generation(new_generation(seed=i)) for i in range(300)]

        async def keep_writing() -> None:
            for i in range(60):  # remixes with feedback: a torn copy would hold feedback on missing pieces
                child = await lite.add_generation(new_generation(parent_id=first[i].id, seed=1000 + i))
                await lite.add_feedback(child.id, "discord:1", "rating", 5)
                await asyncio.sleep(0)

        report, _ = await asyncio.gather(lite.copy_into(pg), keep_writing())
        copied = [g.id for g in reversed(await pg.list_generations(limit=500))]
        source = [g.id for g in reversed(await lite.list_generations(limit=500))]
        assert 300 <= len(copied) == report.rows["generations"] <= 360 and copied == source[:len(copied)]
        assert report.rows["feedback"] in (len(copied) - 300, len(copied) - 301)  # a child may lack its rating yet


async def test_a_remix_stored_before_its_parent_waits_for_it_and_an_orphan_is_refused(
    pg_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    path = tmp_path / "motif.db"
    async with Store.open(path) as lite:
        root = await lite.add_generation(new_generation())
        child = await lite.add_generation(new_generation(parent_id=root.id, seed=2))
    with closing(sqlite3.connect(path)) as raw, raw:  # as VACUUM or a hand edit may leave it: the parent last
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("CREATE TEMP TABLE keep AS SELECT * FROM generations WHERE id = ?", (root.id,))
        raw.execute("DELETE FROM generations WHERE id = ?", (root.id,))
        raw.execute("INSERT INTO generations SELECT * FROM keep")
    async with Store.open(path) as lite, Store.open(pg_url) as pg:
        assert (await lite.copy_into(pg)).rows["generations"] == 2
        assert await pg.tree(child.id) == await lite.tree(child.id) and len(await pg.tree(child.id)) == 2
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DELETE FROM generations WHERE id = ?", (root.id,))
    async with Store.open(path) as lite, Store.open(await create_schema(postgres_server)) as empty:
        with pytest.raises(StoreError, match="1 generations name parents that do not exist.*damaged"):
            await lite.copy_into(empty)
        assert await empty.list_generations() == []
