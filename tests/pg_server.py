"""A throwaway PostgreSQL server for the test session: `initdb` into a temporary folder, `postgres` on a Unix
socket in that folder, stopped (and the folder removed) when the session ends.

Why this shape: CI is a fresh Debian machine running as root with only the Makefile's apt packages, and
`initdb` refuses to run as root, so the server runs as an unprivileged system user (`postgres`, which
Debian's package creates, else `nobody`) owning the folder. No TCP port is opened: the socket lives in the
folder, so parallel sessions never collide. When PostgreSQL cannot start, `PostgresUnavailable` says why
(missing binaries, the server's own log) and the tests that need it fail; nothing is skipped.
"""

from __future__ import annotations

import ctypes
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

SUPERUSER = "motif"
"""The database superuser `initdb` creates; clients connect as it over the socket (trust authentication)."""
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
_numbers = itertools.count(1)
SHARED_DATABASE = "motif_tests"
"""The database most tests share, each in a schema of its own (created when the server starts)."""
BIN_ENV = "MOTIF_PG_BIN"
"""Names the folder holding initdb and postgres when they are neither on PATH nor in Debian's place."""


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found or started; the message says what to install or what the server logged."""


def find_binaries(env: dict[str, str] | None = None) -> Path:
    """The folder with `initdb` and `postgres`: $MOTIF_PG_BIN, else PATH, else Debian's
    /usr/lib/postgresql/<newest>/bin (the package does not put them on PATH)."""
    environ = os.environ if env is None else env
    candidates: list[Path] = []
    if environ.get(BIN_ENV):
        candidates.append(Path(environ[BIN_ENV]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                      if Path(p).parent.name.isdigit() else 0, reverse=True)
    candidates.extend(Path(p) for p in versions)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    raise PostgresUnavailable(
        "PostgreSQL's initdb/postgres were not found (looked in $MOTIF_PG_BIN, PATH and /usr/lib/postgresql/*/bin);"
        " install Debian's 'postgresql' package (`make setup` does)"
    )


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (ourselves) unless we are root, which initdb refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL as")


def _die_with_parent() -> None:
    """Runs in the child before exec: a test session killed with SIGKILL must not leave a server behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One running server; `dsn(database)` names a database on it."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    bin_dir: Path = field(default_factory=find_binaries)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    def dsn(self, database: str = "postgres", schema: str | None = None) -> str:
        """A libpq/asyncpg URL for `database` over the socket in `folder` (what `--db` takes); with `schema`,
        its tables are made and found there (`options=-csearch_path=...`, which both libpq and asyncpg pass)."""
        url = f"postgresql://{SUPERUSER}@/{database}?host={self.folder}&port={self.port}"
        return url if schema is None else f"{url}&options=-csearch_path%3D{schema}"

    def _run_as(self, user: pwd.struct_passwd | None) -> dict[str, object]:
        if user is None:
            return {"preexec_fn": _die_with_parent}
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "preexec_fn": _die_with_parent}

    def start(self) -> None:
        """initdb, then start postgres and wait until it accepts connections; on failure stop and say why."""
        user = _server_user()
        if user is not None:
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        initdb = subprocess.run(
            [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
            cwd=self.folder, capture_output=True, timeout=120, check=False, **self._run_as(user),  # type: ignore[arg-type]
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({initdb.returncode}): {initdb.stderr.decode(errors='replace')}")
        self.launch()
        try:
            subprocess.run([str(self.bin_dir / "createdb"), "-h", str(self.folder), "-p", str(self.port),
                            "-U", SUPERUSER, SHARED_DATABASE], capture_output=True, timeout=60, check=True)
        except subprocess.CalledProcessError as exc:
            self.stop()
            raise PostgresUnavailable(f"createdb failed: {exc.stderr.decode(errors='replace')}") from None
        except BaseException:
            self.stop()
            raise

    def launch(self) -> None:
        """Start postgres on the existing data folder and wait until it is ready (also after `stop`: an outage)."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server writes it for its whole life
        try:
            self.process = subprocess.Popen(
                [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                 "-c", "listen_addresses=", "-c", f"unix_socket_directories={self.folder}",
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=300", "-c", "shared_buffers=32MB"],
                cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, **self._run_as(_server_user()),  # type: ignore[arg-type]
            )
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        """postgres writes 'ready' as the 8th line of postmaster.pid once it accepts connections."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        pid_file = self.data_dir / "postmaster.pid"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited with {self.process.returncode}: {self.log_tail()}")
            try:
                lines = pid_file.read_text().splitlines()
            except OSError:
                lines = []
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return
            time.sleep(0.05)
        raise PostgresUnavailable(f"postgres was not ready within {READY_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Fast shutdown (SIGINT: open sessions are cut), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server() -> PostgresServer:
    """A fresh, running server in a new temporary folder (under /tmp: the server user must reach it, and a
    Unix socket path must stay short)."""
    folder = Path(tempfile.mkdtemp(prefix="motif-pg-", dir="/tmp"))
    try:
        server = PostgresServer(folder=folder, port=_free_port())
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def remove_server(server: PostgresServer) -> None:
    """Stop the server and delete its folder (data, socket and log)."""
    try:
        server.stop()
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


async def create_database(server: PostgresServer, prefix: str = "motif") -> str:
    """A new, empty database on `server` (from template0, so nothing leaks between tests), as a URL: for tests
    about a whole database (pg_dump takes every schema). It costs about half a second and 8 MB, so most tests
    take a schema instead (`create_schema`). Never dropped: the whole server goes at the end of the session."""
    name = f"{prefix}_{next(_numbers)}"
    admin = await asyncpg.connect(server.dsn("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await admin.close()
    return server.dsn(name)


async def create_schema(server: PostgresServer, prefix: str = "store") -> str:
    """A new, empty schema in the shared database, as a URL whose search_path is that schema: a store opened
    on it sees only its own tables, as on a database of its own, for a few milliseconds."""
    name = f"{prefix}_{next(_numbers)}"
    conn = await asyncpg.connect(server.dsn(SHARED_DATABASE))
    try:
        await conn.execute(f'CREATE SCHEMA "{name}"')
    finally:
        await conn.close()
    return server.dsn(SHARED_DATABASE, schema=name)
