"""Waiting replies keep their queue position current as the queue drains (edited in place, throttled)."""

from __future__ import annotations

import re

from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered

executor = discord_harness.executor
world = discord_harness.world

POSITION = re.compile(r"Queued: position (\d+)")


async def test_waiting_reply_moves_up_before_composing(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    bot = world.bot(lanes=1, run_queue=False, progress_interval_s=0.5)
    async with fake.running(bot):
        users = [fake.add_user(name) for name in ("ann", "ben", "cat")]
        asked = []
        for user in users:
            interaction = await fake.user_invokes_slash(
                user, general, "compose", {"prompt": "folk tune, 2 bars"}
            )
            await fake.wait_for_response(interaction, lambda r: "Queued" in str(r.data.get("content")))
            asked.append(interaction)
        bot.queue.start()  # one lane drains the three in order
        for interaction in asked:
            await fake.wait_for_response(
                interaction, answered, timeout=60
            )
    for start, interaction in enumerate(asked, start=1):
        contents = [
            str(r.data.get("content"))
            for r in fake.interaction_responses(interaction)
            if r.kind == "edit_original"
        ]
        positions = [int(m[1]) for c in contents if (m := POSITION.match(c))]
        composing = next(i for i, c in enumerate(contents) if c.startswith("Composing"))
        queued_before = [int(m[1]) for c in contents[:composing] if (m := POSITION.match(c))]
        assert positions[0] == start and queued_before == positions  # no position shown after composing began
        assert positions == sorted(positions, reverse=True) and len(set(positions)) == len(positions)
        assert not any(POSITION.match(c) for c in contents[composing:])
    last = [
        int(m[1])
        for r in fake.interaction_responses(asked[2])
        if r.kind == "edit_original"
        if (m := POSITION.match(str(r.data.get("content"))))
    ]
    assert last[0] == 3 and min(last) < 3  # the third reply moved up before it started
