"""Motif's persistent store: generations and their remix lineage, users, server settings and presets,
durable idempotent jobs, and feedback; in a SQLite file (the embedded default) or on PostgreSQL
(`postgresql://` URL, for several machines), with the same API and behaviour on both (`backends/`).

`storage` depends only on aiosqlite, asyncpg, procrastinate (PostgreSQL's job runner, loaded only there) and the
standard library: specs and reports are stored as
JSON dicts, so it never imports the composer, torch or discord.
"""

from __future__ import annotations

from storage.backends.sqlite import BUSY_TIMEOUT_MS
from storage.enqueue import NewJob
from storage.errors import SchemaTooNewError, StoreError, StoreUnreachable, store_unreachable
from storage.feedback import Feedback, FeedbackKind
from storage.guilds import Preset
from storage.job_progress import QueueHealth
from storage.jobs import Claim, Job, JobState
from storage.migrations import SCHEMA_VERSION
from storage.paths import ENV_VAR, PostgresUrl, default_db_path, parse_location, resolve_db_path
from storage.quota import Quota, QuotaExceeded
from storage.records import MAX_MIDI_BYTES, Generation, GenerationSummary, NewGeneration
from storage.settings import GuildSettings
from storage.store import Store, StoreOpening
from storage.users import User

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Claim",
    "ENV_VAR",
    "MAX_MIDI_BYTES",
    "SCHEMA_VERSION",
    "Feedback",
    "FeedbackKind",
    "Generation",
    "GenerationSummary",
    "GuildSettings",
    "Job",
    "NewJob",
    "JobState",
    "NewGeneration",
    "PostgresUrl",
    "Preset",
    "QueueHealth",
    "Quota",
    "QuotaExceeded",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "StoreOpening",
    "StoreUnreachable",
    "User",
    "default_db_path",
    "parse_location",
    "resolve_db_path",
    "store_unreachable",
]
