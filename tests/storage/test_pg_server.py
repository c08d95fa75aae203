"""The throwaway PostgreSQL the store tests use (tests/pg_server.py): run unprivileged, reachable only through
the socket in its own folder, and gone (process and folder) once stopped."""

from __future__ import annotations

import os
import pwd

import asyncpg

from tests.pg_server import PostgresServer, find_binaries, remove_server, start_server


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


def test_a_stopped_server_leaves_nothing_behind() -> None:
    assert (find_binaries() / "initdb").is_file()
    server = start_server()
    process = server.process
    assert process is not None and process.poll() is None
    remove_server(server)
    assert process.poll() is not None and not server.folder.exists()
