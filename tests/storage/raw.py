"""Raw access to a test store's database from a second connection, on either engine: what a hand edit, an
older or newer Motif, or another process would do behind the store's back.

SQL is written with `?` placeholders (rewritten to `$n` for PostgreSQL here, independently of the store's own
rewriting, so a bug there cannot hide itself); each call runs in its own committed transaction.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
"""What either engine raises when a constraint refuses a raw write."""
FOREIGN_KEY = "FOREIGN KEY|foreign key"
CHECK = "CHECK|check constraint"


def _dollars(sql: str) -> str:
    numbers = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


@dataclass(frozen=True)
class RawDb:
    """A second connection to the store at `location` (a SQLite file path or a PostgreSQL URL)."""

    location: Path | str

    @property
    def engine(self) -> str:
        return "sqlite" if isinstance(self.location, Path) else "postgresql"

    async def fetch(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if isinstance(self.location, Path):
            with closing(sqlite3.connect(self.location)) as raw, raw:
                raw.execute("PRAGMA foreign_keys = ON")
                return [tuple(row) for row in raw.execute(sql, params).fetchall()]
        conn = await asyncpg.connect(self.location)
        try:
            return [tuple(row) for row in await conn.fetch(_dollars(sql), *params)]
        finally:
            await conn.close()

    async def execute(self, sql: str, *params: Any) -> None:
        await self.fetch(sql, *params)
