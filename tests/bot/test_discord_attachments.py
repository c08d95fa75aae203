"""Files over the upload limit: the audio is re-encoded smaller before anything is dropped, MIDI always stays."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import soundfile as sf

from bot.discord_app.attachments import smaller_audio
from tests.bot import discord_harness
from tests.bot.discord_harness import World, generation_id, is_final, open_world
from tests.fakediscord import FakeMessage

executor = discord_harness.executor

ASK = {"prompt": "gentle piano ballad", "bars": 4, "seed": 1234}


@pytest.fixture
async def audio_world(tmp_path: Path, executor: ProcessPoolExecutor) -> AsyncIterator[World]:
    async for opened in open_world(tmp_path, executor):
        yield dataclasses.replace(opened, config=dataclasses.replace(opened.config, want_audio=True))


async def _compose(world: World) -> FakeMessage:
    alice = world.fake.add_user("alice")
    asked = await world.fake.user_invokes_slash(alice, world.guild.channel("general"), "compose", ASK)
    final = await world.fake.wait_for_response(
        asked, lambda r: r.message is not None and is_final(r.message), timeout=90
    )
    assert final.message is not None
    return final.message


async def test_audio_is_sent_smaller_when_the_original_does_not_fit(audio_world: World) -> None:
    world, fake = audio_world, audio_world.fake
    async with fake.running(world.bot()):
        full = await _compose(world)
        gen = generation_id(full)
        original = bytes(full.attachment(f"motif-{gen}.ogg").data)
        midi_bytes = full.attachment(f"motif-{gen}.mid").size
        smaller = smaller_audio(original)
        assert smaller and len(smaller[0][1]) + 4096 < len(original)
        limit = (
            midi_bytes + len(smaller[0][1]) + 2048
        )  # the first smaller encoding fits, the original does not
        fake.set_attachment_limit(limit)
        reduced = await _compose(world)
    names = {a.filename.rsplit(".", 1)[-1]: a for a in reduced.attachments}
    assert set(names) == {"mid", "ogg"}  # MIDI kept, audio kept (smaller), MusicXML and score left out
    audio = bytes(names["ogg"].data)
    assert len(audio) < len(original) and sum(a.size for a in reduced.attachments) <= limit
    info = sf.info(io.BytesIO(audio))
    assert info.channels == 1 and info.duration > 1.0
    assert "audio sent at lower quality" in reduced.content
    assert "score picture left out" in reduced.content and "MusicXML left out" in reduced.content
    assert len(full.attachments) == 4 and not full.content
