"""The rows the store keeps, as dataclasses, and their translation to and from database rows.

`NewGeneration` is what a caller knows (prompt, spec, seed, MIDI...); the store adds the id, the root
of its remix tree and the creation time, and hands back a `Generation`. Specs and reports stay plain
JSON dicts here so `storage` does not depend on the composer or on `prompts.spec`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.errors import StoreError

MAX_MIDI_BYTES = 2 * 1024 * 1024
"""Largest MIDI blob the store accepts; real 8-64 bar pieces are a few KB."""

ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
"""Crockford's base32, lower case: URL-safe, and no i/l/o/u to misread when someone types an id."""

ID_LENGTH = 10
"""10 base32 characters = 50 random bits: unguessable, and short enough for a button custom id."""

_MIN_SEED = -(2**63)
_MAX_SEED = 2**63 - 1

COLUMNS: tuple[str, ...] = (
    "id", "parent_id", "root_id", "author", "guild", "channel", "message_id", "prompt", "spec_json",
    "seed", "engine", "model_version", "midi", "originality_json", "timings_json", "created_at",
)
"""Column order used by every INSERT and SELECT of `generations`."""


def new_generation_id() -> str:
    """A fresh random id; collisions are astronomically rare and the store retries on one anyway."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def utc_now() -> datetime:
    """The creation time of a row: aware, UTC, microsecond resolution."""
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 with microseconds, so text order equals time order in SQL."""
    if moment.tzinfo is None:
        raise StoreError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class NewGeneration:
    """What a caller supplies to store a generation; `parent_id` makes it a remix of that one."""

    prompt: str
    spec: dict[str, Any]
    seed: int
    engine: str
    midi: bytes
    parent_id: str | None = None
    author: str | None = None
    guild: str | None = None
    channel: str | None = None
    message_id: str | None = None
    model_version: str | None = None
    originality: dict[str, Any] | None = None
    timings: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Generation:
    """One stored generation: the request, how it was made, and exactly the MIDI the user got."""

    id: str
    parent_id: str | None
    root_id: str
    author: str | None
    guild: str | None
    channel: str | None
    message_id: str | None
    prompt: str
    spec: dict[str, Any]
    seed: int
    engine: str
    model_version: str | None
    midi: bytes
    originality: dict[str, Any] | None
    timings: dict[str, Any] | None
    created_at: datetime

    @property
    def is_root(self) -> bool:
        """True for an original composition, False for a remix."""
        return self.parent_id is None


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """A generation without its MIDI blob: what a history page or a lineage tree needs to show."""

    id: str
    parent_id: str | None
    root_id: str
    author: str | None
    guild: str | None
    prompt: str
    spec: dict[str, Any]
    seed: int
    engine: str
    midi_size: int
    created_at: datetime


SUMMARY_COLUMNS: tuple[str, ...] = (
    "id", "parent_id", "root_id", "author", "guild", "prompt", "spec_json", "seed", "engine", "created_at",
)
"""Columns a summary selects; `length(midi)` is added as `midi_size` (SQLite does not read the blob for it)."""


def summary_from_row(row: Mapping[str, Any]) -> GenerationSummary:
    """Rebuild a `GenerationSummary` from a row selected with `SUMMARY_COLUMNS` and `midi_size`."""
    return GenerationSummary(
        id=row["id"], parent_id=row["parent_id"], root_id=row["root_id"], author=row["author"],
        guild=row["guild"], prompt=row["prompt"], spec=json.loads(row["spec_json"]), seed=int(row["seed"]),
        engine=row["engine"], midi_size=int(row["midi_size"]), created_at=datetime.fromisoformat(row["created_at"]),
    )


def to_json(value: object, field: str) -> str:
    """Canonical compact JSON (sorted keys, no NaN), so equal values store as equal text."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{field} must be JSON-serialisable (finite numbers, str keys): {exc}") from exc


def _check_optional_text(new: NewGeneration) -> None:
    for field in ("parent_id", "author", "guild", "channel", "message_id", "model_version"):
        value = getattr(new, field)
        if value is not None and not isinstance(value, str):
            raise StoreError(f"{field} must be a string or None, got {type(value).__name__}")


def _check_midi(midi: object) -> bytes:
    if not isinstance(midi, bytes | bytearray | memoryview):
        raise StoreError(f"midi must be bytes, got {type(midi).__name__}")
    data = bytes(midi)
    if not data:
        raise StoreError("midi is empty")
    if len(data) > MAX_MIDI_BYTES:
        raise StoreError(f"midi is {len(data)} bytes; the store accepts at most {MAX_MIDI_BYTES} bytes (2 MiB)")
    return data


def _check_scalars(new: NewGeneration) -> None:
    if not isinstance(new.prompt, str):
        raise StoreError(f"prompt must be a string, got {type(new.prompt).__name__}")
    if not isinstance(new.engine, str) or not new.engine.strip():
        raise StoreError("engine must be a non-empty string naming what made the music")
    if isinstance(new.seed, bool) or not isinstance(new.seed, int) or not _MIN_SEED <= new.seed <= _MAX_SEED:
        raise StoreError(f"seed must be a 64-bit signed integer, got {new.seed!r}")
    if not isinstance(new.spec, dict):
        raise StoreError(f"spec must be a dict (Spec.to_dict()), got {type(new.spec).__name__}")
    for field in ("originality", "timings"):
        value = getattr(new, field)
        if value is not None and not isinstance(value, dict):
            raise StoreError(f"{field} must be a dict or None, got {type(value).__name__}")


def check_new_generation(new: NewGeneration) -> None:
    """Refuse bad input with a `StoreError` naming the field, before SQLite sees it."""
    if not isinstance(new, NewGeneration):
        raise StoreError(f"expected a NewGeneration, got {type(new).__name__}")
    _check_scalars(new)
    _check_optional_text(new)
    _check_midi(new.midi)


def insert_params(new: NewGeneration, gen_id: str, root_id: str, created_at: datetime) -> dict[str, Any]:
    """Lay a checked `new` out as a column -> value dict (also the source of the returned `Generation`)."""
    values = (
        gen_id, new.parent_id, root_id, new.author, new.guild, new.channel, new.message_id, new.prompt,
        to_json(new.spec, "spec"), new.seed, new.engine, new.model_version, _check_midi(new.midi),
        None if new.originality is None else to_json(new.originality, "originality"),
        None if new.timings is None else to_json(new.timings, "timings"),
        format_timestamp(created_at),
    )
    return dict(zip(COLUMNS, values, strict=True))


def from_json(text: str | None) -> Any:
    """Decode a nullable JSON column."""
    return None if text is None else json.loads(text)


def generation_from_row(row: Mapping[str, Any]) -> Generation:
    """Rebuild a `Generation` from a row selected with `COLUMNS` (or the dict `insert_params` made)."""
    return Generation(
        id=row["id"], parent_id=row["parent_id"], root_id=row["root_id"], author=row["author"],
        guild=row["guild"], channel=row["channel"], message_id=row["message_id"], prompt=row["prompt"],
        spec=json.loads(row["spec_json"]), seed=int(row["seed"]), engine=row["engine"],
        model_version=row["model_version"], midi=bytes(row["midi"]),
        originality=from_json(row["originality_json"]), timings=from_json(row["timings_json"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
