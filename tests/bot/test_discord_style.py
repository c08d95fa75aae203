"""Moderators' /style and presets, the rules they feed into every request, rate limits and upload limits."""

from __future__ import annotations

from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, generation_id
from tests.fakediscord import FakeInteraction, ResponseRecord

executor = discord_harness.executor
world = discord_harness.world


async def _final(world: World, interaction: FakeInteraction) -> ResponseRecord:
    return await world.fake.wait_for_response(
        interaction, answered, timeout=60
    )


async def test_style_set_by_moderator_feeds_requests_and_is_refused_for_members(world: World) -> None:
    fake = world.fake
    general, music = world.guild.channel("general"), world.guild.channel("music")
    async with fake.running(world.bot()):
        mod, member = fake.add_user("mod", moderator=True), fake.add_user("member")
        refused = await fake.user_invokes_slash(member, general, "style set", {"genre": "jazz"})
        answer = await fake.wait_for_response(refused)
        assert (
            answer.message is not None
            and answer.message.ephemeral
            and "Only moderators" in answer.message.content
        )
        assert await world.store.guild_overrides(str(world.guild.id)) == {}
        bad = await fake.user_invokes_slash(mod, general, "style set", {"genre": "polka-dot-dubstep"})
        assert "unknown genre" in (await fake.wait_for_response(bad)).message.content  # type: ignore[union-attr]
        ok = await fake.user_invokes_slash(
            mod,
            general,
            "style set",
            {"genre": "bossa nova", "max_bars": 8, "tempo_max": 100, "channels": music.mention},
        )
        shown = await fake.wait_for_response(ok)
        assert shown.message is not None and "bossa_nova" in shown.message.embeds[0]["description"]
        elsewhere = await fake.user_invokes_slash(member, general, "compose", {"prompt": "a calm tune"})
        no = await fake.wait_for_response(elsewhere)
        assert no.message is not None and "not allowed in this channel" in no.message.content
        too_long = await fake.user_invokes_slash(
            member, music, "compose", {"prompt": "a calm tune", "bars": 16}
        )
        no_long = await fake.wait_for_response(too_long)
        assert no_long.message is not None and "allows 1 to 8 bars" in no_long.message.content
        styled = await fake.user_invokes_slash(member, music, "compose", {"prompt": "a fast happy tune"})
        final = await _final(world, styled)
        preset = await fake.user_invokes_slash(
            mod, music, "style preset add", {"name": "noir", "prompt": "dark, with saxophone"}
        )
        await fake.wait_for_response(preset)
        used = await fake.user_invokes_slash(
            member, music, "compose", {"prompt": "a night scene", "preset": "noir", "bars": 4}
        )
        with_preset = await _final(world, used)
        listed = await fake.user_invokes_slash(member, music, "style preset list")
        listing = await fake.wait_for_response(listed)
    assert final.message is not None and with_preset.message is not None
    made = await world.store.get_generation(generation_id(final.message))
    assert made is not None and made.spec["genre"] == "bossa_nova" and made.spec["tempo_bpm"] <= 100
    assert made.spec["bars"] <= 8
    noir = await world.store.get_generation(generation_id(with_preset.message))
    assert noir is not None and any("Sax" in i["name"] for i in noir.spec["instruments"])
    assert listing.message is not None and "noir" in listing.message.embeds[0]["description"]


async def test_rate_limit_per_user_refuses_with_a_clear_message(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    await world.store.set_guild_settings(str(world.guild.id), rate_per_user_per_hour=2)
    async with fake.running(world.bot()):
        alice, bob = fake.add_user("alice"), fake.add_user("bob")
        accepted = [
            await fake.user_invokes_slash(alice, general, "compose", {"prompt": f"{n} bars"}) for n in (2, 3)
        ]
        third = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "4 bars"})
        refusal = await fake.wait_for_response(third)
        others = await fake.user_invokes_slash(bob, general, "compose", {"prompt": "2 bars"})
        for interaction in [*accepted, others]:
            await _final(world, interaction)
    assert refusal.message is not None and refusal.message.ephemeral
    assert "limit per person" in refusal.message.content and "Try again in about" in refusal.message.content
    assert await world.store.get_job_by_key(f"interaction:{third.id}") is None


async def test_audio_off_and_a_small_upload_limit_fall_back_and_say_so(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    fake.set_attachment_limit(3000)
    await world.store.set_guild_settings(str(world.guild.id), audio=False)
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        asked = await fake.user_invokes_slash(
            alice, general, "compose", {"prompt": "piano ballad", "bars": 4}
        )
        final = await _final(world, asked)
    message = final.message
    assert message is not None
    gen = generation_id(message)
    assert [a.filename for a in message.attachments][0] == f"motif-{gen}.mid"
    assert sum(a.size for a in message.attachments) <= 3000
    assert "score picture" in message.content and "upload limit" in message.content
    assert "Audio is off in this server" in message.content
