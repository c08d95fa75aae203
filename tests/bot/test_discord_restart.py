"""Durability: accepted jobs survive a restart and are answered once; old buttons keep working."""

from __future__ import annotations

import asyncio
from typing import Any

import discord

from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, generation_id, is_final

executor = discord_harness.executor
world = discord_harness.world


async def test_pending_jobs_resume_after_restart_and_old_buttons_work(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    first = world.bot(run_queue=False)  # accepts and acknowledges, then "crashes" before composing
    async with fake.running(first):
        alice, bob = fake.add_user("alice"), fake.add_user("bob")
        slash = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "march, 4 bars"})
        await fake.wait_for_response(slash, lambda r: r.message is not None and "Queued" in r.message.content)
        mention = await fake.user_sends(bob, general, "lullaby, 4 bars", mentions_bot=True)
        await fake.wait_for_bot_message(general, lambda m: m.reference_id == mention.id)
    pending = await world.store.pending_jobs()
    assert sorted(j.idempotency_key for j in pending) == sorted(
        [f"interaction:{slash.id}", f"message:{mention.id}"]
    )

    async with fake.running(world.bot()):
        final = await fake.wait_for_response(
            slash, answered, timeout=60
        )
        reply = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == mention.id and is_final(m), timeout=60
        )
    assert final.message is not None
    answers = [m for m in fake.bot_messages_in(general) if m.reference_id == mention.id]
    assert [m.id for m in answers] == [reply.id]  # the queued reply was edited, not a second one posted
    for key in (f"interaction:{slash.id}", f"message:{mention.id}"):
        job = await world.store.get_job_by_key(key)
        assert job is not None and job.state == "done"

    gen = generation_id(final.message)
    async with fake.running(world.bot()):  # a third process: the buttons posted by the second still work
        click = await fake.user_clicks(bob, final.message, f"motif:variation:{gen}")
        variation = await fake.wait_for_response(
            click, answered, timeout=60
        )
    assert variation.message is not None
    child = await world.store.get_generation(generation_id(variation.message))
    assert child is not None and child.parent_id == gen and child.author == f"discord:{bob.id}"


async def test_a_request_delivered_twice_is_answered_once(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    bot = world.bot()
    async with fake.running(bot):
        alice = fake.add_user("alice")
        sent = await fake.user_sends(alice, general, "jig, 4 bars", mentions_bot=True)
        await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == sent.id and is_final(m), timeout=60
        )
        channel = bot.get_channel(general.id)
        assert isinstance(channel, discord.TextChannel)
        again = await channel.fetch_message(sent.id)
        await bot.on_message(again)  # the gateway redelivers the same message
        await bot.on_message(again)
    answers = [m for m in fake.bot_messages_in(general) if m.reference_id == sent.id]
    assert len(answers) == 1
    generations = await world.store.list_generations(f"discord:{alice.id}")
    assert len(generations) == 1


async def test_rate_limit_still_holds_after_a_restart(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    await world.store.set_guild_settings(str(world.guild.id), rate_per_user_per_hour=2)
    async with fake.running(world.bot(run_queue=False)):
        alice = fake.add_user("alice")
        for prompt in ("reel, 2 bars", "jig, 2 bars"):
            accepted = await fake.user_invokes_slash(alice, general, "compose", {"prompt": prompt})
            await fake.wait_for_response(accepted, lambda r: "Queued" in str(r.data.get("content")))
    async with fake.running(world.bot(run_queue=False)):  # a new process: nothing counted in memory
        third = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "hornpipe, 2 bars"})
        refusal = await fake.wait_for_response(third)
    assert refusal.message is not None and refusal.message.ephemeral
    assert (
        "2 pieces in the last hour" in refusal.message.content
        and "Try again in about 60 min" in refusal.message.content
    )
    assert await world.store.get_job_by_key(f"interaction:{third.id}") is None


async def _stored_result(world: World, key: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """The result a job holds once its failed attempt has been recorded."""
    for _ in range(int(timeout_s / 0.05)):
        job = await world.store.get_job_by_key(key)
        if job is not None and job.result is not None:
            return job.result
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {key} never recorded a result")


async def test_a_failed_post_is_retried_from_the_stored_piece_without_composing_again(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    bot = world.bot(run_queue=False)
    async with fake.running(bot):
        alice = fake.add_user("alice")
        asked = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "gavotte, 2 bars"})
        await fake.wait_for_response(asked, lambda r: "Queued" in str(r.data.get("content")))
        fake.set_attachment_limit(100)  # the server lost its boost: Discord refuses the upload (413)
        bot.queue.start()
        await fake.wait_for(
            lambda: [r for r in fake.refusals if "40005" in r], timeout=60, what="a refused upload"
        )
        key = f"interaction:{asked.id}"
        kept = await _stored_result(world, key)
        assert "composed" in kept and kept["composed"]["id"]
        fake.set_attachment_limit(10 * 1024 * 1024)
        final = await fake.wait_for_response(
            asked, answered, timeout=60
        )
    assert final.message is not None
    job = await world.store.get_job_by_key(key)
    assert job is not None and job.state == "done" and job.attempts == 2
    assert job.result is not None and generation_id(final.message) == job.result["generation_id"]
    assert job.result["generation_id"] == kept["composed"]["id"]
    assert len(await world.store.list_generations(f"discord:{alice.id}")) == 1  # composed once
    assert len([m for m in fake.bot_messages_in(general) if is_final(m)]) == 1  # posted once
    contents = [str(r.data.get("content")) for r in fake.interaction_responses(asked)]
    assert any("attempt 2" in c for c in contents)
