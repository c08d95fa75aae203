"""Motif's persistent store: generations, their remix lineage, and (later) users, guilds and jobs.

`storage` depends only on aiosqlite and the standard library: specs and reports are stored as JSON
dicts, so it never imports the composer, torch or discord.
"""

from __future__ import annotations

from storage.errors import SchemaTooNewError, StoreError
from storage.migrations import SCHEMA_VERSION
from storage.paths import ENV_VAR, default_db_path, resolve_db_path
from storage.records import MAX_MIDI_BYTES, Generation, NewGeneration
from storage.store import BUSY_TIMEOUT_MS, Store, StoreOpening

__all__ = [
    "BUSY_TIMEOUT_MS",
    "ENV_VAR",
    "MAX_MIDI_BYTES",
    "SCHEMA_VERSION",
    "Generation",
    "NewGeneration",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "StoreOpening",
    "default_db_path",
    "resolve_db_path",
]
