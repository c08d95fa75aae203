"""Per-server settings with their defaults declared once, in `GuildSettings` (Red-DiscordBot style).

The database keeps only a server's overrides (`guilds.settings_json`); reading merges them over the
defaults here, so changing a default in code changes it for every server that never set it. Each field
carries its own check in its metadata, so adding a setting is one line and validation follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from storage.errors import StoreError

Check = Callable[[str, Any], Any]
"""Validates one value for the named setting and returns it normalised (lists become tuples)."""

_GENRE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
MIN_TEMPO_BPM, MAX_TEMPO_BPM = 20, 400
"""`prompts.limits`' tempo range, restated because the store imports nothing of the other packages (not even
`prompts`: tests/storage/test_store_paths.py); tests/prompts/test_facts.py holds the two equal."""
MAX_ITEMS = 32


def _int_in(low: int, high: int, *, optional: bool = False) -> Check:
    def check(name: str, value: Any) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            none = " or null" if optional else ""
            raise StoreError(f"setting {name} must be an integer from {low} to {high}{none}, got {value!r}")
        return value

    return check


def _flag(name: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise StoreError(f"setting {name} must be true or false, got {value!r}")
    return value


def _genre(name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not _GENRE.fullmatch(value):
        raise StoreError(f"setting {name} must be a genre id (lower-case letters, digits, - or _) or null, got {value!r}")
    return value


def _names(name: str, value: Any) -> Any:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise StoreError(f"setting {name} must be a list of names, got {value!r}")
    items = tuple(value)
    if len(items) > MAX_ITEMS:
        raise StoreError(f"setting {name} holds at most {MAX_ITEMS} entries, got {len(items)}")
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item) > 64:
            raise StoreError(f"setting {name} must hold non-empty names of at most 64 characters, got {item!r}")
    if len(set(items)) != len(items):
        raise StoreError(f"setting {name} lists an entry twice: {list(items)}")
    return items


def _setting(default: Any, check: Check) -> Any:
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """A server's effective settings; every default lives here and nowhere else."""

    genre: str | None = _setting(None, _genre)
    tempo_min: int | None = _setting(None, _int_in(MIN_TEMPO_BPM, MAX_TEMPO_BPM, optional=True))
    tempo_max: int | None = _setting(None, _int_in(MIN_TEMPO_BPM, MAX_TEMPO_BPM, optional=True))
    instruments: tuple[str, ...] = _setting((), _names)
    max_bars: int = _setting(32, _int_in(1, 256))
    audio: bool = _setting(True, _flag)
    allowed_channels: tuple[str, ...] = _setting((), _names)  # empty: every channel
    rate_per_user_per_hour: int = _setting(30, _int_in(1, 10_000))
    rate_per_guild_per_hour: int = _setting(300, _int_in(1, 100_000))

    def channel_allowed(self, channel_id: str) -> bool:
        """Whether composing is allowed in this channel (an empty list allows every channel)."""
        return not self.allowed_channels or channel_id in self.allowed_channels


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(GuildSettings))


def unknown_setting_message(name: object) -> str:
    """The error text for a misspelt setting, listing the real ones."""
    return f"unknown setting {name!r}; the settings are: {', '.join(SETTING_NAMES)}"


def check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate new values by name; unknown names or bad values raise `StoreError` naming the setting."""
    checks = {spec.name: spec.metadata["check"] for spec in fields(GuildSettings)}
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in checks:
            raise StoreError(unknown_setting_message(name))
        checked[name] = checks[name](name, value)
    return checked


def merge(overrides: Mapping[str, Any], guild_id: str) -> GuildSettings:
    """The defaults with a server's stored overrides applied, checked as a whole.

    Keys this code does not know (a newer Motif wrote them, or a setting was retired) are ignored, so
    an old binary can still serve the server; a bad stored value is an error that says how to fix it.
    """
    known = {name: value for name, value in overrides.items() if name in SETTING_NAMES}
    try:
        settings = replace(GuildSettings(), **check_changes(known))
    except StoreError as exc:
        raise StoreError(f"guild {guild_id!r} has a bad stored setting ({exc}); reset it") from exc
    if settings.tempo_min is not None and settings.tempo_max is not None and settings.tempo_min > settings.tempo_max:
        raise StoreError(
            f"tempo_min ({settings.tempo_min} bpm) must not be above tempo_max ({settings.tempo_max} bpm)"
        )
    return settings


def to_stored(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides in JSON form (tuples as lists)."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in overrides.items()}
