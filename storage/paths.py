"""Where the database file lives: `--db` beats `MOTIF_DB`, which beats the per-user default.

The environment is passed in rather than read here, so the CLI reads it once at the edge and tests
can hand in a plain dict.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_path

from storage.errors import StoreError

ENV_VAR = "MOTIF_DB"
"""Environment variable naming the database file when `--db` is not given."""

DB_FILENAME = "motif.db"

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def default_db_path() -> Path:
    """The per-user database file, so `motif` works from any directory without configuration."""
    return user_data_path("motif", appauthor=False) / DB_FILENAME


def resolve_db_path(cli_value: str | None, env: Mapping[str, str]) -> Path:
    """Pick the database file by precedence `--db` > `MOTIF_DB` > default; `~` is expanded.

    An empty or blank value counts as "not given" for the environment (an exported but empty
    variable is a common accident) but is an error on the command line, where it was typed.
    A URL is refused rather than read as a file name: `postgresql://host/db` would otherwise become
    a SQLite file inside a folder called `postgresql:`.
    """
    if cli_value is not None:
        if not cli_value.strip():
            raise StoreError("--db was given an empty path")
        return _file_path(cli_value, "--db")
    env_value = env.get(ENV_VAR, "")
    if env_value.strip():
        return _file_path(env_value, ENV_VAR)
    return default_db_path()


def _file_path(value: str, named_by: str) -> Path:
    match = _URL.match(value.strip())
    if match:
        scheme = match.group(1).lower()
        if scheme.startswith("postgres"):
            raise StoreError(f"{named_by} names a PostgreSQL store ({scheme}://...): PostgreSQL is not supported"
                             " yet; give a SQLite file path such as ~/motif.db")
        raise StoreError(f"{named_by} names a {scheme}:// URL; Motif's store is a SQLite file: give a file path"
                         " such as ~/motif.db")
    return Path(value).expanduser()


def check_db_path(path: Path) -> None:
    """Refuse a database path that cannot work, before anything is composed or stored.

    SQLite needs a regular file (or none yet) in a folder it can write (the WAL and shared-memory files
    sit beside it). Creating the folder here is what opening the store would do anyway.
    """
    if path.is_dir():
        raise StoreError(f"{path} is a directory; the database must be a file path such as {path / DB_FILENAME}")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is not a regular file; the database must be a file path")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise StoreError(f"cannot create the database {path}: {parent} is a file, not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for the database {path}: {exc.strerror or exc}") from None
    try:
        if path.exists():
            with open(path, "r+b"):  # opened for writing, left untouched
                pass
        else:
            with open(path, "xb"):  # a trial file, removed at once: the store creates the real one
                pass
            path.unlink()
    except OSError as exc:
        raise StoreError(f"cannot write the database {path}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write the database {path}: its folder {parent} is not writable")
