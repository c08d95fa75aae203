"""Queue load benchmark (not a test): 50 members x 4 /compose requests each, sent member by member in bursts
(the worst case for a FIFO queue), through the fake Discord, on both queues in one run:

- sqlite: the embedded default, one `motif bot` process running 3 lanes over 3 local worker processes;
- postgresql: a throwaway server (tests/pg_server.py), one `motif bot --external-queue` process (the
  gateway only) and 3 `motif worker` processes, one lane each, procrastinate running the jobs;
- pg_ack_alone: the same, the workers started once the burst is acknowledged (what the acknowledgement
  costs the bot without composing competing for the CPU).

Every bot and worker is a real process (tests/bot/remote_process.py); this process holds only the fake
Discord and the simulated members, so it measures the bot, not itself.

Reports acknowledgement p99, completion p50/p95 (from the request), and fairness: how far down the order of
finished pieces the last member's first piece came (FIFO would put it near 197 of 200; round robin by
member near 50), plus how many pieces each request was posted as (must be 1). Markov engine, no audio or
pictures, as the load test; on a shared machine the absolute times move with the neighbours, so compare
the two columns of one run.

Run: .venv/bin/python -m tests.bot.bench_queue [--users 50] [--per-user 4] [--workers 3] [--json] [--only COLUMN]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from storage import PostgresUrl, Store
from tests.bot.discord_harness import answered, is_final
from tests.bot.remote_harness import Remote, remotes
from tests.fakediscord import FakeDiscord, FakeInteraction, FakeUser
from tests.fakediscord.errors import FakeTimeoutError
from tests.pg_server import create_database, remove_server, start_server

WARM_S = 10.0
"""After the bot is connected, time for its worker processes to finish loading (workers wait for theirs)."""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _load(
    fake: FakeDiscord, users: int, per_user: int, after_acks: Callable[[], Awaitable[object]] | None = None
) -> dict[str, Any]:
    """Send the burst and wait for every piece; the figures. `after_acks` runs once every request has been
    acknowledged (or missed), before the pieces are awaited: workers started only then."""
    general = fake.channel("general")
    members = [fake.add_user(f"user{n}") for n in range(users)]
    await asyncio.sleep(0.3)  # member events reach the bot
    ack_s: list[float] = []
    done_s: list[float] = []
    finished: list[int] = []
    missed: list[int] = []

    async def follow(user: FakeUser, interaction: FakeInteraction, start: float) -> None:
        try:
            await fake.wait_for_response(interaction, lambda r: r.kind == "callback", timeout=30)
        except FakeTimeoutError:  # not acknowledged within Discord's 3 s: the person saw a failure
            missed.append(interaction.id)
            return
        ack_s.append(time.perf_counter() - start)
        await fake.wait_for_response(interaction, answered, timeout=900)
        done_s.append(time.perf_counter() - start)
        finished.append(user.id)

    began = time.perf_counter()
    followers = []
    for user in members:
        for n in range(per_user):
            start = time.perf_counter()
            interaction = await fake.user_invokes_slash(user, general, "compose", {"prompt": f"{2 + n} bars"})
            followers.append(asyncio.create_task(follow(user, interaction, start)))
    if after_acks is not None:
        while len(ack_s) + len(missed) < users * per_user:
            await asyncio.sleep(0.05)
        await after_acks()
    await asyncio.gather(*followers)
    wall_s = time.perf_counter() - began
    first_rank: dict[int, int] = {}
    for rank, user_id in enumerate(finished):
        first_rank.setdefault(user_id, rank)
    finals = [m for m in fake.bot_messages_in(general) if is_final(m)]
    return {
        "requests": users * per_user,
        "ack_p50_ms": round(statistics.median(ack_s) * 1000),
        "ack_p99_ms": round(_percentile(ack_s, 0.99) * 1000),
        "ack_missed": len(missed),
        "completion_p50_s": round(statistics.median(done_s), 1),
        "completion_p95_s": round(_percentile(done_s, 0.95), 1),
        "wall_s": round(wall_s, 1),
        "last_first_piece_rank": max(first_rank.values()) + 1,
        "posts_per_request": round(len(finals) / (users * per_user), 3),
        "refusals": len(fake.refusals),
    }


async def _bot_ready(bot: Remote, fake: FakeDiscord) -> None:
    await bot.wait_for_log("has connected to Gateway")
    await fake.wait_for(lambda: len(fake.gateway.connected_sessions()) == 1, timeout=30)
    await asyncio.sleep(WARM_S)


async def run_sqlite(folder: Path, users: int, per_user: int, workers: int) -> dict[str, Any]:
    """`motif bot` on a SQLite file: one process, `workers` lanes over its own worker processes."""
    fake = await FakeDiscord.start(token="bench-token", bot_name="Motif")
    fake.add_guild("Studio", channels=["general"])
    try:
        with remotes(fake, str(folder / "motif.db"), folder) as group:
            await _bot_ready(group.spawn("bot-local", lanes=workers), fake)
            return await _load(fake, users, per_user)
    finally:
        await fake.stop()


async def run_postgresql(
    folder: Path, users: int, per_user: int, workers: int, *, workers_after: bool = False
) -> dict[str, Any]:
    """`motif bot --external-queue` and `workers` `motif worker` processes (one lane each) on a fresh server.
    With `workers_after` the workers start once the burst is acknowledged: the bot acknowledges with the
    machine to itself, which shows how much of the acknowledgement time is composing's competition for CPU
    (completion times then include the workers' start)."""
    server = await asyncio.to_thread(start_server)
    fake = await FakeDiscord.start(token="bench-token", bot_name="Motif")
    fake.add_guild("Studio", channels=["general"])
    try:
        url = await create_database(server, prefix="bench")
        async with Store.open(PostgresUrl(url)):
            pass  # the tables, before several processes race to make them
        with remotes(fake, url, folder) as group:
            bot = group.spawn("bot")
            start = [group.worker() for _ in range(workers)]
            if workers_after:
                await _bot_ready(bot, fake)
                return await _load(fake, users, per_user, lambda: asyncio.gather(*start))
            await asyncio.gather(*start)
            await _bot_ready(bot, fake)
            return await _load(fake, users, per_user)
    finally:
        await fake.stop()
        await asyncio.to_thread(remove_server, server)


RUNS: dict[str, Callable[[Path, int, int, int], Awaitable[dict[str, Any]]]] = {
    "sqlite": run_sqlite,
    "postgresql": run_postgresql,
    "pg_ack_alone": functools.partial(run_postgresql, workers_after=True),
}
"""The columns: SQLite in one process; PostgreSQL with procrastinate and separate workers; the same with the
workers started after the burst was acknowledged (the acknowledgement without composing beside it)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=RUNS, help="Run one column only.")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="motif-bench-") as tmp:
        for name in RUNS:
            if args.only and name != args.only:
                continue
            run = RUNS[name]
            folder = Path(tmp) / name
            folder.mkdir()
            figures[name] = asyncio.run(run(folder, args.users, args.per_user, args.workers))
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.users} members x {args.per_user} requests, {args.workers} workers")
    print("".join(f"{name:>14}" for name in ["", *figures]))
    for key in next(iter(figures.values())):
        print(f"{key:>24}" + "".join(f"{figures[name][key]!s:>12}" for name in figures))


if __name__ == "__main__":
    main()
