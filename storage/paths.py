"""Where the store lives: `--db` beats `MOTIF_DB`, which beats the per-user default file.

A value is a SQLite file path (the embedded default) or a `postgresql://` URL (a server many machines
share); `parse_location` decides, once, and everything downstream holds a `Path` or a `PostgresUrl`.
The environment is passed in rather than read here, so the CLI reads it once at the edge and tests
can hand in a plain dict.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_path

from storage.errors import StoreError

ENV_VAR = "MOTIF_DB"
"""Environment variable naming the store (a file or a postgresql:// URL) when `--db` is not given."""
POSTGRES_SCHEMES = ("postgresql", "postgres")

DB_FILENAME = "motif.db"

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def default_db_path() -> Path:
    """The per-user database file, so `motif` works from any directory without configuration."""
    return user_data_path("motif", appauthor=False) / DB_FILENAME


@dataclass(frozen=True, slots=True)
class PostgresUrl:
    """A PostgreSQL store's URL (libpq form: `postgresql://user:password@host:5432/db`, or
    `postgresql://user@/db?host=/run/postgresql` for a Unix socket). It prints without its password, so
    logging a setting or an error never leaks it."""

    url: str = field(repr=False)

    @property
    def password(self) -> str | None:
        return urlsplit(self.url).password

    @property
    def without_password(self) -> str:
        """The URL with the password left out (a libpq program gets it from PGPASSWORD instead)."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        user = parts.username or ""
        host = parts.hostname or ""
        netloc = f"{user}@{host}" if user else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def __str__(self) -> str:
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        return self.without_password.replace(f"{parts.username}@", f"{parts.username}:***@", 1)

    def __repr__(self) -> str:
        return f"PostgresUrl({str(self)!r})"


def resolve_db_path(cli_value: str | None, env: Mapping[str, str]) -> Path | PostgresUrl:
    """Pick the store by precedence `--db` > `MOTIF_DB` > default; `~` is expanded in file paths.

    An empty or blank value counts as "not given" for the environment (an exported but empty
    variable is a common accident) but is an error on the command line, where it was typed.
    """
    if cli_value is not None:
        if not cli_value.strip():
            raise StoreError("--db was given an empty path")
        return parse_location(cli_value, "--db")
    env_value = env.get(ENV_VAR, "")
    if env_value.strip():
        return parse_location(env_value, ENV_VAR)
    return default_db_path()


def parse_location(value: str, named_by: str = "the store location") -> Path | PostgresUrl:
    """A `postgresql://` (or `postgres://`) URL is a PostgreSQL store, anything else a file path. Another URL
    scheme is refused rather than read as a file name: `mysql://host/db` would otherwise become a SQLite
    file inside a folder called `mysql:`."""
    match = _URL.match(value.strip())
    if match:
        scheme = match.group(1).lower()
        if scheme in POSTGRES_SCHEMES:
            return _postgres_url(value.strip(), named_by)
        raise StoreError(f"{named_by} names a {scheme}:// URL; Motif's store is a SQLite file path such as"
                         " ~/motif.db or a postgresql:// URL")
    return Path(value).expanduser()


def _postgres_url(value: str, named_by: str) -> PostgresUrl:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise StoreError(f"{named_by} is not a valid PostgreSQL URL ({exc}); the form is"
                         " postgresql://user:password@host:5432/database") from None
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        raise StoreError(f"{named_by} names no database: add one, as in postgresql://user@host:5432/motif")
    return PostgresUrl(value)


def check_db_path(path: Path | PostgresUrl) -> None:
    """Refuse a database path that cannot work, before anything is composed or stored (a PostgreSQL store is
    checked when it is opened, which also happens before anything is composed).

    SQLite needs a regular file (or none yet) in a folder it can write (the WAL and shared-memory files
    sit beside it). Creating the folder here is what opening the store would do anyway.
    """
    if isinstance(path, PostgresUrl):
        return
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
