"""The Discord end to end once on PostgreSQL: the real bot and its worker processes share a PostgreSQL store
(each worker opens its own connection from the URL), a /compose and a reply-to-remix each post once."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from bot.discord_app.pool import ProcessGroup
from storage import PostgresUrl
from tests.bot import discord_harness
from tests.bot.discord_harness import answered, generation_id, is_final, open_world
from tests.pg_server import PostgresServer, create_schema

executor = discord_harness.executor


async def test_compose_and_remix_through_discord_on_postgresql(
    tmp_path: Path, executor: ProcessGroup, postgres_server: PostgresServer
) -> None:
    url = await create_schema(postgres_server, prefix="discord")
    async for world in open_world(tmp_path, executor, images=False, db=PostgresUrl(url)):
        fake, general = world.fake, world.guild.channel("general")
        assert world.store.engine == "postgresql"
        async with fake.running(world.bot()):
            alice, bob = fake.add_user("alice"), fake.add_user("bob")
            interaction = await fake.user_invokes_slash(alice, general, "compose", {"prompt": "a calm waltz", "bars": 4})
            piece = (await fake.wait_for_response(interaction, answered, timeout=60)).message
            assert piece is not None
            reply = await fake.user_sends(bob, general, "faster", reply_to=piece)
            remix = await fake.wait_for_bot_message(
                general, lambda m, asked=reply: m.reference_id == asked.id and is_final(m), timeout=60
            )
        parent = await world.store.get_generation(generation_id(piece))
        child = await world.store.get_generation(generation_id(remix))
        assert parent is not None and child is not None
        assert child.parent_id == parent.id and child.author == f"discord:{bob.id}"
        assert child.spec["tempo_bpm"] > parent.spec["tempo_bpm"]
        assert parent.message_id == str(piece.id) and child.message_id == str(remix.id)
        job = await world.store.get_job_by_key(f"interaction:{interaction.id}")
        assert job is not None and job.state == "done" and job.result["message_id"] == str(piece.id)
        assert len([m for m in fake.bot_messages_in(general) if is_final(m)]) == 2  # each posted once
    conn = await asyncpg.connect(url)  # the rows are on the server, not in a file beside the test
    try:
        assert await conn.fetchval("SELECT count(*) FROM generations") == 2
        assert await conn.fetchval("SELECT count(*) FROM jobs WHERE state = 'done'") == 2
    finally:
        await conn.close()
    assert not (tmp_path / "motif.db").exists()
