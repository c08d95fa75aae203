"""Messages both ways: user messages reach the bot; the bot's posts and edits (with files) reach the fake."""

from __future__ import annotations

import io

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.minibot import MiniBot


async def test_mention_gets_reply_with_attachment_embed_and_buttons(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    midi = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0"
    asked = await fake.user_sends(
        alice, general, "remix this", mentions_bot=True, attachments=[("in.mid", midi)]
    )
    reply = await fake.wait_for_bot_message(general, lambda m: m.reference_id == asked.id)
    assert reply.type == 19 and alice.id in reply.mention_ids
    assert reply.attachment("echo.mid").data == midi  # the bot downloaded the user's file from the fake CDN
    assert reply.embeds[0]["title"] == "Piece 42"
    assert reply.embeds[0]["fields"] == [{"name": "key", "value": "D dorian", "inline": True}]
    assert reply.custom_ids() == ["variation:42", "remix:42"]
    seen = next(m for m in bot.seen_messages if m.id == asked.id)
    assert seen.content == f"{fake.bot_user.mention} remix this" and seen.author.id == alice.id
    assert isinstance(seen.author, discord.Member) and seen.reference is None
    own = await fake.wait_for(lambda: next((m for m in bot.seen_messages if m.id == reply.id), None))
    assert own.reference is not None and own.reference.message_id == asked.id


async def test_without_message_content_intent_only_mentions_carry_content(
    fake: FakeDiscord, guild: FakeGuild
) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    client = MiniBot(message_content=False, sync=False)
    async with fake.running(client):
        plain = await fake.user_sends(alice, general, "just chatting")
        mention = await fake.user_sends(alice, general, "hello bot", mentions_bot=True)
        await fake.wait_for(lambda: len(client.seen_messages) >= 2 or None, what="both messages")
    by_id = {m.id: m.content for m in client.seen_messages}
    assert by_id[plain.id] == ""
    assert by_id[mention.id] == f"{fake.bot_user.mention} hello bot"


async def test_bot_sends_edits_and_deletes_channel_messages(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    general = guild.channel("general")
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    async with channel.typing():
        sent = await channel.send("first take", files=[discord.File(io.BytesIO(b"abc"), "a.mid")])
    assert general.id in fake.state.typing_channel_ids
    stored = fake.state.messages[sent.id]
    assert stored.content == "first take" and stored.attachment("a.mid").data == b"abc"
    assert await sent.attachments[0].read() == b"abc"
    edited = await sent.edit(content="second take", attachments=[discord.File(io.BytesIO(b"xyz"), "b.mid")])
    assert [a.filename for a in edited.attachments] == ["b.mid"]
    assert stored.content == "second take" and stored.edit_count == 1
    assert [a.filename for a in stored.attachments] == ["b.mid"]
    fetched = await channel.fetch_message(sent.id)
    assert fetched.content == "second take"
    await sent.add_reaction("🎵")
    assert stored.reactions == [("🎵", fake.bot_user.id)]
    await sent.delete()
    assert fake.messages_in(general) == []


async def test_discord_limits_are_enforced(fake: FakeDiscord, guild: FakeGuild, bot: MiniBot) -> None:
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    fake.set_attachment_limit(10)
    with pytest.raises(discord.HTTPException) as too_big:
        await channel.send(file=discord.File(io.BytesIO(b"0123456789A"), "big.mid"))
    assert too_big.value.status == 413 and too_big.value.code == 40005
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(12345)
    assert len(fake.refusals) == 3


async def test_unknown_routes_and_missing_auth_are_visible(fake: FakeDiscord, guild: FakeGuild) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with session.get(f"{fake.api_url}/voice/regions", headers=headers) as response:
            assert response.status == 404
            assert "fake has no route GET /api/v10/voice/regions" in (await response.json())["message"]
        async with session.get(f"{fake.api_url}/users/@me") as response:
            assert response.status == 401
    assert fake.unhandled_routes == ["GET /api/v10/voice/regions"]
    fake.unhandled_routes.clear()  # the fixture asserts none are left


async def test_interaction_acknowledgement_rules(fake: FakeDiscord, guild: FakeGuild) -> None:
    alice = fake.add_user("alice")
    pending = fake.state.new_interaction(2, alice, guild.channel("general"), {"name": "compose", "type": 1})
    callback = f"{fake.api_url}/interactions/{pending.id}/{pending.token}/callback"
    followup = f"{fake.api_url}/webhooks/{fake.application_id}/{pending.token}?wait=1"
    async with aiohttp.ClientSession() as session:
        async with session.post(followup, json={"content": "too early"}) as response:
            assert response.status == 404 and (await response.json())["code"] == 10015
        async with session.post(callback, json={"type": 6}) as response:
            assert response.status == 400  # deferred update needs a message (a component interaction)
        async with session.post(callback, json={"type": 4, "data": {"content": "hi"}}) as response:
            assert response.status == 204
        async with session.post(callback, json={"type": 4, "data": {"content": "again"}}) as response:
            assert response.status == 400 and (await response.json())["code"] == 40060
        async with session.post(followup, json={"content": "now fine"}) as response:
            assert response.status == 200 and (await response.json())["content"] == "now fine"
    assert [r.kind for r in fake.interaction_responses(pending)] == ["callback", "followup"]
    assert len(fake.refusals) == 3
