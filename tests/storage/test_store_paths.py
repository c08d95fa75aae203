"""Database path resolution (--db > MOTIF_DB > default) and the package's import boundary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage import ENV_VAR, StoreError, default_db_path, resolve_db_path
from storage.paths import PostgresUrl


def test_cli_value_wins_over_environment(tmp_path: Path) -> None:
    env = {ENV_VAR: str(tmp_path / "env.db")}
    assert resolve_db_path(str(tmp_path / "cli.db"), env) == tmp_path / "cli.db"


def test_environment_wins_over_default(tmp_path: Path) -> None:
    assert resolve_db_path(None, {"MOTIF_DB": str(tmp_path / "env.db")}) == tmp_path / "env.db"


def test_default_is_under_the_user_data_dir() -> None:
    path = default_db_path()
    assert path.name == "motif.db" and path.parent.name == "motif" and path.is_absolute()
    assert resolve_db_path(None, {}) == path
    assert resolve_db_path(None, {ENV_VAR: "  "}) == path  # an exported-but-empty variable is ignored


def test_home_is_expanded() -> None:
    assert resolve_db_path("~/m.db", {}) == Path.home() / "m.db"


def test_blank_cli_value_is_an_error() -> None:
    with pytest.raises(StoreError, match="--db was given an empty path"):
        resolve_db_path("", {})


def test_storage_imports_no_discord_torch_or_composer() -> None:
    code = (
        "import sys, storage; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'discord', 'torch', 'composer', 'bot', 'prompts'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "PostgreSQL"])
def test_a_postgres_url_selects_postgresql(scheme: str) -> None:
    url = f"{scheme}://motif:pw@db.example:5433/motif"
    assert resolve_db_path(url, {}) == PostgresUrl(url)
    assert resolve_db_path(None, {ENV_VAR: url}) == PostgresUrl(url)


def test_a_postgres_url_never_prints_its_password() -> None:
    url = PostgresUrl("postgresql://motif:s3cret@db.example:5433/motif?sslmode=require")
    assert "s3cret" not in str(url) and "s3cret" not in repr(url) and "s3cret" not in f"{url}"
    assert str(url) == "postgresql://motif:***@db.example:5433/motif?sslmode=require"
    assert url.password == "s3cret"
    assert url.without_password == "postgresql://motif@db.example:5433/motif?sslmode=require"
    socket_url = PostgresUrl("postgresql://motif@/motif?host=/run/postgresql")
    assert str(socket_url) == socket_url.url and socket_url.password is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("postgresql://db.example:5432", "names no database"),
        ("postgresql://db.example:port/motif", "not a valid PostgreSQL URL"),
        ("mysql://db.example/motif", "mysql:// URL"),
    ],
)
def test_bad_urls_get_clear_errors(value: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        resolve_db_path(value, {})
