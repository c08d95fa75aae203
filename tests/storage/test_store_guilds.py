"""Users, server settings (defaults declared once, only overrides stored) and presets."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from storage import GuildSettings, Store, StoreError
from tests.storage.raw import RawDb

GUILD = "discord:guild-1"


async def _stored_overrides(raw: RawDb, guild_id: str) -> dict[str, object] | None:
    rows = await raw.fetch("SELECT settings_json FROM guilds WHERE id = ?", guild_id)
    return None if not rows else json.loads(rows[0][0])


async def test_users_are_recorded_once_and_keep_their_creation_time(store: Store) -> None:
    first = await store.upsert_user("discord:1234", "Ada")
    renamed = await store.upsert_user("discord:1234", "Ada L.")
    unchanged = await store.upsert_user("discord:1234")
    assert (renamed.display_name, unchanged.display_name) == ("Ada L.", "Ada L.")
    assert first.created_at == renamed.created_at == unchanged.created_at
    assert await store.get_user("discord:1234") == unchanged
    assert await store.get_user("local:1234") is None


@pytest.mark.parametrize("bad", ["1234", ":1234", "Discord:1", "discord:", "discord: x", "", 1234])
async def test_user_ids_must_be_platform_qualified(store: Store, bad: object) -> None:
    with pytest.raises(StoreError, match="user id"):
        await store.upsert_user(bad)  # type: ignore[arg-type]


async def test_a_new_server_gets_the_declared_defaults_without_a_row(store: Store, raw: RawDb) -> None:
    settings = await store.guild_settings(GUILD)
    assert settings == GuildSettings()
    assert (settings.max_bars, settings.audio, settings.rate_per_user_per_hour) == (32, True, 30)
    assert settings.channel_allowed("any-channel")
    assert await _stored_overrides(raw, GUILD) is None


async def test_only_overrides_are_stored_and_defaults_merge_in(store: Store, raw: RawDb) -> None:
    updated = await store.set_guild_settings(GUILD, tempo_max=140, instruments=["piano", "bass"], audio=False)
    assert updated == GuildSettings(tempo_max=140, instruments=("piano", "bass"), audio=False)
    assert await store.guild_settings(GUILD) == updated
    assert await _stored_overrides(raw, GUILD) == {"tempo_max": 140, "instruments": ["piano", "bass"], "audio": False}
    assert await store.guild_overrides(GUILD) == {"tempo_max": 140, "instruments": ["piano", "bass"], "audio": False}
    again = await store.set_guild_settings(GUILD, genre="jazz", allowed_channels=("c-1",))
    assert (again.tempo_max, again.genre, again.allowed_channels) == (140, "jazz", ("c-1",))
    assert not again.channel_allowed("c-2") and again.channel_allowed("c-1")
    assert await store.guild_settings("discord:other") == GuildSettings()  # servers are independent


async def test_reset_some_or_all_settings(store: Store, raw: RawDb) -> None:
    await store.set_guild_settings(GUILD, tempo_min=80, tempo_max=140, max_bars=16)
    partly = await store.reset_guild_settings(GUILD, "tempo_min", "max_bars")
    assert partly == GuildSettings(tempo_max=140)
    assert await _stored_overrides(raw, GUILD) == {"tempo_max": 140}
    assert await store.reset_guild_settings(GUILD) == GuildSettings()
    assert await _stored_overrides(raw, GUILD) == {}
    with pytest.raises(StoreError, match="unknown setting 'tempo'"):
        await store.reset_guild_settings(GUILD, "tempo")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tempo": 120}, "unknown setting 'tempo'; the settings are: genre, tempo_min"),
        ({"max_bars": 0}, "max_bars must be an integer from 1 to 256"),
        ({"max_bars": "32"}, "max_bars must be an integer"),
        ({"max_bars": True}, "max_bars must be an integer"),
        ({"tempo_min": 10}, "tempo_min must be an integer from 20 to 400 or null"),
        ({"audio": "yes"}, "audio must be true or false"),
        ({"genre": "Jazz Fusion!"}, "genre must be a genre id"),
        ({"instruments": "piano"}, "instruments must be a list of names"),
        ({"instruments": ["piano", "piano"]}, "lists an entry twice"),
        ({"allowed_channels": [""]}, "non-empty names"),
        ({"rate_per_guild_per_hour": -1}, "rate_per_guild_per_hour must be an integer from 1"),
        ({"tempo_min": 150, "tempo_max": 90}, r"tempo_min \(150 bpm\) must not be above tempo_max \(90 bpm\)"),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(
    store: Store, raw: RawDb, changes: dict[str, object], message: str
) -> None:
    await store.set_guild_settings(GUILD, max_bars=24)
    with pytest.raises(StoreError, match=message):
        await store.set_guild_settings(GUILD, **changes)
    assert await _stored_overrides(raw, GUILD) == {"max_bars": 24}


async def test_cross_field_check_sees_stored_values(store: Store) -> None:
    await store.set_guild_settings(GUILD, tempo_max=100)
    with pytest.raises(StoreError, match="must not be above tempo_max"):
        await store.set_guild_settings(GUILD, tempo_min=120)
    assert (await store.set_guild_settings(GUILD, tempo_min=100)).tempo_min == 100


async def test_unknown_stored_keys_are_ignored_and_bad_ones_reported(store: Store, raw: RawDb) -> None:
    await store.set_guild_settings(GUILD, max_bars=8)
    # as a newer Motif, then a hand edit, would leave it
    await raw.execute("UPDATE guilds SET settings_json = ? WHERE id = ?", '{"max_bars": 8, "future": 1}', GUILD)
    assert await store.guild_settings(GUILD) == GuildSettings(max_bars=8)
    await raw.execute("UPDATE guilds SET settings_json = ? WHERE id = ?", '{"max_bars": "lots"}', GUILD)
    with pytest.raises(StoreError, match="guild 'discord:guild-1' has a bad stored setting.*max_bars"):
        await store.guild_settings(GUILD)
    assert await store.reset_guild_settings(GUILD, "max_bars") == GuildSettings()


def test_every_setting_has_a_default_and_a_check() -> None:
    for spec in fields(GuildSettings):
        assert callable(spec.metadata["check"]), spec.name
        assert spec.metadata["check"](spec.name, getattr(GuildSettings(), spec.name)) == spec.default


async def test_presets_add_get_list_remove(store: Store) -> None:
    waltz = await store.add_preset(GUILD, "jazz-waltz", prompt_suffix="in 3/4, brushes", created_by="discord:1")
    noir = await store.add_preset(GUILD, "Noir_2", spec_overrides={"mode": "phrygian", "tempo_bpm": 70})
    await store.add_preset("discord:other", "jazz-waltz", prompt_suffix="elsewhere")
    assert await store.get_preset(GUILD, "JAZZ-WALTZ") == waltz  # names match ignoring case
    assert noir.spec_overrides == {"mode": "phrygian", "tempo_bpm": 70} and noir.prompt_suffix == ""
    assert [p.name for p in await store.list_presets(GUILD)] == ["jazz-waltz", "Noir_2"]
    await store.remove_preset(GUILD, "noir_2")
    assert [p.name for p in await store.list_presets(GUILD)] == ["jazz-waltz"]
    assert await store.get_preset(GUILD, "Noir_2") is None
    assert (await store.get_preset("discord:other", "jazz-waltz")).prompt_suffix == "elsewhere"  # type: ignore[union-attr]


async def test_preset_duplicates_and_unknown_names_get_clear_errors(store: Store) -> None:
    await store.add_preset(GUILD, "lofi", prompt_suffix="lo-fi hip hop")
    with pytest.raises(StoreError, match="already has a preset named 'lofi'; remove it first"):
        await store.add_preset(GUILD, "LoFi", prompt_suffix="other")
    with pytest.raises(StoreError, match=r"no preset named 'chill' \(its presets: lofi\)"):
        await store.remove_preset(GUILD, "chill")


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("", {"prompt_suffix": "x"}, "preset name must be 1-32"),
        ("a" * 33, {"prompt_suffix": "x"}, "preset name must be 1-32"),
        ("two words", {"prompt_suffix": "x"}, "preset name must be 1-32"),
        ("ok", {}, "needs a prompt_suffix or spec_overrides"),
        ("ok", {"prompt_suffix": "x" * 501}, "at most 500"),
        ("ok", {"spec_overrides": ["mode"]}, "spec_overrides must be a dict"),
        ("ok", {"spec_overrides": {"tempo_bpm": float("inf")}}, "JSON-serialisable"),
    ],
)
async def test_bad_presets_are_refused(store: Store, name: str, body: dict[str, object], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        await store.add_preset(GUILD, name, **body)  # type: ignore[arg-type]
    assert await store.list_presets(GUILD) == []


async def test_a_server_may_keep_at_most_a_hundred_presets(store: Store) -> None:
    for i in range(100):
        await store.add_preset(GUILD, f"p{i}", prompt_suffix="x")
    with pytest.raises(StoreError, match="at most 100 presets"):
        await store.add_preset(GUILD, "one-more", prompt_suffix="x")
