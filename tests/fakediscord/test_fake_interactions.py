"""Slash commands, buttons, modals and context menus from a real discord.py bot, through the fake."""

from __future__ import annotations

import discord
import pytest

from tests.fakediscord import FakeDiscord, FakeDiscordError, FakeGuild
from tests.fakediscord.minibot import MiniBot


async def test_sync_registers_commands_with_schema(fake: FakeDiscord, bot: MiniBot) -> None:
    names = sorted((c.name, c.type) for c in fake.commands())
    assert names == [("Remix with Motif", 3), ("compose", 1), ("preset", 1), ("slow", 1), ("style", 1)]
    compose = next(c for c in fake.commands() if c.name == "compose")
    assert [(o["name"], o["type"], o.get("required", False)) for o in compose.payload["options"]] == [
        ("prompt", 3, True),
        ("bars", 4, False),
    ]
    before = {c.name: c.id for c in fake.commands()}
    await bot.tree.sync()
    assert {c.name: c.id for c in fake.commands()} == before  # ids survive a re-sync


async def test_slash_defer_followup_file_and_edit_original(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    interaction = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "sad waltz", "bars": 4})
    final = await fake.wait_for_response(interaction, lambda r: r.kind == "edit_original")
    kinds = [(r.kind, r.type) for r in fake.interaction_responses(interaction)]
    assert kinds == [("callback", 5), ("followup", None), ("edit_original", None)]
    followup = fake.interaction_responses(interaction)[1]
    assert followup.attachments[0].filename == "piece.mid"
    assert followup.attachments[0].data == b"sad waltz|4"
    assert final.message is not None and final.message.content == "composed 'sad waltz' for alice"
    assert not final.message.loading
    visible = fake.messages_in(general)
    assert [m.content for m in visible] == ["composed 'sad waltz' for alice", "here it is"]
    assert all(m.type == 20 and m.interaction_id == interaction.id for m in visible)


async def test_slash_option_errors_and_unsynced_commands_are_refused(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    with pytest.raises(FakeDiscordError, match="no synced command 'nope'"):
        await fake.user_invokes_slash(alice, general, "nope")
    with pytest.raises(FakeDiscordError, match="required option 'prompt'"):
        await fake.user_invokes_slash(alice, general, "compose", {"bars": 4})
    with pytest.raises(FakeDiscordError, match="expects type 4"):
        await fake.user_invokes_slash(alice, general, "compose", {"prompt": "x", "bars": "four"})


async def test_moderator_only_command_is_hidden_from_members(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice, mod = fake.add_user("alice"), fake.add_user("mod", moderator=True)
    general = guild.channel("general")
    with pytest.raises(FakeDiscordError, match="alice cannot see command 'style'"):
        await fake.user_invokes_slash(alice, general, "style", {"genre": "jazz"})
    interaction = await fake.user_invokes_slash(mod, general, "style", {"genre": "jazz"})
    record = await fake.wait_for_response(interaction)
    assert record.type == 4 and record.message is not None
    assert record.message.content == "style set to jazz" and record.message.ephemeral


async def test_late_acknowledgement_is_unknown_interaction(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    fake.ack_deadline_s = 0.2  # the bot's /slow answers after 0.4 s
    alice = fake.add_user("alice")
    interaction = await fake.user_invokes_slash(alice, guild.channel("general"), "slow")
    await fake.state.wait_until(lambda: fake.refusals or None, 5.0, lambda: "the fake refused nothing")
    assert "10062" in fake.refusals[0] and "/callback" in fake.refusals[0]
    assert fake.interaction_responses(interaction) == []
    await fake.wait_for(lambda: bot.errors or None, what="the bot saw the refusal")
    assert bot.errors[0].code == 10062  # type: ignore[attr-defined]


async def test_button_click_updates_message_and_modal_submit(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    general = guild.channel("general")
    asked = await fake.user_sends(alice, general, "make one", mentions_bot=True)
    reply = await fake.wait_for_bot_message(general, lambda m: m.reference_id == asked.id)
    assert reply.custom_ids() == ["variation:42", "remix:42"]

    click = await fake.user_clicks(bob, reply, "variation:42")
    assert (await fake.wait_for_response(click)).type == 7
    assert fake.state.messages[reply.id].content == "variation of 42 by bob"
    await fake.wait_for(lambda: bot.seen_edits or None, what="MESSAGE_UPDATE reached the bot")
    assert bot.seen_edits[-1].content == "variation of 42 by bob"

    opened = await fake.user_clicks(alice, reply, "remix:42")
    modal = await fake.wait_for_response(opened)
    assert modal.type == 9 and modal.data["custom_id"] == "remix-modal:42"
    with pytest.raises(FakeDiscordError, match="never showed bob"):
        await fake.user_submits_modal(bob, "remix-modal:42", {"instruction": "faster"})
    submitted = await fake.user_submits_modal(alice, "remix-modal:42", {"instruction": "faster"})
    answer = await fake.wait_for_response(submitted)
    assert answer.message is not None and answer.message.content == "remixing 42: faster"
    with pytest.raises(FakeDiscordError, match="has no component 'nope'"):
        await fake.user_clicks(alice, reply, "nope")


async def test_message_context_menu_command(fake: FakeDiscord, guild: FakeGuild, bot: MiniBot) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    target = await fake.user_sends(alice, general, "a tune to remix")
    interaction = await fake.user_invokes_message_command(alice, target, "Remix with Motif")
    record = await fake.wait_for_response(interaction)
    assert record.message is not None
    assert record.message.content == f"remix of {target.id}: a tune to remix"
    assert record.message.ephemeral and record.message.type == 23


async def test_subcommand_with_attachment_option(fake: FakeDiscord, guild: FakeGuild, bot: MiniBot) -> None:
    alice = fake.add_user("alice")
    general = guild.channel("general")
    options = {"name": "noir", "midi": ("seed.mid", b"MThd1234")}
    interaction = await fake.user_invokes_slash(alice, general, "preset save", options)
    record = await fake.wait_for_response(interaction)
    assert record.message is not None and record.message.content == "saved noir: seed.mid (8 bytes)"
    with pytest.raises(FakeDiscordError, match="needs a subcommand"):
        await fake.user_invokes_slash(alice, general, "preset", {"name": "x"})


async def test_guild_sync_takes_precedence_over_global(
    fake: FakeDiscord, guild: FakeGuild, bot: MiniBot
) -> None:
    target = discord.Object(guild.id)
    bot.tree.copy_global_to(guild=target)
    await bot.tree.sync(guild=target)
    guild_ids = {c.name: c.id for c in fake.commands(guild)}
    assert set(guild_ids) == {c.name for c in fake.commands()}
    interaction = await fake.user_invokes_slash(
        fake.add_user("mod", moderator=True), guild.channel("general"), "style", {"genre": "x"}
    )
    assert int(interaction.data["id"]) == guild_ids["style"]
    assert interaction.data["guild_id"] == str(guild.id)
