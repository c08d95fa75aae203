"""PostgreSQL stops for 10 s in the middle of a load run: the gateway-only bot, two real `motif worker`
processes, the fake Discord. Requests that arrive while the store is down are answered `BUSY` at once (never
a failed interaction, never a traceback); every request acknowledged before or after the outage is composed
and posted exactly once; jobs in flight when the server went away finish after it comes back."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bot.discord_app.intake import BUSY
from bot.discord_app.pool import ProcessGroup
from storage import PostgresUrl
from tests.bot import discord_harness
from tests.bot.discord_harness import answered, is_final, open_world
from tests.bot.remote_harness import remotes
from tests.fakediscord import FakeChannel, FakeDiscord, FakeInteraction, FakeUser
from tests.pg_server import PostgresServer, create_schema

executor = discord_harness.executor

OUTAGE_S = 10.0
LEASE_S = 5.0
"""Shorter than the outage: a job in flight whose worker could not record its end is taken over by lease."""
USERS = 6
RECOVERY_BOUND_S = 3 * LEASE_S
"""From the server's return to the first job a worker starts after it: the watchdog's next beat (a third of
the lease) restarts procrastinate's worker (1 s), which fetches at once; typically 0.3-1.7 s, 6.6 s once on a
fresh clone of a busy 2-core machine (its reconnects wait on the machine too). The bound guards against the bug
it was written for: workers that never recover and look stalled for good. The speed is a figure to read in the
printed line, not a test's to time; what comes after is composing."""


def fake_ask(
    fake: FakeDiscord, users: list[FakeUser], channel: FakeChannel, n: int, bars: int
) -> Awaitable[FakeInteraction]:
    """/compose from the n-th request's member (members take turns)."""
    return fake.user_invokes_slash(users[n % len(users)], channel, "compose", {"prompt": f"a reel number {n}", "bars": bars})


async def _first_post_after(fake: FakeDiscord, channel: FakeChannel, seen: set[int]) -> float:
    """When (monotonic) a finished piece not in `seen` first shows in the channel."""
    while not any(is_final(m) and m.id not in seen for m in fake.bot_messages_in(channel)):
        await asyncio.sleep(0.05)
    return time.monotonic()


async def _first_start_after(url: str, moment: datetime) -> float:
    """Seconds from `moment` to the first job a worker started after it (procrastinate's events table)."""
    conn = await asyncpg.connect(url)
    try:
        first = await conn.fetchval("SELECT min(at) FROM procrastinate_events WHERE type = 'started' AND at > $1",
                                    moment)
    finally:
        await conn.close()
    assert first is not None, "no job started after the outage"
    return (first - moment).total_seconds()


def _said(interaction: FakeInteraction) -> list[str]:
    return [str(r.data.get("content") or "") for r in interaction.responses]


async def test_a_ten_second_postgresql_outage_loses_nothing_accepted(
    tmp_path: Path, executor: ProcessGroup, own_postgres_server: PostgresServer
) -> None:
    url = await create_schema(own_postgres_server, prefix="outage")
    async for world in open_world(tmp_path, executor, images=False, db=PostgresUrl(url)):
        fake, general = world.fake, world.guild.channel("general")
        with remotes(fake, url, tmp_path) as group:
            await asyncio.gather(group.worker(lease_s=LEASE_S), group.worker(lease_s=LEASE_S))
            async with fake.running(world.bot(run_queue=False, shared_queue=True)):
                users = [fake.add_user(f"user{n}") for n in range(USERS)]
                await asyncio.sleep(0.3)  # member events reach the bot

                ask = functools.partial(fake_ask, fake, users, general)
                before = [await ask(n, 8) for n in range(USERS)]  # a queue the workers are still on
                for interaction in before:
                    await fake.wait_for_response(interaction, lambda r: r.kind == "callback", timeout=10)
                health = await world.store.queue_health()
                assert health.pending + health.running > 0  # the outage hits work in hand, not an idle queue
                await asyncio.to_thread(own_postgres_server.stop)
                down_at = time.monotonic()
                during = [await ask(n, 4) for n in range(3)]
                for interaction in during:
                    await fake.wait_for_response(interaction, lambda r: r.kind == "callback", timeout=10)
                await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
                posted_before = {m.id for m in fake.bot_messages_in(general) if is_final(m)}
                await asyncio.to_thread(own_postgres_server.launch)
                back_at, back_wall = time.monotonic(), datetime.now(UTC)
                watcher = asyncio.create_task(_first_post_after(fake, general, posted_before))
                after = [await ask(n, 4) for n in range(3)]
                acked_s = []
                for interaction in after:
                    await fake.wait_for_response(interaction, lambda r: r.kind == "callback", timeout=10)
                    acked_s.append(time.monotonic() - back_at)
                accepted = before + after
                for interaction in accepted:
                    await fake.wait_for_response(interaction, answered, timeout=120)
                posted_s = await watcher - back_at
                all_done_s = time.monotonic() - back_at
                resumed_s = await _first_start_after(url, back_wall)
                print(f"outage recovery: a job started {resumed_s:.1f} s after the server was back, the first piece"
                      f" posted after {posted_s:.1f} s, requests after it acknowledged within {max(acked_s):.2f} s,"
                      f" all {len(accepted)} posted after {all_done_s:.1f} s")
                assert resumed_s < RECOVERY_BOUND_S

        for interaction in during:  # told at once, in words, and nothing stored for them
            assert _said(interaction) == [BUSY]
            assert await world.store.get_job_by_key(f"interaction:{interaction.id}") is None
        finals = [m for m in fake.bot_messages_in(general) if is_final(m)]
        assert sorted(m.interaction_id for m in finals) == sorted(i.id for i in accepted)  # each once, none lost
        for interaction in accepted:
            job = await world.store.get_job_by_key(f"interaction:{interaction.id}")
            assert job is not None and job.state == "done", job
        assert not any("Traceback" in text for i in accepted + during for text in _said(i))
