"""Errors the store raises for bad input or an unusable database file.

Both are `ValueError`s so the CLI and the bot can turn them into a clear message (exit code 2, an
ephemeral reply) with one `except ValueError`, without knowing about SQLite.
"""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses: unknown parent, oversized MIDI, bad field, closed store, bad file."""


class StoreUnreachable(StoreError):
    """The store's server could not be reached (down, restarting, not answering): nobody's mistake, and the
    same request may well succeed in a minute, unlike the other `StoreError`s."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer Motif; opening it with this code could corrupt it."""


def store_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the store's server cannot be reached right now (it is down, restarting, or dropped
    the connection), rather than that a request was refused: such a write may succeed once it is back."""
    if isinstance(exc, StoreUnreachable | OSError | TimeoutError):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency; SQLite raises no such thing
        return False
    return isinstance(exc, asyncpg.ConnectionDoesNotExistError | asyncpg.PostgresConnectionError
                      | asyncpg.CannotConnectNowError | asyncpg.AdminShutdownError | asyncpg.CrashShutdownError)
