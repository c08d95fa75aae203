"""Session-wide fixtures: one throwaway PostgreSQL server for the whole run (tests that need a
database make a fresh one on it: tests/storage/conftest.py).

The server starts only when a test asks for it (tests/pg_server.py), so a run of SQLite-only tests pays
nothing; when it cannot start, every test that needs it fails with the reason (nothing is skipped).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg_server import PostgresServer, PostgresUnavailable, remove_server, start_server


def _served() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(f"the PostgreSQL tests need a server and none could start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        remove_server(server)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from _served()


@pytest.fixture
def own_postgres_server() -> Iterator[PostgresServer]:
    """A server of the test's own, for a test that stops it (an outage): the session's server is shared by
    every other PostgreSQL test, which must not meet a server shutting down."""
    yield from _served()

