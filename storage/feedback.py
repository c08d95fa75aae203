"""Feedback on generations: emoji reactions (many per user) and a 1-5 rating (one per user).

What people liked is the signal for tuning defaults and, later, the model; it is kept per user so a
user's second click changes their vote instead of counting twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from storage.backends import Connection, Row
from storage.checks import check_text, check_user_id
from storage.core import StoreCore
from storage.errors import StoreError
from storage.records import format_timestamp, utc_now

FeedbackKind = Literal["reaction", "rating"]
RATINGS = ("1", "2", "3", "4", "5")
MAX_REACTION_CHARS = 64


@dataclass(frozen=True, slots=True)
class Feedback:
    """One user's reaction or rating on one generation."""

    generation_id: str
    user_id: str
    kind: FeedbackKind
    value: str
    created_at: datetime


def _feedback_from_row(row: Row) -> Feedback:
    return Feedback(
        generation_id=row["generation_id"], user_id=row["user_id"], kind=row["kind"], value=row["value"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def check_feedback(kind: Any, value: Any) -> str:
    """A reaction is a short non-blank text (an emoji or its name); a rating is '1'..'5' (or an int 1-5)."""
    if kind == "rating":
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if text not in RATINGS:
            raise StoreError(f"a rating must be a whole number from 1 to 5, got {value!r}")
        return str(text)
    if kind == "reaction":
        return str(check_text("reaction", value, max_chars=MAX_REACTION_CHARS))
    raise StoreError(f"feedback kind must be 'reaction' or 'rating', got {kind!r}")


class FeedbackMixin(StoreCore):
    """Record and read feedback on generations."""

    async def add_feedback(self, generation_id: str, user_id: str, kind: FeedbackKind, value: str | int) -> bool:
        """Record feedback; True if it is new. The same reaction twice is stored once; a new rating replaces
        the user's previous one. An unknown generation raises `StoreError`."""
        check_user_id(user_id)
        text = check_feedback(kind, value)
        created_at = format_timestamp(utc_now())

        async def insert(conn: Connection) -> bool:
            if not await conn.fetch("SELECT 1 FROM generations WHERE id = ?", (generation_id,)):
                raise StoreError(f"generation {generation_id!r} does not exist")
            if kind == "rating":
                await conn.lock(f"rating:{generation_id}:{user_id}")  # one rating per user, even when racing
                await conn.execute(
                    "DELETE FROM feedback WHERE generation_id = ? AND user_id = ? AND kind = 'rating' AND value != ?",
                    (generation_id, user_id, text),
                )
            count = await conn.execute(
                "INSERT INTO feedback (generation_id, user_id, kind, value, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING", (generation_id, user_id, kind, text, created_at),
            )
            return count == 1

        return await self._transact(insert)

    async def remove_feedback(self, generation_id: str, user_id: str, kind: FeedbackKind, value: str | int) -> bool:
        """Withdraw feedback (a removed reaction); True if there was something to remove."""
        text = check_feedback(kind, value)

        async def delete(conn: Connection) -> bool:
            count = await conn.execute(
                "DELETE FROM feedback WHERE generation_id = ? AND user_id = ? AND kind = ? AND value = ?",
                (generation_id, user_id, kind, text),
            )
            return count == 1

        return await self._transact(delete)

    async def feedback_for(self, generation_id: str) -> list[Feedback]:
        """All feedback on a generation, oldest first."""
        rows = await self._read(
            "SELECT * FROM feedback WHERE generation_id = ? ORDER BY created_at, rowid", (generation_id,)
        )
        return [_feedback_from_row(row) for row in rows]
