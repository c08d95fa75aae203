"""Argument checks shared by the store's tables: ids and short texts, refused with a `StoreError`."""

from __future__ import annotations

import re
from typing import Any

from storage.errors import StoreError

MAX_ID_CHARS = 128
_USER_ID = re.compile(r"[a-z][a-z0-9_-]{0,15}:\S.*")


def check_text(name: str, value: Any, *, max_chars: int = MAX_ID_CHARS, optional: bool = False) -> Any:
    """A non-blank string of at most `max_chars` (or None when `optional`), else a `StoreError`."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise StoreError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > max_chars:
        raise StoreError(f"{name} is {len(value)} characters; at most {max_chars} are allowed")
    return value


def check_user_id(value: Any, *, name: str = "user id", optional: bool = False) -> Any:
    """A platform-qualified user id such as 'discord:1234' or 'local:alice', so platforms never collide."""
    if value is None and optional:
        return None
    check_text(name, value)
    if not _USER_ID.fullmatch(value):
        raise StoreError(
            f"{name} must be platform-qualified like 'discord:1234' or 'local:alice', got {value!r}"
        )
    return value


def check_positive(name: str, value: Any, *, integer: bool = False, maximum: float | None = None) -> Any:
    """A number above zero (an int when `integer`), at most `maximum` if given."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        raise StoreError(f"{name} must be a positive {'integer' if integer else 'number'}, got {value!r}")
    if maximum is not None and value > maximum:
        raise StoreError(f"{name} must be at most {maximum}, got {value!r}")
    return value
