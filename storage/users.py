"""Users: who asked, by platform-qualified id ('discord:1234', 'local:alice'), with a display name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.backends import Connection, Row
from storage.checks import check_text, check_user_id
from storage.core import StoreCore
from storage.records import format_timestamp, utc_now

MAX_DISPLAY_NAME_CHARS = 100


@dataclass(frozen=True, slots=True)
class User:
    """A person known to Motif; the id names the platform so Discord and local users never collide."""

    id: str
    display_name: str | None
    created_at: datetime


def _user_from_row(row: Row) -> User:
    return User(id=row["id"], display_name=row["display_name"], created_at=datetime.fromisoformat(row["created_at"]))


class UsersMixin(StoreCore):
    """Register users and read them back."""

    async def upsert_user(self, user_id: str, display_name: str | None = None) -> User:
        """Record a user on first sight and keep the display name current; `created_at` never changes.

        A `display_name` of None leaves a known name as it is (a caller that does not know it yet).
        """
        check_user_id(user_id)
        check_text("display_name", display_name, max_chars=MAX_DISPLAY_NAME_CHARS, optional=True)
        created_at = format_timestamp(utc_now())

        async def upsert(conn: Connection) -> Row:
            await conn.execute(
                "INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                " SET display_name = coalesce(excluded.display_name, users.display_name)",
                (user_id, display_name, created_at),
            )
            return (await conn.fetch("SELECT * FROM users WHERE id = ?", (user_id,)))[0]

        return _user_from_row(await self._transact(upsert))

    async def get_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        rows = await self._read("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user_from_row(rows[0]) if rows else None
