"""Files over the upload limit: the audio is re-encoded smaller before anything is dropped, MIDI always stays."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bot.discord_app.attachments import fit_attachments, smaller_audio
from bot.discord_app.pool import ProcessGroup
from composer.files.audio import encode_audio
from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, generation_id, open_world
from tests.fakediscord import FakeMessage

executor = discord_harness.executor

ASK = {"prompt": "gentle piano ballad", "bars": 4, "seed": 1234}


@pytest.fixture
async def audio_world(tmp_path: Path, executor: ProcessGroup) -> AsyncIterator[World]:
    async for opened in open_world(tmp_path, executor):
        yield dataclasses.replace(
            opened, config=dataclasses.replace(opened.config, studio=dataclasses.replace(opened.config.studio, want_audio=True))
        )


async def _compose(world: World) -> FakeMessage:
    alice = world.fake.add_user("alice")
    asked = await world.fake.user_invokes_slash(alice, world.guild.channel("general"), "compose", ASK)
    final = await world.fake.wait_for_response(
        asked, answered, timeout=90
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


def _noisy_ogg(path: Path, seconds: float) -> bytes:
    """Stereo noise as OGG: it barely compresses, so every smaller encoding really is smaller."""
    rng = np.random.default_rng(7)
    encode_audio(path, (0.2 * rng.standard_normal((int(seconds * 44100), 2))).astype(np.float32), 44100, "OGG",
                 "VORBIS")
    return path.read_bytes()


def test_fallback_takes_the_first_encoding_that_fits_and_midi_always_stays(tmp_path: Path) -> None:
    """The order of sacrifice, on files on disk: smaller audio before extras, audio before MIDI."""
    audio = _noisy_ogg(tmp_path / "a.ogg", 10.0)
    (tmp_path / "a.mid").write_bytes(b"MThd" + bytes(200))
    (tmp_path / "a.musicxml").write_bytes(bytes(5000))
    files = {"midi": str(tmp_path / "a.mid"), "audio": str(tmp_path / "a.ogg"), "musicxml": str(tmp_path / "a.musicxml")}
    variants = smaller_audio(audio)
    assert [name for name, _ in variants][:2] == [".ogg", ".ogg"] and len(variants[1][1]) < len(variants[0][1])
    second = fit_attachments(files, "g", 204 + len(variants[1][1]) + 5000 + 100)
    chosen = sf.info(io.BytesIO(dict(second.files)["motif-g.ogg"]))  # bytes differ run to run (Ogg serials)
    assert (chosen.samplerate, chosen.channels) == (22050, 1) and "motif-g.musicxml" in dict(second.files)
    assert second.audio_reduced and second.left_out == []
    nothing = fit_attachments(files, "g", 1000)
    assert [name for name, _ in nothing.files] == ["motif-g.mid"] and nothing.left_out == ["MusicXML", "audio"]
    whole = fit_attachments(files, "g", 10**9)
    assert dict(whole.files)["motif-g.ogg"] == audio and not whole.note()
