"""The real discord.py client logs in to the fake, sees the guild, and survives disconnects."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.minibot import MiniBot


def make_client() -> discord.Client:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return discord.Client(intents=intents, guild_ready_timeout=0.05)


async def test_client_logs_in_and_sees_guild_channels_and_members(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    alice = fake.add_user("alice")
    mod = fake.add_user("mod", moderator=True)
    client = make_client()
    async with fake.running(client):
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id
        seen = client.get_guild(guild.id)
        assert seen is not None and seen.name == "Studio"
        assert [c.name for c in seen.text_channels] == ["general", "music"]
        member_alice, member_mod = seen.get_member(alice.id), seen.get_member(mod.id)
        assert member_alice is not None and member_mod is not None
        assert not member_alice.guild_permissions.manage_guild
        assert member_mod.guild_permissions.manage_guild
        assert seen.me.guild_permissions.attach_files
        assert fake.gateway_ops == ["IDENTIFY"]


async def test_wrong_token_is_refused_at_login(fake: FakeDiscord, guild: FakeGuild) -> None:
    client = make_client()
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()


async def test_gateway_uses_zlib_stream_and_refuses_a_bad_identify(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with fake.running(MiniBot()):
        assert fake.gateway.compressions == ["zlib-stream"]
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json(timeout=5))["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 513, "properties": {}}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


async def test_resume_replays_events_missed_while_disconnected(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice = fake.add_user("alice")
    assert await fake.disconnect_bot(resume=True) == 1
    missed = await fake.user_sends(alice, guild.channel("general"), "sent during the gap")
    await fake.wait_for_gateway_op("RESUME")
    await fake.wait_for(lambda: bot.resumed_count or None, what="on_resumed")
    await fake.wait_for(
        lambda: [m for m in bot.seen_messages if m.id == missed.id] or None, what="missed message"
    )
    assert fake.gateway_ops == ["IDENTIFY", "RESUME"]
    assert bot.ready_count == 1


async def test_invalidated_session_identifies_again(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    await fake.disconnect_bot(resume=False)
    await fake.wait_for_gateway_op("IDENTIFY", count=2)
    await fake.wait_for(lambda: bot.ready_count == 2 or None, what="a second READY")
    assert bot.get_guild(guild.id) is not None


async def test_restarted_bot_gets_ready_and_old_buttons_still_work(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    async with fake.running(MiniBot()):
        asked = await fake.user_sends(alice, general, "one please", mentions_bot=True)
        reply = await fake.wait_for_bot_message(general, lambda m: m.reference_id == asked.id)
    # discord.py's close() reaches the server as close code 4000, so (as on Discord) the session stays resumable
    await fake.wait_for(
        lambda: fake.gateway.connected_sessions() == [] or None, what="the old connection closed"
    )
    restarted = MiniBot(sync=False)
    async with fake.running(restarted):
        assert restarted.ready_count == 1 and fake.gateway_ops == ["IDENTIFY", "IDENTIFY"]
        click = await fake.user_clicks(alice, reply, "variation:42")
        assert (await fake.wait_for_response(click)).type == 7
        assert fake.state.messages[reply.id].content == "variation of 42 by alice"


async def test_guild_and_member_added_while_connected_reach_the_bot(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    carol = fake.add_user("carol")
    second = fake.add_guild("Second", channels=["lobby"])
    await fake.wait_for(lambda: bot.get_guild(second.id), what="GUILD_CREATE of the new guild")
    await fake.wait_for(lambda: bot.get_guild(guild.id).get_member(carol.id), what="GUILD_MEMBER_ADD")  # type: ignore[union-attr]
