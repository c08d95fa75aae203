"""The bot's settings: environment and .env read once, clear errors, the token never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.discord_app import styling, worker_config
from bot.discord_app.requests import Style
from bot.discord_app.styling import styled_spec
from bot.settings import SettingsError, load_settings, read_environment, soundfont_setting
from prompts import ParseConfig, ParseError, Spec, parse
from storage import GuildSettings, PostgresUrl, default_db_path


def test_token_from_dotenv_with_environment_winning(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DISCORD_TOKEN=from-file\nMOTIF_WORKERS=3\n")
    env = read_environment(dotenv, {"MOTIF_DB": str(tmp_path / "m.db"), "MOTIF_WORKERS": "4"})
    settings = load_settings(env)
    assert settings.token == "from-file" and settings.workers == 4
    assert settings.db_path == tmp_path / "m.db"
    assert "from-file" not in repr(settings)


def test_a_postgres_store_url_is_carried_whole_and_never_shown() -> None:
    url = "postgresql://motif:s3cret@db.example:5432/motif"
    settings = load_settings({"DISCORD_TOKEN": "t", "MOTIF_DB": url})
    assert settings.db_path == PostgresUrl(url) and worker_config(settings).studio.db_path == PostgresUrl(url)
    assert settings.out_dir == default_db_path().parent / "discord-files"  # a server has no folder to sit beside
    assert "s3cret" not in repr(settings) and "s3cret" not in f"{settings.db_path}"


def test_soundfont_is_read_at_the_edge_and_carried_to_the_worker_studio(tmp_path: Path) -> None:
    font = tmp_path / "mine.sf2"
    assert soundfont_setting({"MOTIF_SOUNDFONT": str(font)}) == font
    assert soundfont_setting({"MOTIF_SOUNDFONT": ""}) is None and soundfont_setting({}) is None
    settings = load_settings({"DISCORD_TOKEN": "t", "MOTIF_DB": str(tmp_path / "m.db"), "MOTIF_SOUNDFONT": str(font)})
    assert settings.soundfont == font and worker_config(settings).studio.soundfont == font


def test_missing_token_and_bad_numbers_are_clear() -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        load_settings({})
    with pytest.raises(SettingsError, match="MOTIF_WORKERS must be a whole number"):
        load_settings({"DISCORD_TOKEN": "t", "MOTIF_WORKERS": "many"})
    with pytest.raises(SettingsError, match="MOTIF_AUDIO must be true or false"):
        load_settings({"DISCORD_TOKEN": "t", "MOTIF_AUDIO": "loud"})


def test_server_style_fills_defaults_and_holds_caps() -> None:
    config = ParseConfig(max_bars=8, use_encoder=False)
    style = Style(GuildSettings(genre="bossa_nova", tempo_max=100, instruments=("cello",), max_bars=8))
    spec = styled_spec("a fast happy tune", style, None, config)
    assert spec.genre == "bossa_nova" and spec.tempo_bpm <= 100
    assert any("tempo" in note for note in spec.notes)
    stated = styled_spec("a rock song with trumpet", style, 4, config)
    assert (
        stated.genre == "rock"
        and [i.name for i in stated.instruments][:1] == ["Trumpet"]
        and stated.bars == 4
    )
    with pytest.raises(ParseError, match="at most 8 bars"):
        styled_spec("a tune", style, 16, config)


def test_server_style_is_read_with_the_prompt_in_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The style's defaults go to the reader as data: one parse, whatever the style fills in."""
    calls: list[str] = []

    def counted(text: str, *args: object, **kwargs: object) -> Spec:
        calls.append(text)
        return parse(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(styling, "parse", counted)
    style = Style(GuildSettings(genre="bossa_nova", instruments=("cello",)), prompt_suffix="dark")
    spec = styled_spec("a fast happy tune", style, None, ParseConfig(use_encoder=False))
    assert calls == ["a fast happy tune, dark"]
    assert spec.genre == "bossa_nova" and [(i.name, i.role) for i in spec.instruments] == [
        ("Cello", "melody"), ("Acoustic Bass", "bass"), ("Acoustic Guitar (nylon)", "chords")]  # with the style's band
    assert {"genre", "instruments"} <= set(spec.explicit) and spec.prompt == "a fast happy tune, dark, bossa nova, with cello"
