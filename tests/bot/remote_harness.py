"""Real worker and bot processes for the scale-out tests: started as `tests.bot.remote_process` children
in a process group of their own (so `kill -9` takes a worker with its composing processes, as when its
machine dies), logging to a file the test reads, and always stopped at the end."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.bot.remote_process import READY_LINE
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0


@dataclass
class Remote:
    """One child process: its role, its log, and how to end it."""

    role: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole group: the worker and its composing processes die at once, mid-whatever."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout_s: float = 20.0) -> None:
        """SIGTERM (a graceful stop), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    async def wait_for_log(self, text: str, timeout_s: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.role} exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.role} never logged {text!r}:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)


@dataclass
class Remotes:
    """Every child a test started; `close` ends those still running."""

    fake: FakeDiscord
    db_url: str
    folder: Path
    started: list[Remote] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return os.environ | {
            "DISCORD_TOKEN": self.fake.token, "MOTIF_DB": self.db_url, "MOTIF_OUT": str(self.folder / "files"),
            "MOTIF_ENGINE": "markov", "MOTIF_AUDIO": "0", "PYTHONPATH": str(ROOT),
        }

    def spawn(self, role: str, lanes: int = 1, lease_s: float = 60.0) -> Remote:
        log_path = self.folder / f"{role}-{len(self.started)}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.bot.remote_process", role, self.fake.base_url, self.fake.gateway_url,
                 str(lanes), str(lease_s)],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        remote = Remote(role, process, log_path)
        self.started.append(remote)
        return remote

    async def worker(self, lanes: int = 1, lease_s: float = 60.0) -> Remote:
        """A worker, once it is logged in and its lanes run."""
        remote = self.spawn("worker", lanes, lease_s)
        await remote.wait_for_log(READY_LINE)
        return remote

    def close(self) -> None:
        for remote in self.started:
            remote.stop(timeout_s=5.0)


@contextlib.contextmanager
def remotes(fake: FakeDiscord, db_url: str, folder: Path) -> Iterator[Remotes]:
    group = Remotes(fake, db_url, folder)
    try:
        yield group
    finally:
        group.close()
