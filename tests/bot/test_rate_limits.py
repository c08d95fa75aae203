"""The per-person and per-server limits, counted from a real store's jobs: who is refused, in which words."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.discord_app.limits import RateLimiter
from storage import GuildSettings, Store


async def test_each_limit_refuses_in_its_own_words(tmp_path: Path) -> None:
    settings = replace(GuildSettings(), rate_per_user_per_hour=2, rate_per_guild_per_hour=3)
    async with Store.open(tmp_path / "motif.db") as store:
        limiter = RateLimiter(store)
        for key, user in (("a", "discord:1"), ("b", "discord:1"), ("c", "discord:2")):
            assert await limiter.check(user, "g1", settings) is None
            await store.enqueue_job(key, "discord", {}, user, "g1")
        mine = await limiter.check("discord:1", "g1", settings)
        assert mine is not None and mine.message.startswith("You have asked for 2 pieces in the last hour")
        server = await limiter.check("discord:3", "g1", settings)
        assert server is not None and server.message.startswith("This server has used its 3 pieces for the hour.")
        assert server.message.endswith("Try again in about 60 min.")
        assert await limiter.check("discord:3", "g2", settings) is None  # another server, its own count
        assert await limiter.check("discord:3", None, settings) is None  # a DM has no server limit
