"""Remixing through Discord: a reply by another member, a reply with a MIDI file, the context menu."""

from __future__ import annotations

from symusic import Note, Score, Track

from tests.bot import discord_harness
from tests.bot.discord_harness import World, generation_id, is_final

executor = discord_harness.executor
world = discord_harness.world


def _midi_file() -> bytes:
    """A real 2-bar C major melody written with symusic (a user's upload)."""
    score = Score(480)
    track = Track(name="Piano", program=0)
    for index, pitch in enumerate([60, 62, 64, 65, 67, 65, 64, 62]):
        track.notes.append(Note(index * 480, 440, pitch, 90))
    score.tracks.append(track)
    return bytes(score.dumps_midi())


async def test_reply_by_another_member_remixes_and_credits_both(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice, bob = fake.add_user("alice"), fake.add_user("bob")
        asked = await fake.user_sends(alice, general, "calm folk tune, 4 bars", mentions_bot=True)
        piece = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == asked.id and is_final(m), timeout=60
        )
        reply = await fake.user_sends(bob, general, "faster and in 3/4", reply_to=piece)
        remix = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == reply.id and is_final(m), timeout=60
        )
        menu = await fake.user_invokes_message_command(bob, remix, "Remix with Motif")
        shown = await fake.wait_for_response(menu, lambda r: r.type == 9)
        not_a_piece = await fake.user_invokes_message_command(bob, asked, "Remix with Motif")
        refused = await fake.wait_for_response(not_a_piece)
    parent_id, child_id = generation_id(piece), generation_id(remix)
    child = await world.store.get_generation(child_id)
    parent = await world.store.get_generation(parent_id)
    assert child is not None and parent is not None
    assert child.parent_id == parent_id and child.author == f"discord:{bob.id}"
    assert child.spec["time_signature"] == "3/4" and child.spec["tempo_bpm"] > parent.spec["tempo_bpm"]
    description = remix.embeds[0]["description"]
    assert f"remix by <@{bob.id}> of <@{alice.id}>'s `{parent_id}`" in description
    assert shown.data["custom_id"] == f"motif:remix-modal:{child_id}"
    assert refused.message is not None and "not a Motif piece" in refused.message.content


async def test_reply_with_a_midi_file_remixes_that_file(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        carol = fake.add_user("carol")
        sent = await fake.user_sends(
            carol, general, "make it slower", mentions_bot=True, attachments=[("tune.mid", _midi_file())]
        )
        piece = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == sent.id and is_final(m), timeout=60
        )
        broken = await fake.user_sends(
            carol,
            general,
            "",
            mentions_bot=True,
            attachments=[("broken.mid", b"MThd not really a midi file")],
        )
        refusal = await fake.wait_for_bot_message(
            general,
            lambda m: m.reference_id == broken.id and m.content.startswith("Motif could not"),
            timeout=60,
        )
    remix = await world.store.get_generation(generation_id(piece))
    assert remix is not None and remix.parent_id is not None
    imported = await world.store.get_generation(remix.parent_id)
    assert imported is not None and imported.prompt == "imported: tune.mid"
    assert imported.author == remix.author == f"discord:{carol.id}"
    assert remix.spec["tempo_bpm"] < imported.spec["tempo_bpm"]
    assert not refusal.embeds


async def test_unreadable_remix_instruction_says_what_works(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        asked = await fake.user_sends(alice, general, "4 bars of jazz", mentions_bot=True)
        piece = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == asked.id and is_final(m), timeout=60
        )
        reply = await fake.user_sends(alice, general, "qwzx blorp", reply_to=piece)
        answer = await fake.wait_for_bot_message(
            general,
            lambda m: m.reference_id == reply.id and m.content.startswith("Motif could not"),
            timeout=60,
        )
    assert "Try for example" in answer.content
