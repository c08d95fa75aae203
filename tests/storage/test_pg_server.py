"""The throwaway PostgreSQL the store tests use (tests/pg_server.py): run unprivileged, reachable only through
the socket in its own folder, restartable under an open store, and gone (process and folder) once removed."""

from __future__ import annotations

import os
import pwd

import asyncpg
import pytest

from storage import Store
from tests.pg_server import PostgresServer, create_database, find_binaries, remove_server, start_server


async def test_the_session_server_runs_unprivileged_on_its_own_socket(postgres_server: PostgresServer) -> None:
    conn = await asyncpg.connect(postgres_server.dsn())
    try:
        assert await conn.fetchval("SHOW listen_addresses") == ""  # no TCP port at all
        assert await conn.fetchval("SHOW unix_socket_directories") == str(postgres_server.folder)
        assert await conn.fetchval("SHOW fsync") == "off"
    finally:
        await conn.close()
    owner = os.stat(postgres_server.data_dir).st_uid
    if os.geteuid() == 0:
        assert owner != 0 and pwd.getpwuid(owner).pw_name in ("postgres", "nobody")  # initdb refuses root
    assert (postgres_server.folder / f".s.PGSQL.{postgres_server.port}").exists()


async def test_an_open_store_outlives_a_server_restart_and_a_removed_server_leaves_nothing() -> None:
    """Calls made while the server is down fail (the queue's lanes treat that as a passing fault and retry);
    once it is back the same open store works without reopening, and what was committed is still there."""
    assert (find_binaries() / "initdb").is_file()
    server = start_server()  # a server of this test's own: stopping the session's would break other tests
    process = server.process
    try:
        async with Store.open(await create_database(server)) as store:
            before = [(await store.enqueue_job(f"k{i}", "compose", {}, "discord:1"))[0] for i in range(10)]
            server.stop()
            with pytest.raises((OSError, asyncpg.PostgresError, asyncpg.InterfaceError)):
                await store.enqueue_job("while-down", "compose", {}, "discord:1")
            server.launch()
            after = [(await store.enqueue_job(f"after{i}", "compose", {}, "discord:1"))[0] for i in range(10)]
            assert [j.id for j in await store.pending_jobs()] == [j.id for j in before + after]
            assert await store.get_job_by_key("while-down") is None
    finally:
        remove_server(server)
    assert process is not None and process.poll() is not None
    assert server.process is not None and server.process.poll() is not None and not server.folder.exists()
