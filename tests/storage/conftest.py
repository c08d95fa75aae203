"""Fixtures: every store test runs on both engines, each time on a fresh database of its own: a real SQLite
file in a temporary directory, and a new schema on the session's throwaway PostgreSQL (tests/conftest.py).

A test that is about the SQLite file itself (its pragmas, its backup API, crash safety of the file, the
released `vN.db` fixtures) is marked `@pytest.mark.sqlite_only("why")` and runs on SQLite alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Store
from tests.pg_server import create_schema
from tests.storage.raw import RawDb

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): a store test about the SQLite file itself")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else list(BACKENDS))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "motif.db"


@pytest.fixture
async def location(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where this test's store lives: the SQLite file `db_path`, or the URL of a new PostgreSQL schema."""
    if backend == "sqlite":
        return db_path
    return await create_schema(request.getfixturevalue("postgres_server"))


@pytest.fixture
def raw(location: Path | str) -> RawDb:
    return RawDb(location)


@pytest.fixture
async def store(location: Path | str) -> AsyncIterator[Store]:
    async with Store.open(location) as opened:
        yield opened
