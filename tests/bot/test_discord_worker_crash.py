"""A crash in one job never takes the service down: end to end, with the real bot, the fake Discord and real
spawned worker processes. The crash is the test-only fault `WorkerConfig.fault_kill_on_prompt` (what
MOTIF_FAULT_KILL_ON_PROMPT sets): the worker SIGKILLs itself, exactly as the kernel's OOM killer would.
"""

from __future__ import annotations

import asyncio
import dataclasses

from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, is_final
from tests.fakediscord import FakeInteraction, ResponseRecord

executor = discord_harness.executor
world = discord_harness.world

KILL = "crash-the-worker"
CLEAR = "Motif could not finish this piece"


def _said(record: ResponseRecord) -> str:
    return str(record.data.get("content") or "")


async def _until_failed(world: World, key: str, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        job = await world.store.get_job_by_key(key)
        if job is not None and job.state == "failed":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {key} was never recorded as failed")


async def test_a_job_that_kills_its_worker_costs_only_that_job(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    world.config = dataclasses.replace(world.config, fault_kill_on_prompt=KILL)
    # One piece an hour each: the crashed request must not use up the crashing member's allowance.
    await world.store.set_guild_settings(str(world.guild.id), rate_per_user_per_hour=1)
    replaced_before = world.executor.replaced
    async with fake.running(world.bot()):
        alice, bob, carol, dave = (fake.add_user(name) for name in ("alice", "bob", "carol", "dave"))
        await asyncio.sleep(0.2)  # member events reach the bot
        crash = await fake.user_invokes_slash(alice, general, "compose", {"prompt": f"waltz {KILL}, 4 bars"})
        others: list[FakeInteraction] = [
            await fake.user_invokes_slash(user, general, "compose", {"prompt": f"{style}, 4 bars"})
            for user, style in ((bob, "march"), (carol, "lullaby"), (dave, "reel"))
        ]
        answer = await fake.wait_for_response(crash, lambda r: CLEAR in _said(r), timeout=120)
        finals = await asyncio.gather(
            *(
                fake.wait_for_response(
                    i, answered, timeout=120
                )
                for i in others
            )
        )
        await _until_failed(world, f"interaction:{crash.id}")  # the answer is posted just before the record
        again = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "gigue, 4 bars"})
        fifth = await fake.wait_for_response(
            again, answered, timeout=120
        )

    assert "stopped twice (killed by SIGKILL" in _said(answer) and "Traceback" not in _said(answer)
    assert [r for r in fake.interaction_responses(crash) if CLEAR in _said(r)] == [answer]  # told once
    crash_messages = [m for m in fake.bot_messages_in(general) if m.interaction_id == crash.id]
    assert len(crash_messages) == 1 and not is_final(crash_messages[0])
    assert all(f.message is not None for f in finals) and fifth.message is not None
    for interaction in [*others, again]:  # nobody else's job was disturbed, let alone retried
        assert not any("attempt" in _said(r) for r in fake.interaction_responses(interaction))
    job = await world.store.get_job_by_key(f"interaction:{crash.id}")
    assert (
        job is not None and job.state == "failed" and job.attempts == 1
    )  # the pool's retry is not an attempt
    assert job.error is not None and job.error.startswith("worker crashed twice")
    assert world.executor.replaced == replaced_before + 2  # the first run's process, then the retry's
    assert await world.store.pending_jobs() == []
