"""Errors the store raises for bad input or an unusable database file.

Both are `ValueError`s so the CLI and the bot can turn them into a clear message (exit code 2, an
ephemeral reply) with one `except ValueError`, without knowing about SQLite.
"""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses: unknown parent, oversized MIDI, bad field, closed store, bad file."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer Motif; opening it with this code could corrupt it."""
