"""One server cannot see or override another: ids from elsewhere read as unknown on every path, remixes obey
the server's /style, and finished jobs keep no token, no upload, and do not stay forever.

Two guilds on the fake Discord, the real bot, a real store and real worker processes; nothing of Motif's is
mocked. The fake has no DMs, so the DM rule is checked on the store (`Scope`) at the end.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.discord_app.intake import unknown_piece
from storage import Store
from storage.generations import Scope
from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, generation_id, is_final
from tests.bot.test_discord_remix import _midi_file
from tests.fakediscord import FakeGuild, FakeInteraction, FakeMessage, FakeUser, ResponseRecord
from tests.storage.factories import new_generation

executor = discord_harness.executor
world = discord_harness.world

SECRET_PROMPT = "secret heist theme for oboe, 2 bars"


async def _final(world: World, interaction: FakeInteraction) -> FakeMessage:
    record = await world.fake.wait_for_response(
        interaction, answered, timeout=60
    )
    assert record.message is not None
    return record.message


async def _answer(world: World, interaction: FakeInteraction) -> ResponseRecord:
    return await world.fake.wait_for_response(interaction, lambda r: r.message is not None)


async def _piece_elsewhere(world: World, other: FakeGuild, bob: FakeUser) -> FakeMessage:
    """Bob's piece in the other server: its prompt and its author are what must never show up here."""
    asked = await world.fake.user_invokes_slash(bob, other.channel("general"), "compose", {"prompt": SECRET_PROMPT})
    return await _final(world, asked)


async def _piece_here(world: World, alice: FakeUser) -> FakeMessage:
    general = world.guild.channel("general")
    asked = await world.fake.user_sends(alice, general, "calm folk tune, 2 bars", mentions_bot=True)
    return await world.fake.wait_for_bot_message(
        general, lambda m: m.reference_id == asked.id and is_final(m), timeout=60
    )


async def _jobs_of(world: World, user: FakeUser) -> int:
    return await world.store.count_jobs_since(datetime(2000, 1, 1, tzinfo=UTC), user_id=f"discord:{user.id}")


async def test_ids_from_another_server_read_as_unknown_on_every_command_and_button(world: World) -> None:
    fake = world.fake
    other = fake.add_guild("Elsewhere", channels=["general"])
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice, eve = fake.add_user("alice"), fake.add_user("eve")
        bob = fake.add_user("bob", guild=other)
        theirs = await _piece_elsewhere(world, other, bob)
        ours = await _piece_here(world, alice)
        their_id = generation_id(theirs)
        typed = await _answer(world, await fake.user_invokes_slash(eve, general, "lineage", {"id": their_id}))
        unknown = await _answer(world, await fake.user_invokes_slash(eve, general, "lineage", {"id": "zzzzzzzzzz"}))
        clicks = {
            action: await _answer(world, await fake.user_clicks_forged(eve, ours, f"motif:{action}:{their_id}"))
            for action in ("variation", "continue", "remix", "lineage")
        }
    assert unknown.message is not None and unknown.message.content == unknown_piece("zzzzzzzzzz")
    for answer in (typed, *clicks.values()):
        assert answer.type == 4 and answer.message is not None and answer.message.ephemeral
        assert answer.message.content == unknown_piece(their_id) and not answer.message.embeds
        assert "oboe" not in answer.message.content and str(bob.id) not in answer.message.content
    assert await world.store.children(their_id) == []
    assert await _jobs_of(world, eve) == 0


async def test_forwards_replies_and_the_menu_never_reach_another_servers_piece(world: World) -> None:
    fake = world.fake
    other = fake.add_guild("Elsewhere", channels=["general"])
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        eve = fake.join_guild(fake.add_user("eve"), other)
        bob = fake.add_user("bob", guild=other)
        theirs = await _piece_elsewhere(world, other, bob)
        their_id = generation_id(theirs)
        forward = await fake.user_forwards(eve, theirs, general)
        # A record whose message and server disagree (an older Motif, an operator's import): the check is
        # on the piece's own server, not on where its message happens to be.
        decoy = await fake.user_sends(eve, general, "look at this")
        await world.store.attach_message(their_id, channel=str(general.id), message_id=str(decoy.id))
        menu = await _answer(world, await fake.user_invokes_message_command(eve, decoy, "Remix with Motif"))
        await fake.user_sends(eve, general, "faster", reply_to=decoy)
        # Messages are handled in order: once this one is answered, the forward and the reply were seen.
        last = await fake.user_sends(eve, general, "2 bars of jazz", mentions_bot=True)
        await fake.wait_for_bot_message(general, lambda m: m.reference_id == last.id and is_final(m), timeout=60)
    assert menu.type == 4 and menu.message is not None and "not a Motif piece" in menu.message.content
    assert not [m for m in fake.bot_messages_in(general) if m.reference_id in (forward.id, decoy.id)]
    assert await world.store.children(their_id) == []
    assert await _jobs_of(world, eve) == 1


