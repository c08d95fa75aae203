"""A sharded Motif (`AutoShardedClient`) against the fake Discord, which sends each guild's events only on
shard `(guild_id >> 22) % count`, as Discord does: shards in one process, shards split between two bot
processes on one PostgreSQL store and queue, and a shard's connection dropped and resumed mid-job. In every
case each request is answered exactly once. The real discord.py client throughout; nothing mocked.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.discord_app import BotOptions, MotifBot, ShardedMotifBot, WorkerPool, make_bot
from bot.discord_app.pool import ProcessGroup
from bot.settings import SettingsError, load_settings
from bot.shards import ShardPlan
from storage import PostgresUrl, Store
from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, is_final, job_when, open_world
from tests.bot.remote_harness import remotes
from tests.fakediscord import FakeDiscord, FakeGuild, FakeInteraction, FakeUser
from tests.pg_server import PostgresServer, create_schema

executor = discord_harness.executor


def sharded(world: World, plan: ShardPlan, **options: object) -> MotifBot:
    merged: dict[str, object] = {"lanes": discord_harness.WORKERS, "poll_s": 0.2, "lease_s": 30.0} | options
    return make_bot(world.store, WorkerPool(world.executor, world.config), BotOptions(shards=plan, **merged))  # type: ignore[arg-type]


def guilds_on_shards(fake: FakeDiscord, count: int) -> list[tuple[FakeGuild, FakeUser]]:
    """One guild on each shard of `count`, each with a member of its own."""
    made = []
    for shard_id in range(count):
        guild = fake.add_guild(f"Shard {shard_id} server", channels=["general"], shard=(shard_id, count))
        assert (guild.id >> 22) % count == shard_id
        made.append((guild, fake.add_user(f"member{shard_id}", guild=guild)))
    return made


def posts_for(fake: FakeDiscord, guild: FakeGuild, asked: FakeInteraction) -> list[object]:
    return [m for m in fake.bot_messages_in(guild.channel("general")) if m.interaction_id == asked.id]


def assert_answered_once(fake: FakeDiscord, guild: FakeGuild, asked: FakeInteraction) -> None:
    posts = posts_for(fake, guild, asked)
    assert len(posts) == 1 and is_final(posts[0]), posts  # type: ignore[arg-type]
    assert len([r for r in fake.interaction_responses(asked) if r.kind == "callback"]) == 1


def delivered_on(fake: FakeDiscord, asked: FakeInteraction) -> list[tuple[int, int] | None]:
    """The shards whose sessions were sent this INTERACTION_CREATE (while they live: a sharded client's close
    ends its sessions, with code 1000)."""
    return [
        session.shard for session in fake.gateway.sessions.values()
        for p in session.backlog if p["t"] == "INTERACTION_CREATE" and p["d"]["id"] == str(asked.id)
    ]


async def test_two_shards_in_one_process_each_serve_their_guilds_once(
    tmp_path: Path, executor: ProcessGroup
) -> None:
    async for world in open_world(tmp_path, executor, images=False):
        fake = world.fake
        fake.max_concurrency = 2  # two IDENTIFY buckets: both shards connect at once
        (zero, alice), (one, bob) = guilds_on_shards(fake, 2)
        bot = sharded(world, ShardPlan(2))
        assert isinstance(bot, ShardedMotifBot)
        async with fake.running(bot, timeout=20):
            assert sorted(s.shard for s in fake.identified) == [(0, 2), (1, 2)]
            assert sorted(bot.shards) == [0, 1]
            assert {g.id for g in bot.guilds} == set(fake.state.guilds)  # one process, every guild
            for session in fake.gateway.sessions.values():  # ...each guild sent on its own shard only
                sent = {int(p["d"]["id"]) for p in session.backlog if p["t"] == "GUILD_CREATE"}
                assert session.shard is not None
                assert sent == {g for g in fake.state.guilds if (g >> 22) % 2 == session.shard[0]}
            asked = [
                (guild, await fake.user_invokes_slash(user, guild.channel("general"), "compose",
                                                      {"prompt": prompt, "bars": 4}))
                for (guild, user), prompt in zip(((zero, alice), (one, bob)), ("a jig", "a reel"), strict=True)
            ]
            for guild, interaction in asked:
                await fake.wait_for_response(interaction, answered, timeout=60)
                assert delivered_on(fake, interaction) == [((guild.id >> 22) % 2, 2)]  # sent on its shard only
            mention = await fake.user_sends(bob, one.channel("general"), "a waltz please", mentions_bot=True)
            await fake.wait_for_bot_message(
                one.channel("general"), lambda m, r=mention: m.reference_id == r.id and is_final(m), timeout=60
            )
            await asyncio.sleep(1.0)  # time for a second answer, were one coming
        for guild, interaction in asked:
            assert_answered_once(fake, guild, interaction)
        replies = [m for m in fake.bot_messages_in(one.channel("general")) if m.reference_id == mention.id]
        assert len(replies) == 1
        assert fake.refusals == []


async def test_auto_takes_the_recommended_count_and_paces_identify_by_bucket(
    tmp_path: Path, executor: ProcessGroup
) -> None:
    """`auto` asks GET /gateway/bot; with max_concurrency 1 both shards share one bucket, so the second
    IDENTIFY waits out the 5 s window; with 2 buckets they identify together."""
    async for world in open_world(tmp_path, executor, images=False):
        fake = world.fake
        fake.recommended_shards = 2
        async with fake.running(sharded(world, ShardPlan(None)), timeout=30) as bot:
            assert bot.shard_count == 2
        one_bucket = fake.identified[1].at_s - fake.identified[0].at_s
        fake.max_concurrency = 2
        async with fake.running(sharded(world, ShardPlan(None)), timeout=30):
            pass
        two_buckets = fake.identified[3].at_s - fake.identified[2].at_s
        assert [s.shard for s in fake.identified] == [(0, 2), (1, 2)] * 2
        assert 5.0 <= one_bucket < 7.0, one_bucket
        assert two_buckets < 1.0, two_buckets


async def test_a_shard_dropped_and_resumed_mid_job_posts_once(tmp_path: Path, executor: ProcessGroup) -> None:
    """Shard 1's connection drops while its guild's piece is being composed; it RESUMEs (the events it missed
    are replayed, none twice) and the piece is posted once. A request made while it was away is served once
    too, and shard 0 never notices."""
    async for world in open_world(tmp_path, executor, images=False):
        fake = world.fake
        fake.max_concurrency = 2
        (zero, alice), (one, bob) = guilds_on_shards(fake, 2)
        await world.store.set_guild_settings(str(one.id), max_bars=64)  # a long piece: time to drop the shard
        async with fake.running(sharded(world, ShardPlan(2)), timeout=20):
            general = one.channel("general")
            long = await fake.user_invokes_slash(bob, general, "compose", {"prompt": "a long march", "bars": 64})
            await job_when(world.store, f"interaction:{long.id}", lambda j: j.state == "running")
            assert await fake.disconnect_bot(resume=True, shard_id=1) == 1
            during = await fake.user_sends(bob, general, "a short reel please", mentions_bot=True)
            await fake.wait_for_gateway_op("RESUME", timeout=20)
            assert (await world.store.get_job_by_key(f"interaction:{long.id}")).state == "running"  # type: ignore[union-attr]
            await fake.wait_for_response(long, answered, timeout=90)
            await fake.wait_for_bot_message(general, lambda m, r=during: m.reference_id == r.id and is_final(m), timeout=60)
            after = await fake.user_invokes_slash(alice, zero.channel("general"), "compose", {"prompt": "a jig", "bars": 4})
            await fake.wait_for_response(after, answered, timeout=60)
            await asyncio.sleep(1.0)
        assert fake.gateway_ops == ["IDENTIFY", "IDENTIFY", "RESUME"]  # shard 0 kept its session throughout
        assert_answered_once(fake, one, long)
        assert_answered_once(fake, zero, after)
        assert len([m for m in fake.bot_messages_in(general) if m.reference_id == during.id]) == 1
        job = await world.store.get_job_by_key(f"interaction:{long.id}")
        assert job is not None and job.state == "done" and job.attempts == 1
        assert fake.refusals == []


async def test_a_shard_whose_session_is_invalidated_mid_job_identifies_alone_and_posts_once(
    tmp_path: Path, executor: ProcessGroup
) -> None:
    """Shard 1's session is invalidated mid-composition: shard 1 alone IDENTIFYs again (paced by its
    bucket), gets its guild again, and the piece is posted once."""
    async for world in open_world(tmp_path, executor, images=False):
        fake = world.fake
        fake.max_concurrency = 2
        (_, _), (one, bob) = guilds_on_shards(fake, 2)
        await world.store.set_guild_settings(str(one.id), max_bars=64)
        async with fake.running(sharded(world, ShardPlan(2)), timeout=20) as bot:
            general = one.channel("general")
            long = await fake.user_invokes_slash(bob, general, "compose", {"prompt": "a long march", "bars": 64})
            await job_when(world.store, f"interaction:{long.id}", lambda j: j.state == "running")
            await fake.disconnect_bot(resume=False, shard_id=1)
            await fake.wait_for_gateway_op("IDENTIFY", count=3, timeout=20)
            await fake.wait_for_response(long, answered, timeout=90)
            again = await fake.user_invokes_slash(bob, general, "compose", {"prompt": "a reel", "bars": 4})
            await fake.wait_for_response(again, answered, timeout=60)
            await asyncio.sleep(1.0)
            assert bot.get_guild(one.id) is not None
        assert [i.shard for i in fake.identified] == [(0, 2), (1, 2), (1, 2)]
        assert fake.identified[2].at_s - fake.identified[1].at_s >= 5.0  # its bucket's window
        assert_answered_once(fake, one, long)
        assert_answered_once(fake, one, again)
        job = await world.store.get_job_by_key(f"interaction:{long.id}")
        assert job is not None and job.state == "done" and job.attempts == 1
        assert fake.refusals == []


async def test_two_processes_each_owning_one_shard_post_every_request_once(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`motif bot` twice (MOTIF_SHARDS=2, MOTIF_SHARD_IDS=0 and 1), each with its own lane on the shared
    PostgreSQL queue, so a job accepted by one process is often composed and posted by the other."""
    url = await create_schema(postgres_server, prefix="shards")
    async with Store.open(PostgresUrl(url)) as store:  # the tables exist before the processes race to make them
        fake = await FakeDiscord.start(token="test-token", bot_name="Motif")
        try:
            fake.max_concurrency = 2
            pairs = guilds_on_shards(fake, 2)
            with remotes(fake, url, tmp_path) as group:
                monkeypatch.setenv("MOTIF_SHARDS", "2")
                for shard_id in (0, 1):
                    monkeypatch.setenv("MOTIF_SHARD_IDS", str(shard_id))
                    group.spawn("bot-local")
                for bot in group.started:
                    await bot.wait_for_log("has connected to Gateway")
                await fake.wait_for(lambda: len(fake.gateway.connected_sessions()) == 2, timeout=30)
                assert sorted(s.shard for s in fake.identified) == [(0, 2), (1, 2)]
                await asyncio.sleep(0.5)  # each member reaches its shard's process
                asked = [
                    (guild, await fake.user_invokes_slash(user, guild.channel("general"), "compose",
                                                          {"prompt": f"a reel number {n}", "bars": 4}))
                    for n in range(3) for guild, user in pairs
                ]
                for _, interaction in asked:
                    await fake.wait_for_response(interaction, answered, timeout=120)
                await asyncio.sleep(1.0)  # time for a second answer, were one coming
                assert all(bot.process.poll() is None for bot in group.started)
            for guild, interaction in asked:
                assert_answered_once(fake, guild, interaction)
            for guild, _ in pairs:
                assert len([m for m in fake.bot_messages_in(guild.channel("general")) if is_final(m)]) == 3
            jobs = [await store.get_job_by_key(f"interaction:{i.id}") for _, i in asked]
            assert all(j is not None and j.state == "done" and j.attempts == 1 for j in jobs)
            assert fake.refusals == []
        finally:
            await fake.stop()


