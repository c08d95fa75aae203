"""Server settings (overrides of `GuildSettings`' defaults) and named presets, per guild."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.backends import Connection, Row
from storage.checks import check_text
from storage.core import StoreCore
from storage.errors import StoreError
from storage.records import format_timestamp, to_json, utc_now
from storage.settings import (
    SETTING_NAMES,
    GuildSettings,
    check_changes,
    merge,
    to_stored,
    unknown_setting_message,
)

PRESET_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_PRESETS_PER_GUILD = 100
MAX_PROMPT_SUFFIX_CHARS = 500
_PRESET_NAMED = "SELECT * FROM presets WHERE guild_id = ? AND lower(name) = lower(?)"
"""Names match ignoring case on both engines (SQLite's NOCASE column and PostgreSQL's lower() index agree:
preset names are ASCII)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A named bundle a server can apply to a request: text appended to the prompt and/or Spec fields."""

    guild_id: str
    name: str
    prompt_suffix: str
    spec_overrides: dict[str, Any]
    created_by: str | None
    created_at: datetime


def _preset_from_row(row: Row) -> Preset:
    return Preset(
        guild_id=row["guild_id"], name=row["name"], prompt_suffix=row["prompt_suffix"],
        spec_overrides=json.loads(row["spec_overrides_json"]), created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def check_preset_name(name: Any) -> str:
    """1-32 letters, digits, '-' or '_': safe in a slash-command choice and a custom id."""
    if not isinstance(name, str) or not PRESET_NAME.fullmatch(name):
        raise StoreError(f"preset name must be 1-32 letters, digits, '-' or '_', got {name!r}")
    return name


def _check_preset_body(prompt_suffix: Any, spec_overrides: Any) -> str:
    if not isinstance(prompt_suffix, str) or len(prompt_suffix) > MAX_PROMPT_SUFFIX_CHARS:
        raise StoreError(f"prompt_suffix must be a string of at most {MAX_PROMPT_SUFFIX_CHARS} characters")
    if not isinstance(spec_overrides, dict):
        raise StoreError(f"spec_overrides must be a dict of Spec fields, got {type(spec_overrides).__name__}")
    if not prompt_suffix.strip() and not spec_overrides:
        raise StoreError("a preset needs a prompt_suffix or spec_overrides; an empty preset does nothing")
    return to_json(spec_overrides, "spec_overrides")


class GuildsMixin(StoreCore):
    """Per-server settings and presets."""

    # -- settings ------------------------------------------------------------------------------------

    async def guild_overrides(self, guild_id: str) -> dict[str, Any]:
        """Only what this server changed (JSON form), e.g. to mark non-default values in `/style`."""
        check_text("guild id", guild_id)
        rows = await self._read("SELECT settings_json FROM guilds WHERE id = ?", (guild_id,))
        return json.loads(rows[0]["settings_json"]) if rows else {}

    async def guild_settings(self, guild_id: str) -> GuildSettings:
        """The server's effective settings: its overrides over the declared defaults (a new server: defaults)."""
        return merge(await self.guild_overrides(guild_id), guild_id)

    async def set_guild_settings(self, guild_id: str, **changes: Any) -> GuildSettings:
        """Override some settings, e.g. `set_guild_settings(gid, tempo_max=140, audio=False)`.

        Unknown names, wrong types, out-of-range values and `tempo_min > tempo_max` raise `StoreError`
        and change nothing. Returns the new effective settings.
        """
        check_text("guild id", guild_id)
        checked = check_changes(changes)
        return await self._rewrite_overrides(guild_id, lambda current: {**current, **to_stored(checked)})

    async def reset_guild_settings(self, guild_id: str, *names: str) -> GuildSettings:
        """Return the named settings (all of them when none are named) to their defaults."""
        check_text("guild id", guild_id)
        for name in names:
            if name not in SETTING_NAMES:
                raise StoreError(unknown_setting_message(name))
        if not names:
            return await self._rewrite_overrides(guild_id, lambda current: {})
        return await self._rewrite_overrides(
            guild_id, lambda current: {k: v for k, v in current.items() if k not in names}
        )

    async def _rewrite_overrides(self, guild_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> GuildSettings:
        """Read-modify-write the overrides in one transaction, refusing a result that does not merge."""
        updated_at = format_timestamp(utc_now())

        async def rewrite(conn: Connection) -> GuildSettings:
            await conn.lock(f"guild-settings:{guild_id}")  # the row may not exist yet: nothing else to lock
            rows = await conn.fetch("SELECT settings_json FROM guilds WHERE id = ?", (guild_id,))
            overrides = change(json.loads(rows[0]["settings_json"]) if rows else {})
            settings = merge(overrides, guild_id)
            await conn.execute(
                "INSERT INTO guilds (id, settings_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                " SET settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                (guild_id, to_json(overrides, "settings"), updated_at),
            )
            return settings

        return await self._transact(rewrite)

    # -- presets -------------------------------------------------------------------------------------

    async def add_preset(
        self, guild_id: str, name: str, *, prompt_suffix: str = "", spec_overrides: dict[str, Any] | None = None,
        created_by: str | None = None,
    ) -> Preset:
        """Save a named preset for a server; names are unique per server, ignoring case."""
        check_text("guild id", guild_id)
        check_preset_name(name)
        check_text("created_by", created_by, optional=True)
        overrides_json = _check_preset_body(prompt_suffix, {} if spec_overrides is None else spec_overrides)
        created_at = format_timestamp(utc_now())

        async def insert(conn: Connection) -> Row:
            await conn.lock(f"guild-presets:{guild_id}")  # the clash and count checks hold until commit
            names = [row[0] for row in await conn.fetch(
                "SELECT name FROM presets WHERE guild_id = ?", (guild_id,))]
            clash = [n for n in names if n.lower() == name.lower()]
            if clash:
                raise StoreError(f"this server already has a preset named {clash[0]!r}; remove it first")
            if len(names) >= MAX_PRESETS_PER_GUILD:
                raise StoreError(f"a server may keep at most {MAX_PRESETS_PER_GUILD} presets; remove one first")
            await conn.execute(
                "INSERT INTO presets (guild_id, name, prompt_suffix, spec_overrides_json, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (guild_id, name, prompt_suffix, overrides_json, created_by, created_at),
            )
            return (await conn.fetch(_PRESET_NAMED, (guild_id, name)))[0]

        return _preset_from_row(await self._transact(insert))

    async def remove_preset(self, guild_id: str, name: str) -> None:
        """Delete a preset by name (any case); an unknown name is an error listing the server's presets."""
        check_text("guild id", guild_id)
        check_preset_name(name)

        async def delete(conn: Connection) -> int:
            count = await conn.execute(
                "DELETE FROM presets WHERE guild_id = ? AND lower(name) = lower(?)", (guild_id, name))
            return count

        if await self._transact(delete) == 0:
            known = ", ".join(p.name for p in await self.list_presets(guild_id)) or "none yet"
            raise StoreError(f"this server has no preset named {name!r} (its presets: {known})")

    async def get_preset(self, guild_id: str, name: str) -> Preset | None:
        """The preset with this name (any case) in this server, or None."""
        rows = await self._read(_PRESET_NAMED, (guild_id, name))
        return _preset_from_row(rows[0]) if rows else None

    async def list_presets(self, guild_id: str) -> list[Preset]:
        """A server's presets in name order (case-insensitive)."""
        rows = await self._read("SELECT * FROM presets WHERE guild_id = ? ORDER BY lower(name)", (guild_id,))
        return [_preset_from_row(row) for row in rows]
