"""Durability: accepted jobs survive a restart and are answered once; old buttons keep working."""

from __future__ import annotations

import discord

from tests.bot import discord_harness
from tests.bot.discord_harness import World, generation_id, is_final

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
    assert sorted(j.idempotency_key for j in pending) == sorted([f"interaction:{slash.id}", f"message:{mention.id}"])

    async with fake.running(world.bot()):
        final = await fake.wait_for_response(slash, lambda r: r.message is not None and is_final(r.message),
                                             timeout=60)
        reply = await fake.wait_for_bot_message(general, lambda m: m.reference_id == mention.id and is_final(m),
                                                timeout=60)
    assert final.message is not None
    answers = [m for m in fake.bot_messages_in(general) if m.reference_id == mention.id]
    assert [m.id for m in answers] == [reply.id]  # the queued reply was edited, not a second one posted
    for key in (f"interaction:{slash.id}", f"message:{mention.id}"):
        job = await world.store.get_job_by_key(key)
        assert job is not None and job.state == "done"

    gen = generation_id(final.message)
    async with fake.running(world.bot()):  # a third process: the buttons posted by the second still work
        click = await fake.user_clicks(bob, final.message, f"motif:variation:{gen}")
        variation = await fake.wait_for_response(click, lambda r: r.message is not None and is_final(r.message),
                                                 timeout=60)
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
        await fake.wait_for_bot_message(general, lambda m: m.reference_id == sent.id and is_final(m), timeout=60)
        channel = bot.get_channel(general.id)
        assert isinstance(channel, discord.TextChannel)
        again = await channel.fetch_message(sent.id)
        await bot.on_message(again)  # the gateway redelivers the same message
        await bot.on_message(again)
    answers = [m for m in fake.bot_messages_in(general) if m.reference_id == sent.id]
    assert len(answers) == 1
    generations = await world.store.list_generations(f"discord:{alice.id}")
    assert len(generations) == 1
