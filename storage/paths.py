"""Where the database file lives: `--db` beats `MOTIF_DB`, which beats the per-user default.

The environment is passed in rather than read here, so the CLI reads it once at the edge and tests
can hand in a plain dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_path

from storage.errors import StoreError

ENV_VAR = "MOTIF_DB"
"""Environment variable naming the database file when `--db` is not given."""

DB_FILENAME = "motif.db"


def default_db_path() -> Path:
    """The per-user database file, so `motif` works from any directory without configuration."""
    return user_data_path("motif", appauthor=False) / DB_FILENAME


def resolve_db_path(cli_value: str | None, env: Mapping[str, str]) -> Path:
    """Pick the database file by precedence `--db` > `MOTIF_DB` > default; `~` is expanded.

    An empty or blank value counts as "not given" for the environment (an exported but empty
    variable is a common accident) but is an error on the command line, where it was typed.
    """
    if cli_value is not None:
        if not cli_value.strip():
            raise StoreError("--db was given an empty path")
        return Path(cli_value).expanduser()
    env_value = env.get(ENV_VAR, "")
    if env_value.strip():
        return Path(env_value).expanduser()
    return default_db_path()
