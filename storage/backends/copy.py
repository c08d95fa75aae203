"""Moving a whole store from one engine to another (`motif db copy`): a single-machine SQLite file onto the
PostgreSQL server that several machines will share, or back.

Every table is copied (generations with their lineage, users, server settings, presets, jobs, feedback) in
insertion order, so "oldest first" and its tie-breaks read the same afterwards. The source is read from one
snapshot (`Backend.snapshot`), so a Motif still writing to it cannot make the copy mix before and after;
what it writes after the snapshot is simply not copied, which is why the operator stops Motif first. The
target gets it all in one transaction, so a failed copy leaves it empty. The target must be empty: merging
two stores could join unrelated remix trees under colliding ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storage.backends.base import Backend, Connection, Reader, Row
from storage.errors import StoreError

TABLES = ("generations", "users", "guilds", "presets", "jobs", "feedback")
"""Every table of the store, parents before the tables that refer to them."""
PAGE_ROWS = 500
"""Rows read from the source at a time: MIDI blobs can add up to more memory than a machine has."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    """How many rows of each table went across."""

    rows: dict[str, int]


async def _counts(read: Reader) -> dict[str, int]:
    return {table: int((await read(f"SELECT count(*) FROM {table}", ()))[0][0]) for table in TABLES}


def _columns(row: Row) -> list[str]:
    """A row's own columns: not the page cursor, nor PostgreSQL's `rowid` (an identity column the target
    numbers afresh, in the order the rows arrive)."""
    return [name for name in row.keys() if name not in ("rowid", "source_rowid")]


class _ParentsFirst:
    """Hands generations on in source order, except that a remix whose parent has not been copied yet (a hand
    edit, or rowids renumbered by VACUUM) waits for it: the target's foreign key checks every insert."""

    def __init__(self) -> None:
        self.copied: set[str] = set()
        self.waiting: dict[str, list[Row]] = {}

    def release(self, row: Row) -> Iterator[Row]:
        parent = row["parent_id"]
        if parent is not None and parent not in self.copied:
            self.waiting.setdefault(parent, []).append(row)
            return
        ready = [row]
        while ready:
            current = ready.pop(0)
            self.copied.add(current["id"])
            yield current
            ready.extend(self.waiting.pop(current["id"], []))


async def _copy_table(read: Reader, conn: Connection, table: str) -> int:
    order = _ParentsFirst() if table == "generations" else None
    copied, last = 0, -1
    while True:
        page = await read(f"SELECT rowid AS source_rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid"
                          f" LIMIT {PAGE_ROWS:d}", (last,))
        if not page:
            break
        last = int(page[-1]["source_rowid"])
        for row in page:
            for ready in (order.release(row) if order else (row,)):
                names = _columns(ready)
                values: list[Any] = [ready[n] for n in names]
                marks = ", ".join("?" for _ in names)
                await conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)
                copied += 1
    if order is not None and order.waiting:
        raise StoreError(f"{sum(map(len, order.waiting.values()))} generations name parents that do not exist"
                         f" (e.g. {next(iter(order.waiting))!r}); the source store is damaged")
    return copied


async def copy_store(source: Backend, target: Backend) -> CopyReport:
    """Copy every row of `source` into the empty store `target` (both open and migrated to this version)."""
    async with source.snapshot() as read:

        async def copy_all(conn: Connection) -> dict[str, int]:
            taken = {table: n for table, n in (await _counts(conn.fetch)).items() if n}
            if taken:
                raise StoreError(f"the target store {target.label} is not empty ({taken}); copy into a new, empty"
                                 " store")
            return {table: await _copy_table(read, conn, table) for table in TABLES}

        return CopyReport(await target.transact(copy_all))
