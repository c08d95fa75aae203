"""Load: 50 members x 4 /compose requests each, sent user by user in bursts (the worst case for a FIFO queue).

Every request must be acknowledged within Discord's deadline and answered exactly once, and nobody may
wait behind another member's whole batch. Prints ack p99 and completion p50/p95 (run with -s to see).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.discord_app.pool import ProcessGroup
from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, is_final, open_world
from tests.fakediscord import FakeInteraction, FakeUser

executor = discord_harness.executor

USERS, PER_USER = 50, 4


@pytest.fixture
async def quick_world(tmp_path: Path, executor: ProcessGroup) -> AsyncIterator[World]:
    async for opened in open_world(tmp_path, executor, images=False):
        yield opened


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def test_fifty_users_four_requests_each(quick_world: World) -> None:
    world, fake = quick_world, quick_world.fake
    general = world.guild.channel("general")
    finished: list[tuple[int, int]] = []  # (user id, interaction id) in completion order
    ack_s: list[float] = []
    done_s: list[float] = []

    async def follow(user: FakeUser, interaction: FakeInteraction, start: float) -> None:
        await fake.wait_for_response(interaction, lambda r: r.kind == "callback", timeout=30)
        ack_s.append(time.perf_counter() - start)
        await fake.wait_for_response(
            interaction, answered, timeout=240
        )
        done_s.append(time.perf_counter() - start)
        finished.append((user.id, interaction.id))

    async with fake.running(world.bot()):
        users = [fake.add_user(f"user{n}") for n in range(USERS)]
        await asyncio.sleep(0.2)  # member events reach the bot
        followers = []
        for user in users:
            for n in range(PER_USER):
                start = time.perf_counter()
                interaction = await fake.user_invokes_slash(
                    user, general, "compose", {"prompt": f"{2 + n} bars"}
                )
                followers.append(asyncio.create_task(follow(user, interaction, start)))
        await asyncio.gather(*followers)

    assert len(finished) == USERS * PER_USER and fake.refusals == []
    finals = [m for m in fake.bot_messages_in(general) if is_final(m)]
    assert len(finals) == USERS * PER_USER  # exactly once each
    assert len({m.interaction_id for m in finals}) == USERS * PER_USER
    assert await world.store.pending_jobs() == []
    first_rank = {}
    for rank, (user_id, _) in enumerate(finished):
        first_rank.setdefault(user_id, rank)
    worst_first = max(first_rank.values())
    print(
        f"\nload {USERS}x{PER_USER}: ack p99 {_percentile(ack_s, 0.99) * 1000:.0f} ms, completion p50"
        f" {statistics.median(done_s):.1f} s, p95 {_percentile(done_s, 0.95):.1f} s; every member's first piece"
        f" within the first {worst_first + 1} of {len(finished)} finished"
    )
    assert _percentile(ack_s, 0.99) < 3.0
    assert worst_first < USERS + 2 * PER_USER  # FIFO would make the last member wait for ~196 pieces
