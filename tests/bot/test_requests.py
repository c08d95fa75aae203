"""Job payloads: a request reads back as it was written, and a payload stored by an earlier Motif (its style
flat, six settings wide) still reads, with the server-setting defaults for the rest."""

from __future__ import annotations

from bot.discord_app.requests import ReplyTarget, Request, Style
from storage import GuildSettings
from storage.jobs import TRANSIENT_KEY

OLD_PAYLOAD = {
    "action": "compose", "author": "discord:1", "author_name": "Ann", "guild": "10", "channel": "20",
    "reply": {"kind": "interaction", "channel_id": 20, "source_id": 30, "application_id": 40,
              "attachment_limit_bytes": 8388608},
    "style": {"genre": "bossa_nova", "tempo_min": None, "tempo_max": 100, "instruments": ["cello"], "max_bars": 8,
              "audio": False, "prompt_suffix": "dark", "spec_overrides": {"density": 0.3}},
    "prompt": "a tune", "bars": 4, "seed": 7, "parent_id": None, "instruction": "", "midi_name": "upload.mid",
    TRANSIENT_KEY: {"token": "tok", "midi_b64": None},
}


def test_a_payload_from_before_styles_carried_guild_settings_still_reads() -> None:
    request = Request.from_payload(OLD_PAYLOAD)
    settings = GuildSettings(genre="bossa_nova", tempo_max=100, instruments=("cello",), max_bars=8, audio=False)
    assert request.style == Style(settings, prompt_suffix="dark", spec_overrides={"density": 0.3})
    assert (request.prompt, request.bars, request.seed, request.reply.token) == ("a tune", 4, 7, "tok")


def test_a_request_reads_back_as_written() -> None:
    style = Style(GuildSettings(genre="jazz", allowed_channels=("20",), rate_per_user_per_hour=5), "noir", {"bars": 4})
    request = Request(action="remix", author="discord:1", author_name="Ann", guild=None, channel="20",
                      reply=ReplyTarget("message", 20, 31), style=style, parent_id="abc123", instruction="faster")
    assert Request.from_payload(request.to_payload()) == request
    assert Style().settings == GuildSettings()  # the defaults are the server settings' own
