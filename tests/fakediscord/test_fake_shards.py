"""Sharding as Discord does it: IDENTIFY with `shard: [id, count]`, each guild's events on shard
`(guild_id >> 22) % count` only, /gateway/bot reporting the shard count and session start limit."""

from __future__ import annotations

import aiohttp
import discord

from tests.fakediscord import FakeDiscord
from tests.fakediscord.gateway import GatewaySession


class ShardClient(discord.AutoShardedClient):
    """A plain sharded client that remembers which channels' messages reached it (a message from a guild it
    was never sent would still arrive, in a channel it does not know)."""

    def __init__(self, **options: object) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.05, **options)  # type: ignore[arg-type]
        self.message_channels: list[int] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No pause: the fake does not rate-limit IDENTIFY."""

    async def on_message(self, message: discord.Message) -> None:
        self.message_channels.append(message.channel.id)


async def test_each_guilds_events_go_to_its_shard_only(fake: FakeDiscord) -> None:
    zero = fake.add_guild("zero", shard=(0, 2))
    one = fake.add_guild("one", shard=(1, 2))
    alice = fake.add_user("alice", guild=zero)
    fake.join_guild(alice, one)
    first, second = ShardClient(shard_count=2, shard_ids=[0]), ShardClient(shard_count=2, shard_ids=[1])
    async with fake.running(first), fake.running(second):
        assert [g.id for g in first.guilds] == [zero.id] and [g.id for g in second.guilds] == [one.id]
        for guild in (zero, one, zero):
            await fake.user_sends(alice, guild.channel("general"), f"hello {guild.name}")
        await fake.wait_for(lambda: len(first.message_channels) + len(second.message_channels) >= 3 or None)
        await fake.user_sends(alice, zero.channel("general"), "the last one")  # in order: all before it arrived
        await fake.wait_for(lambda: len(first.message_channels) == 3 or None)
        zero_id, one_id = zero.channel("general").id, one.channel("general").id
        assert first.message_channels == [zero_id, zero_id, zero_id] and second.message_channels == [one_id]
        assert sorted(s.shard for s in fake.identified) == [(0, 2), (1, 2)]  # type: ignore[type-var]


async def test_an_unsharded_session_gets_every_guild_and_dms_go_to_shard_zero(fake: FakeDiscord) -> None:
    zero, one = fake.add_guild("zero", shard=(0, 2)), fake.add_guild("one", shard=(1, 2))
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with fake.running(client):
        assert {g.id for g in client.guilds} == {zero.id, one.id}
        assert fake.identified[0].shard is None
    on_zero, on_one = GatewaySession("a", 0, shard=(0, 2)), GatewaySession("b", 0, shard=(1, 2))
    assert on_zero.serves(None) and not on_one.serves(None)  # a DM has no guild: shard 0
    assert on_zero.serves(zero.id) and not on_zero.serves(one.id) and on_one.serves(one.id)


async def test_auto_sharding_reads_the_recommended_count(fake: FakeDiscord) -> None:
    fake.add_guild("zero", shard=(0, 3))
    fake.recommended_shards, fake.max_concurrency = 3, 16
    client = ShardClient()
    async with fake.running(client):
        assert client.shard_count == 3 and sorted(client.shards) == [0, 1, 2]
        limits = await client.fetch_session_start_limits()
        assert limits.max_concurrency == 16


async def test_an_invalid_shard_is_refused_with_4010(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws:
            assert (await ws.receive_json(timeout=5))["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 513, "properties": {}, "shard": [2, 2]}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4010
    assert fake.identified == []
