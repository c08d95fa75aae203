"""The engines under the store: SQLite (the embedded default, one file) and PostgreSQL (shared by many
machines). Both offer the same small `Backend` surface (`base.py`), so the table mixins in `storage/` write
their SQL once, with `?` or `:name` placeholders, and never know which engine runs it.

`open_backend` picks the engine from the location: a `Path` is a SQLite file, a `PostgresUrl` a server.
`copy.py` moves a whole store from one engine to the other.
"""

from __future__ import annotations

from storage.backends.base import Backend, Connection, Dialect, Listening, Params, Row
from storage.backends.opening import open_backend

__all__ = ["Backend", "Connection", "Dialect", "Listening", "Params", "Row", "open_backend"]