def test_shard_settings_are_read_once_with_clear_refusals() -> None:
    base = {"DISCORD_TOKEN": "t", "MOTIF_DB": "/tmp/motif-shards-unused.db"}
    assert load_settings(base).shards is None
    assert load_settings(base | {"MOTIF_SHARDS": "auto"}).shards == ShardPlan(None)
    plan = load_settings(base | {"MOTIF_SHARDS": "4", "MOTIF_SHARD_IDS": "3, 0-1"}).shards
    assert plan == ShardPlan(4, (0, 1, 3)) and plan.is_partial
    assert not ShardPlan(2, (0, 1)).is_partial and not ShardPlan(2).is_partial
    for env, says in [
        ({"MOTIF_SHARDS": "many"}, "auto or a whole number"),
        ({"MOTIF_SHARDS": "0"}, "from 1 to"),
        ({"MOTIF_SHARD_IDS": "0"}, "needs MOTIF_SHARDS"),
        ({"MOTIF_SHARDS": "auto", "MOTIF_SHARD_IDS": "0"}, "a fixed MOTIF_SHARDS"),
        ({"MOTIF_SHARDS": "2", "MOTIF_SHARD_IDS": "2"}, "2 is not within 0-1"),
        ({"MOTIF_SHARDS": "2", "MOTIF_SHARD_IDS": "one"}, "ids or ranges"),
    ]:
        with pytest.raises(SettingsError, match=says):
            load_settings(base | env)


def test_motif_bot_refuses_a_share_of_the_shards_on_sqlite_in_one_line(tmp_path: Path) -> None:
    """Other processes would run the other shards over one SQLite file, whose queue is not shared-safe."""
    environ = dict(os.environ, MOTIF_DB=str(tmp_path / "motif.db"), DISCORD_TOKEN="not-a-real-token")
    for args, says in [
        (["--shards", "2", "--shard-ids", "0"], "must share the store and its queue on PostgreSQL"),
        (["--shards", "two"], "MOTIF_SHARDS must be auto or a whole number"),
    ]:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "bot", *args], capture_output=True, text=True,
                              env=environ, timeout=120, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr
