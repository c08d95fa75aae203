"""Past one machine, end to end: the store and the queue on PostgreSQL, the bot as a gateway only, and
`motif worker`s as real separate processes posting through the fake Discord over HTTP.

The faults of issue 15: a worker killed with SIGKILL in the middle of a job (another worker takes the job
over once its lease runs out, and it is posted once), and two bot processes receiving the same interaction
(one job, one answer). The PostgreSQL outage under load is in test_discord_outage.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.discord_app.pool import ProcessGroup
from storage import PostgresUrl, Store
from tests.bot import discord_harness
from tests.bot.discord_harness import answered, is_final, job_when, open_world
from tests.bot.remote_harness import remotes
from tests.pg_server import PostgresServer, create_schema

executor = discord_harness.executor

LEASE_S = 3.0
"""Short, so the killed worker's job moves on within the test (production: 60 s)."""


async def test_a_worker_killed_mid_job_is_taken_over_and_posted_once(
    tmp_path: Path, executor: ProcessGroup, postgres_server: PostgresServer
) -> None:
    url = await create_schema(postgres_server, prefix="scale")
    async for world in open_world(tmp_path, executor, images=False, db=PostgresUrl(url)):
        fake, general = world.fake, world.guild.channel("general")
        await world.store.set_guild_settings(str(world.guild.id), max_bars=64)  # a long piece: time to kill it
        with remotes(fake, url, tmp_path) as group:
            doomed = await group.worker(lease_s=LEASE_S)
            async with fake.running(world.bot(run_queue=False, shared_queue=True)):
                alice, bob = fake.add_user("alice"), fake.add_user("bob")
                asked = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "a long march", "bars": 64})
                key = f"interaction:{asked.id}"
                first = await job_when(world.store, key, lambda j: j.state == "running")
                doomed.kill()  # the worker and its composing process, mid-job
                assert (await world.store.get_job_by_key(key)).state == "running"  # type: ignore[union-attr]
                await group.worker(lease_s=LEASE_S)
                piece = (await fake.wait_for_response(asked, answered, timeout=90)).message
                assert piece is not None
                reply = await fake.user_sends(bob, general, "faster", reply_to=piece)  # the bot finds it: a remix
                await fake.wait_for_bot_message(
                    general, lambda m, r=reply: m.reference_id == r.id and is_final(m), timeout=60
                )
        job = await world.store.get_job_by_key(key)
        assert job is not None and job.state == "done" and job.attempts == 2
        assert job.worker_id != first.worker_id  # finished by the second worker
        assert job.result is not None and job.result["message_id"] == str(piece.id)
        mine = [m for m in fake.bot_messages_in(general) if m.interaction_id == asked.id]
        assert len(mine) == 1 and is_final(mine[0])  # posted once: the takeover edited the same message
        assert len([m for m in fake.bot_messages_in(general) if is_final(m)]) == 2  # the piece and its remix
        assert any("attempt 2" in str(r.data.get("content")) for r in fake.interaction_responses(asked))
        assert fake.refusals == []


async def test_two_bot_processes_given_one_interaction_answer_it_once(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    from tests.fakediscord import FakeDiscord

    url = await create_schema(postgres_server, prefix="replicas")
    async with Store.open(PostgresUrl(url)) as store:  # the tables exist before three processes race to make them
        fake = await FakeDiscord.start(token="test-token", bot_name="Motif")
        try:
            guild = fake.add_guild("Studio", channels=["general"])
            general = guild.channel("general")
            with remotes(fake, url, tmp_path) as group:
                bots = [group.spawn("bot"), group.spawn("bot")]
                worker = await group.worker()
                for bot in bots:
                    await bot.wait_for_log("has connected to Gateway")
                await fake.wait_for(lambda: len(fake.gateway.connected_sessions()) == 2, timeout=30)
                alice = fake.add_user("alice")
                await asyncio.sleep(0.5)  # the member reaches both bots
                asked = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "a reel", "bars": 4})
                await fake.wait_for_response(asked, answered, timeout=90)
                await asyncio.sleep(1.0)  # time for a second answer, were one coming
                assert worker.process.poll() is None
            finals = [m for m in fake.bot_messages_in(general) if is_final(m)]
            assert len(finals) == 1 and finals[0].interaction_id == asked.id
            callbacks = [r for r in fake.interaction_responses(asked) if r.kind == "callback"]
            assert len(callbacks) == 1 and fake.refusals == []  # the second bot never tried to answer
            jobs = await store.count_jobs_since(
                (await store.get_job_by_key(f"interaction:{asked.id}")).created_at,  # type: ignore[union-attr]
                user_id=f"discord:{alice.id}",
            )
            assert jobs == 1
        finally:
            await fake.stop()


async def test_on_a_shared_queue_the_rate_limit_binds_in_the_insert_and_says_why(
    tmp_path: Path, executor: ProcessGroup, postgres_server: PostgresServer
) -> None:
    """No worker needed: the gateway-only bot accepts one piece an hour and refuses the second in words."""
    url = await create_schema(postgres_server, prefix="quota")
    async for world in open_world(tmp_path, executor, images=False, db=PostgresUrl(url)):
        fake, general = world.fake, world.guild.channel("general")
        await world.store.set_guild_settings(str(world.guild.id), rate_per_user_per_hour=1)
        async with fake.running(world.bot(run_queue=False, shared_queue=True)):
            alice = fake.add_user("alice")
            await asyncio.sleep(0.2)
            first = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "a jig", "bars": 4})
            second = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "a reel", "bars": 4})
            queued = await fake.wait_for_response(first, lambda r: "Queued" in str(r.data.get("content")), timeout=10)
            refused = await fake.wait_for_response(second, lambda r: r.kind == "callback", timeout=10)
            # released once acknowledged (just after the "Queued" edit)
            await job_when(world.store, f"interaction:{first.id}", lambda j: j.run_after is None, timeout_s=10)
        assert queued.message is not None
        assert "You have asked for 1 pieces in the last hour" in str(refused.data.get("content"))
        assert await world.store.get_job_by_key(f"interaction:{second.id}") is None
        job = await world.store.get_job_by_key(f"interaction:{first.id}")
        assert job is not None and job.state == "pending" and job.attempts == 0  # no worker here: it waits