async def test_lineage_here_leaves_out_what_was_made_elsewhere(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        ours = await _piece_here(world, alice)
        our_id = generation_id(ours)
        here = await world.store.get_generation(our_id)
        assert here is not None
        # Made before servers were kept apart: a remix in another server of our piece, and one of that here.
        there = await world.store.add_generation(new_generation(
            parent_id=our_id, guild="999", author="discord:424242", prompt="leaked oboe remix"
        ))
        back = await world.store.add_generation(new_generation(parent_id=there.id, guild=here.guild))
        shown = await fake.wait_for_response(
            await fake.user_invokes_slash(alice, general, "lineage", {"id": our_id}),
            lambda r: r.kind == "followup",
        )
        alone = await fake.wait_for_response(
            await fake.user_invokes_slash(alice, general, "lineage", {"id": back.id}),
            lambda r: r.kind == "followup",
        )
        elsewhere = await _answer(world, await fake.user_invokes_slash(alice, general, "lineage", {"id": there.id}))
    assert shown.message is not None and alone.message is not None
    outline = shown.message.embeds[0]["description"]
    assert our_id in outline and there.id not in outline and back.id not in outline
    assert "424242" not in outline and "oboe" not in outline
    # Its parent was made elsewhere: it is drawn as a root, joined to nothing it may not see.
    alone_outline = alone.message.embeds[0]["description"]
    assert alone_outline.startswith(f"`{back.id}`") and there.id not in alone_outline and our_id not in alone_outline
    assert elsewhere.message is not None and elsewhere.message.content == unknown_piece(there.id)


async def test_remix_is_held_to_the_servers_tempo_range_and_bar_limit(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    await world.store.set_guild_settings(str(world.guild.id), tempo_max=100)
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        asked = await fake.user_sends(alice, general, "calm folk tune, 8 bars", mentions_bot=True)
        piece = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == asked.id and is_final(m), timeout=60
        )
        await world.store.set_guild_settings(str(world.guild.id), max_bars=4)  # lowered after it was made
        reply = await fake.user_sends(alice, general, "at 300 bpm", reply_to=piece)
        remix = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == reply.id and is_final(m), timeout=60
        )
    made = await world.store.get_generation(generation_id(remix))
    assert made is not None and made.spec["tempo_bpm"] == 100 and made.spec["bars"] == 4
    note = "tempo 300 bpm is above this server's limit; played at 100 bpm"
    assert note in made.spec["notes"] and note in remix.embeds[0]["description"]
    assert any("cut to 4 bars" in n for n in made.spec["notes"])


def _age_job(db: Path, job_id: str, days: float) -> None:
    stamp = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    with closing(sqlite3.connect(db)) as raw:
        raw.execute("UPDATE jobs SET updated_at = ?, created_at = ? WHERE id = ?", (stamp, stamp, job_id))
        raw.commit()


async def test_finished_jobs_keep_no_token_or_upload_and_old_ones_are_purged(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    for key, days in (("old", 8.0), ("recent", 2.0)):
        job, _ = await world.store.enqueue_job(key, "housekeeping-test", {"n": 1})
        claimed = await world.store.claim_next_job("test", 30.0)
        assert claimed is not None and claimed.id == job.id
        await world.store.complete_job(job.id, {})
        _age_job(world.config.studio.db_path, job.id, days)
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        asked = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "2 bars of jazz"})
        await _final(world, asked)
        name = "..\\..\\x\u202edim.exe\u200f\u0007.mid"
        sent = await fake.user_sends(alice, general, "", mentions_bot=True, attachments=[(name, _midi_file())])
        imported = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == sent.id and is_final(m), timeout=60
        )
    slash = await world.store.get_job_by_key(f"interaction:{asked.id}")
    upload = await world.store.get_job_by_key(f"message:{sent.id}")
    assert slash is not None and slash.state == "done" and upload is not None and upload.state == "done"
    assert asked.token not in json.dumps(slash.payload)
    assert "midi_b64" not in json.dumps(upload.payload)
    stored = await world.store.get_generation(generation_id(imported))
    assert stored is not None and stored.prompt == "imported: xdim.exe.mid"
    assert await world.store.get_job_by_key("old") is None
    assert await world.store.get_job_by_key("recent") is not None


async def test_scope_rule_for_servers_and_dms(tmp_path: Path) -> None:
    """In a DM only the caller's own DM-made pieces exist; in a server only that server's."""
    async with Store.open(tmp_path / "scope.db") as store:
        dm_mine = await store.add_generation(new_generation(author="discord:1", guild=None))
        dm_theirs = await store.add_generation(new_generation(author="discord:2", guild=None))
        server_mine = await store.add_generation(new_generation(author="discord:1", guild="7"))
        dm = Scope(guild=None, user="discord:1")
        assert await store.get_generation(dm_mine.id, scope=dm) is not None
        assert await store.get_generation(dm_theirs.id, scope=dm) is None
        assert await store.get_generation(server_mine.id, scope=dm) is None
        assert await store.get_generation(dm_mine.id, scope=Scope(guild="7", user="discord:1")) is None
        assert await store.get_generation(dm_mine.id, scope=Scope(guild=None)) is None
        history = await store.list_generation_summaries("discord:1", scope=dm)
        assert [g.id for g in history] == [dm_mine.id]
