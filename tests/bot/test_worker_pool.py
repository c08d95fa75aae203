"""The worker pool survives its workers: real spawned processes, killed for real (no mocks, no patches).

A worker that dies costs only the call it was running: that call is run once more on a fresh process and
then given up with `WorkerCrashed`; the pool keeps serving; a call on another worker is not disturbed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.discord_app.pool import ProcessGroup, WorkerCrashed, crash_reason, start_workers
from bot.failures import out_of_memory
from bot.settings import SettingsError, load_settings

MEMORY_CAP_BYTES = 1536 * 1024 * 1024


@pytest.fixture(scope="module")
def group() -> Iterator[ProcessGroup]:
    processes = start_workers(2, "markov", MEMORY_CAP_BYTES)
    try:
        yield processes
    finally:
        processes.shutdown(wait=True, cancel_futures=True)


def die_once(marker: str) -> int:
    """Kill this worker the first time (as the OOM killer would), answer with the pid the second time."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


async def test_a_worker_killed_twice_by_one_call_is_reported_and_the_next_call_works(
    group: ProcessGroup,
) -> None:
    before = group.replaced
    with pytest.raises(WorkerCrashed) as crashed:
        await group.call(os._exit, 3)
    assert crashed.value.reason == "exited with code 3"
    assert group.replaced == before + 2  # the first run, then one retry on a fresh process
    assert await group.call(int, "42") == 42


async def test_a_call_whose_worker_dies_once_is_run_again_on_a_fresh_process(
    group: ProcessGroup, tmp_path: Path
) -> None:
    before = group.replaced
    pid = await group.call(die_once, str(tmp_path / "marker"))
    assert pid != os.getpid() and group.replaced == before + 1


async def test_a_crash_on_one_worker_does_not_disturb_a_call_on_the_other(group: ProcessGroup) -> None:
    slow = asyncio.create_task(group.call(slow_pid, 1.5))
    await asyncio.sleep(0.3)  # the slow call holds one slot
    with pytest.raises(WorkerCrashed):
        await group.call(os._exit, 1)
    pid = await slow
    assert pid > 0  # answered by its own, untouched process


async def test_a_worker_killed_from_outside_while_idle_is_replaced_at_the_next_call(
    group: ProcessGroup,
) -> None:
    pids = set(await asyncio.gather(group.call(slow_pid, 0.3), group.call(slow_pid, 0.3)))
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.5)
    fresh = set(await asyncio.gather(group.call(slow_pid, 0.1), group.call(slow_pid, 0.1)))
    assert fresh.isdisjoint(pids)


async def test_an_ordinary_exception_comes_back_as_itself_without_a_retry(group: ProcessGroup) -> None:
    before = group.replaced
    with pytest.raises(ValueError, match="invalid literal"):
        await group.call(int, "not a number")
    assert group.replaced == before


async def test_an_allocation_beyond_the_memory_cap_is_a_memory_error_not_a_dead_worker(
    group: ProcessGroup,
) -> None:
    before = group.replaced
    with pytest.raises(MemoryError):
        await group.call(bytearray, 2 * MEMORY_CAP_BYTES)
    assert group.replaced == before
    assert await group.call(len, "still here") == 10


async def test_waiting_calls_take_turns_when_every_worker_is_busy(group: ProcessGroup) -> None:
    pids = await asyncio.gather(*(group.call(slow_pid, 0.2) for _ in range(6)))
    assert len(pids) == 6 and len(set(pids)) <= group.size


def test_crash_reasons_read_as_words() -> None:
    assert crash_reason(-signal.SIGKILL).startswith(
        "killed by SIGKILL, usually a sign the machine ran out of memory"
    )
    assert crash_reason(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert crash_reason(1) == "exited with code 1"
    assert crash_reason(0) == "exited without answering"
    assert crash_reason(None) == "stopped abruptly"


def test_torch_allocator_refusals_count_as_out_of_memory() -> None:
    assert out_of_memory(MemoryError())
    assert out_of_memory(
        RuntimeError("[enforce fail at alloc_cpu.cpp:83] DefaultCPUAllocator: can't allocate memory")
    )
    assert not out_of_memory(RuntimeError("shape mismatch"))


def test_settings_carry_the_memory_cap_and_the_test_fault() -> None:
    base = {"DISCORD_TOKEN": "t", "MOTIF_DB": "/tmp/motif-settings-test.db"}
    settings = load_settings(base)
    assert settings.worker_memory_mb == 3072 and settings.fault_kill_on_prompt is None
    chosen = load_settings(base | {"MOTIF_WORKER_MEMORY_MB": "0", "MOTIF_FAULT_KILL_ON_PROMPT": "boom"})
    assert chosen.worker_memory_mb == 0 and chosen.fault_kill_on_prompt == "boom"
    with pytest.raises(SettingsError, match="MOTIF_WORKER_MEMORY_MB"):
        load_settings(base | {"MOTIF_WORKER_MEMORY_MB": "100"})


async def test_a_call_that_hangs_is_stopped_at_the_time_limit_and_the_slot_serves_again() -> None:
    processes = start_workers(1, "markov", None, call_timeout_s=3.0)
    try:
        await processes.call(int, "1")  # started and warm, so the limit times the call, not the start
        with pytest.raises(WorkerCrashed) as overran:
            await processes.call(slow_pid, 120.0)
        assert "ran past the 3 s limit" in overran.value.reason
        assert overran.value.sentence.startswith("it took too long and was stopped")
        assert processes.replaced == 1  # killed and replaced once: a hang is not run a second time
        assert await processes.call(int, "7") == 7
    finally:
        processes.shutdown(wait=True, cancel_futures=True)


def test_job_timeout_and_retention_are_read_once_at_the_edge() -> None:
    settings = load_settings({"DISCORD_TOKEN": "t", "MOTIF_JOB_TIMEOUT_S": "90", "MOTIF_JOB_RETENTION_DAYS": "2"})
    assert (settings.job_timeout_s, settings.job_retention_days) == (90, 2)
    with pytest.raises(SettingsError, match="MOTIF_JOB_TIMEOUT_S"):
        load_settings({"DISCORD_TOKEN": "t", "MOTIF_JOB_TIMEOUT_S": "5"})
