"""Writer process for the kill -9 test: writes generations and jobs forever, logging each commit.

Run: python -m tests.storage.crash_writer DB LOG RUN

Every line goes to LOG with one `os.write` only *after* the store call that committed it returned, so
whatever the log names must be in the database no matter when the process is killed:

    ready RUN
    gen ID SHA256_OF_MIDI PARENT_ID_OR_-
    job ID KEY
    done ID GEN_ID
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import sys

from storage import Store
from tests.storage.factories import midi_bytes, new_generation


class CommitLog:
    """Append-only log; a line is written whole by one system call, so a kill never leaves half a line."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, *fields: str) -> None:
        os.write(self._fd, (" ".join(fields) + "\n").encode())


async def write_forever(db: str, log: CommitLog, run: int) -> None:
    """Add a generation (often a remix of the last one), enqueue a job for it, claim and complete one."""
    rng = random.Random(run)
    async with Store.open(db) as store:
        log.write("ready", str(run))
        parent: str | None = None
        for i in range(1_000_000):
            midi = midi_bytes(rng.randint(100, 30_000), seed=run * 1_000_000 + i)
            gen = await store.add_generation(new_generation(seed=i, midi=midi, parent_id=parent, author="local:crash"))
            log.write("gen", gen.id, hashlib.sha256(midi).hexdigest(), gen.parent_id or "-")
            parent = gen.id if rng.random() < 0.7 else None
            key = f"run{run}-{i}"
            job, _ = await store.enqueue_job(key, "compose", {"generation_id": gen.id}, "local:crash")
            log.write("job", job.id, key)
            claimed = await store.claim_next_job(f"writer-{run}", 600.0)
            if claimed is not None:
                await store.complete_job(claimed.id, {"generation_id": claimed.payload["generation_id"]})
                log.write("done", claimed.id, claimed.payload["generation_id"])


def main() -> None:
    db, log_path, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
    asyncio.run(write_forever(db, CommitLog(log_path), run))


if __name__ == "__main__":
    main()
