"""Read-modify-writes racing from two stores on one database (two bot processes, or a bot and a CLI): on SQLite
the single writer serialises them; on PostgreSQL the advisory locks must give the same outcome."""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from storage import Store, StoreError
from tests.storage.factories import new_generation

SETTINGS = {"tempo_min": 60, "tempo_max": 180, "max_bars": 24, "audio": False, "genre": "jazz",
            "rate_per_user_per_hour": 7, "rate_per_guild_per_hour": 70, "instruments": ["piano"]}


async def test_concurrent_setting_changes_are_all_kept(store: Store, location: Path | str) -> None:
    async with Store.open(location) as other:
        for round_ in range(3):
            guild = f"g{round_}"
            await asyncio.gather(*(
                (store, other)[i % 2].set_guild_settings(guild, **{name: value})
                for i, (name, value) in enumerate(SETTINGS.items())
            ))
            assert await store.guild_overrides(guild) == SETTINGS


async def test_concurrent_ratings_by_one_user_leave_one(store: Store, location: Path | str) -> None:
    gen = await store.add_generation(new_generation())
    async with Store.open(location) as other:
        await asyncio.gather(*((store, other)[i % 2].add_feedback(gen.id, "discord:1", "rating", i % 5 + 1)
                               for i in range(20)))
    ratings = [f for f in await store.feedback_for(gen.id) if f.kind == "rating"]
    assert len(ratings) == 1


async def test_racing_presets_of_one_name_make_one(store: Store, location: Path | str) -> None:
    async with Store.open(location) as other:
        results = await asyncio.gather(
            *((store, other)[i % 2].add_preset("g1", "Noir" if i % 2 else "noir", prompt_suffix=f"take {i}")
              for i in range(10)), return_exceptions=True,
        )
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1 and all(isinstance(r, StoreError) for r in results if r not in made)
    assert [p.name.lower() for p in await store.list_presets("g1")] == ["noir"]


async def test_jobs_claimed_from_two_stores_each_run_once(store: Store, location: Path | str) -> None:
    count = 12
    for i in range(count):
        await store.enqueue_job(f"k{i}", "compose", {"n": i}, f"discord:{i % 3}")
    async with Store.open(location) as other:
        async def drain(owner: Store, worker: str) -> list[str]:
            done = []
            while (job := await owner.claim_next_job(worker, 60)) is not None:
                await owner.complete_job(job.id, {"by": worker}, worker_id=worker)
                done.append(job.id)
            return done

        batches = await asyncio.gather(*(drain((store, other)[i % 2], f"w{i}") for i in range(6)))
    finished = [job_id for batch in batches for job_id in batch]
    assert len(finished) == len(set(finished)) == count


def _drain_from_process(location: str, worker: str, barrier: Barrier) -> None:
    """Child process: a worker on 'another machine', claiming and finishing jobs until none are left."""

    async def drain() -> None:
        async with Store.open(location) as store:
            while (job := await store.claim_next_job(worker, 60)) is not None:
                await asyncio.sleep(0.005)  # the work: long enough that every process gets some
                await store.complete_job(job.id, {"by": worker}, worker_id=worker)

    barrier.wait(timeout=60)
    asyncio.run(drain())


async def test_worker_processes_sharing_one_queue_run_each_job_once(store: Store, location: Path | str) -> None:
    count = 60
    for i in range(count):
        await store.enqueue_job(f"k{i}", "compose", {"n": i}, f"discord:{i % 7}")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    workers = [context.Process(target=_drain_from_process, args=(str(location), f"proc-{n}", barrier))
               for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        await asyncio.to_thread(worker.join, 120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    jobs = [await store.get_job_by_key(f"k{i}") for i in range(count)]
    assert all(job is not None and job.state == "done" and job.attempts == 1 for job in jobs)
    assert len({job.result["by"] for job in jobs if job is not None and job.result}) >= 2  # they really shared it
