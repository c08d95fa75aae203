"""Generations and their remix lineage: the `Store` methods over the `generations` table.

Ids come from users, so every read that takes one can be held to a `Scope`: the server (or DM) asking.
A generation outside the scope reads exactly like an unknown id, so no command can tell another
server's pieces exist, let alone show their prompts or authors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.backends import Connection
from storage.core import StoreCore, fresh_id
from storage.errors import StoreError
from storage.records import (
    COLUMNS,
    SUMMARY_COLUMNS,
    Generation,
    GenerationSummary,
    NewGeneration,
    check_new_generation,
    generation_from_row,
    insert_params,
    summary_from_row,
    utc_now,
)

MAX_LIST_LIMIT = 500

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM generations"
_SELECT_SUMMARY = f"SELECT {', '.join(SUMMARY_COLUMNS)}, length(midi) AS midi_size FROM generations"
_INSERT = f"INSERT INTO generations ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
_NEWEST_FIRST = "ORDER BY created_at DESC, rowid DESC"
_OLDEST_FIRST = "ORDER BY created_at, rowid"
_LINEAGE = f"""
WITH RECURSIVE chain(id, depth) AS (
    SELECT id, 0 FROM generations WHERE id = ?
    UNION ALL
    SELECT g.parent_id, chain.depth + 1 FROM generations AS g JOIN chain ON g.id = chain.id
    WHERE g.parent_id IS NOT NULL AND chain.depth < 100000  -- a hand-edited cycle cannot loop forever
)
SELECT {', '.join('g.' + c for c in COLUMNS)} FROM generations AS g JOIN chain ON g.id = chain.id
ORDER BY chain.depth DESC
"""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which generations a caller may see by id: one server's, or, in a DM (`guild` None), only the caller's
    own pieces made in DMs. A DM is nobody's server, so it must not become a window onto any server's work,
    not even the caller's own (a server's moderators may expect what is made there to stay there)."""

    guild: str | None
    user: str | None = None

    def allows(self, generation: Generation | GenerationSummary) -> bool:
        """Whether `generation` is visible from here (the same rule as `where`, for rows already read)."""
        if self.guild is not None:
            return generation.guild == self.guild
        return generation.guild is None and self.user is not None and generation.author == self.user

    def where(self) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition (and its parameters) for this scope; a DM scope without a user matches nothing."""
        if self.guild is not None:
            return "guild = ?", (self.guild,)
        return "guild IS NULL AND author = ?", (self.user,)


def _scoped(sql: str, params: tuple[Any, ...], scope: Scope | None) -> tuple[str, tuple[Any, ...]]:
    """`sql` (ending in a WHERE condition) narrowed to `scope`."""
    if scope is None:
        return sql, params
    condition, extra = scope.where()
    return f"{sql} AND {condition}", (*params, *extra)


class GenerationsMixin(StoreCore):
    """Store, find and page generations; walk a generation's lineage and its remix tree."""

    async def _read_generations(self, sql: str, params: tuple[Any, ...] = ()) -> list[Generation]:
        return [generation_from_row(row) for row in await self._read(sql, params)]

    # -- writes --------------------------------------------------------------------------------------

    async def add_generation(self, new: NewGeneration) -> Generation:
        """Store a generation under a fresh id; a remix inherits the root of its parent's tree.

        Raises `StoreError` for bad fields, MIDI over 2 MiB, or a `parent_id` that does not exist.
        """
        check_new_generation(new)
        created_at = utc_now()

        async def insert(conn: Connection) -> dict[str, Any]:
            gen_id = await fresh_id(conn, "generations")
            root_id = gen_id if new.parent_id is None else await self._root_of_parent(conn, new.parent_id)
            values = insert_params(new, gen_id, root_id, created_at)
            await conn.execute(_INSERT, values)
            return values

        return generation_from_row(await self._transact(insert))

    @staticmethod
    async def _root_of_parent(conn: Connection, parent_id: str) -> str:
        rows = await conn.fetch("SELECT root_id FROM generations WHERE id = ?", (parent_id,))
        if not rows:
            raise StoreError(f"parent generation {parent_id!r} does not exist")
        return str(rows[0][0])

    async def attach_message(self, gen_id: str, *, channel: str | None, message_id: str) -> None:
        """Record the chat message that carries a generation, so a reply to it can find it later."""

        async def update(conn: Connection) -> int:
            count = await conn.execute(
                "UPDATE generations SET channel = ?, message_id = ? WHERE id = ?", (channel, message_id, gen_id)
            )
            return count

        if await self._transact(update) == 0:
            raise StoreError(f"generation {gen_id!r} does not exist")

    # -- reads ---------------------------------------------------------------------------------------

    async def get_generation(self, gen_id: str, *, scope: Scope | None = None) -> Generation | None:
        """The generation with this id, or None (ids come from users, so absence is not an error);
        with `scope`, one outside it is None too."""
        sql, params = _scoped(f"{_SELECT} WHERE id = ?", (gen_id,), scope)
        rows = await self._read_generations(sql, params)
        return rows[0] if rows else None

    async def get_by_message(self, message_id: str, *, scope: Scope | None = None) -> Generation | None:
        """The generation posted in this chat message (the target of a reply-to-remix), or None;
        with `scope`, None also when that generation is outside it (a piece forwarded from another server)."""
        sql, params = _scoped(f"{_SELECT} WHERE message_id = ?", (message_id,), scope)
        rows = await self._read_generations(f"{sql} {_NEWEST_FIRST} LIMIT 1", params)
        return rows[0] if rows else None

    async def _page_clause(
        self, author: str | None, guild: str | None, limit: int, before: str | None, scope: Scope | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The WHERE/ORDER/LIMIT tail shared by full and summary history pages."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
            raise StoreError(f"limit must be an integer from 1 to {MAX_LIST_LIMIT}, got {limit!r}")
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("author", author), ("guild", guild)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if scope is not None:
            condition, extra = scope.where()
            where.append(condition)
            params.extend(extra)
        if before is not None:
            cursor = await self._read("SELECT created_at, rowid FROM generations WHERE id = ?", (before,))
            if not cursor:
                raise StoreError(f"cannot page before generation {before!r}: it does not exist")
            where.append("(created_at, rowid) < (?, ?)")
            params.extend(cursor[0])
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return f"{clause} {_NEWEST_FIRST} LIMIT ?", (*params, limit)

    async def list_generations(
        self, author: str | None = None, limit: int = 20, before: str | None = None, *, guild: str | None = None,
        scope: Scope | None = None,
    ) -> list[Generation]:
        """Newest first, optionally one author's and/or one guild's (or what a `scope` sees; `guild=None`
        means every guild, a DM scope only DM pieces); `before` is the last id of the previous page."""
        tail, params = await self._page_clause(author, guild, limit, before, scope)
        return await self._read_generations(f"{_SELECT} {tail}", params)

    async def list_generation_summaries(
        self, author: str | None = None, limit: int = 20, before: str | None = None, *, guild: str | None = None,
        scope: Scope | None = None,
    ) -> list[GenerationSummary]:
        """Like `list_generations` without the MIDI blobs: a `/history` page reads kilobytes, not megabytes."""
        tail, params = await self._page_clause(author, guild, limit, before, scope)
        return [summary_from_row(row) for row in await self._read(f"{_SELECT_SUMMARY} {tail}", params)]

    async def children(self, gen_id: str) -> list[Generation]:
        """Direct remixes of a generation, oldest first."""
        return await self._read_generations(f"{_SELECT} WHERE parent_id = ? {_OLDEST_FIRST}", (gen_id,))

    async def lineage(self, gen_id: str) -> list[Generation]:
        """The path root .. `gen_id` (empty if the id is unknown): how this version came to be."""
        return await self._read_generations(_LINEAGE, (gen_id,))

    async def tree(self, gen_id: str, *, scope: Scope | None = None) -> list[Generation]:
        """Every generation in the remix tree containing `gen_id` (any member works), oldest first.

        With `scope`: empty when `gen_id` itself is outside it, else the members inside it that are joined
        to `gen_id` through members inside it. A remix made elsewhere is left out, and so is whatever was
        made from it, even back here; when the top of the tree is elsewhere, the highest visible ancestor
        of `gen_id` comes first, still naming its hidden parent (callers showing a tree treat it as a root)."""
        sql, params = _scoped(
            f"{_SELECT} WHERE root_id = (SELECT root_id FROM generations WHERE id = ?)", (gen_id,), scope
        )
        members = await self._read_generations(f"{sql} {_OLDEST_FIRST}", params)
        return members if scope is None else _joined_to(members, gen_id)


def _joined_to(members: list[Generation], gen_id: str) -> list[Generation]:
    """The members connected to `gen_id` by parent links inside `members` (order kept); empty without it."""
    by_id = {g.id: g for g in members}
    if gen_id not in by_id:
        return []
    top, climbed = by_id[gen_id], {gen_id}
    while top.parent_id in by_id and top.parent_id not in climbed:  # a hand-edited cycle cannot loop forever
        top = by_id[top.parent_id]
        climbed.add(top.id)
    joined = {top.id}
    for generation in members:  # oldest first: a parent always comes before its remixes
        if generation.parent_id in joined:
            joined.add(generation.id)
    return [g for g in members if g.id in joined]
