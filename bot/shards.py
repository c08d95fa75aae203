"""Which gateway shards one `motif bot` process connects: MOTIF_SHARDS / `--shards` and MOTIF_SHARD_IDS /
`--shard-ids`, read once at the edge (`bot.settings`) into a `ShardPlan`.

Discord sends a guild's events on one shard only, `(guild_id >> 22) % shard_count` (DMs on shard 0), so
processes that split the shard ids between them split the guilds: each interaction reaches one process,
and none is answered twice. Kept free of discord.py so the settings load without it.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHARDS = 4096
"""More shards than any bot Motif's size needs (Discord asks for one per 2,500 guilds)."""
AUTO = "auto"


@dataclass(frozen=True)
class ShardPlan:
    """The shard count (None: what Discord recommends, `GET /gateway/bot`) and the ids this process connects
    (None: all of them, one process for the whole bot)."""

    count: int | None
    ids: tuple[int, ...] | None = None

    @property
    def is_partial(self) -> bool:
        """Another process must run the other shards (so the two need one shared store and queue)."""
        return self.ids is not None and (self.count is None or set(self.ids) != set(range(self.count)))

    def describe(self) -> str:
        count = "the recommended number of" if self.count is None else str(self.count)
        owned = "all" if self.ids is None else ", ".join(str(i) for i in self.ids)
        return f"shards {owned} of {count}"


def read_shard_plan(count_text: str | None, ids_text: str | None) -> ShardPlan | None:
    """MOTIF_SHARDS ("auto" or a whole number) and MOTIF_SHARD_IDS ("0,2" or "0-3"); None when neither is
    set (one unsharded connection, as a bot in few servers runs). A ValueError names what is wrong."""
    count_text = (count_text or "").strip().lower()
    ids_text = (ids_text or "").strip()
    if not count_text:
        if ids_text:
            raise ValueError("MOTIF_SHARD_IDS needs MOTIF_SHARDS: the shard count the ids are out of")
        return None
    if count_text == AUTO:
        if ids_text:
            raise ValueError("MOTIF_SHARD_IDS needs a fixed MOTIF_SHARDS (a number, not auto): every process "
                             "must split the same count")
        return ShardPlan(None)
    try:
        count = int(count_text)
    except ValueError:
        raise ValueError(f"MOTIF_SHARDS must be auto or a whole number from 1 to {MAX_SHARDS}, "
                         f"got {count_text!r}") from None
    if not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"MOTIF_SHARDS must be from 1 to {MAX_SHARDS}, got {count}")
    return ShardPlan(count, _shard_ids(ids_text, count) if ids_text else None)


def _shard_ids(text: str, count: int) -> tuple[int, ...]:
    ids: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"MOTIF_SHARD_IDS must be ids or ranges like 0,2 or 0-3, got {text!r}") from None
        if not 0 <= first <= last < count:
            raise ValueError(f"MOTIF_SHARD_IDS: {part.strip()} is not within 0-{count - 1} "
                             f"(MOTIF_SHARDS is {count})")
        ids.extend(i for i in range(first, last + 1) if i not in ids)
    return tuple(sorted(ids))
