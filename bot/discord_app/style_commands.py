"""`/style`: a server's defaults and presets, for moderators.

Permission is checked when the command runs (Manage Server), not only through Discord's default
permissions, which server admins can override per command; `/style show` and `/style preset list`
are open to everyone because they only read.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands

from bot.discord_app.embeds import EMBED_COLOUR
from bot.discord_app.services import BotServices
from prompts.errors import UserError
from prompts.limits import MAX_BARS, MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.words.genres import GENRE_IDS
from storage import GuildSettings, StoreError

CHANNEL = re.compile(r"<#(\d+)>|(\d{5,25})")


def parse_channels(text: str) -> list[str]:
    """'#general #music' (as mentions) or raw ids -> channel id strings; anything else is an error."""
    found = [a or b for a, b in CHANNEL.findall(text)]
    leftover = CHANNEL.sub("", text).replace(",", " ").strip()
    if leftover and leftover.lower() not in ("all", "any", "none"):
        raise UserError(f"could not read {leftover!r} as channels; mention them like #general")
    return found


def parse_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def settings_text(settings: GuildSettings, overrides: dict[str, Any]) -> str:
    """Each setting with its value; values this server changed are marked."""
    lines = []
    for name in (
        "genre",
        "tempo_min",
        "tempo_max",
        "instruments",
        "max_bars",
        "audio",
        "allowed_channels",
        "rate_per_user_per_hour",
        "rate_per_guild_per_hour",
    ):
        value = getattr(settings, name)
        if name == "allowed_channels":
            shown = " ".join(f"<#{c}>" for c in value) or "every channel"
        elif isinstance(value, tuple):
            shown = ", ".join(value) or "-"
        else:
            shown = "-" if value is None else str(value)
        lines.append(f"{'**' if name in overrides else ''}{name}{'**' if name in overrides else ''}: {shown}")
    return "\n".join(lines)


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server, checked now; refuses with a message otherwise."""
    if interaction.guild is None:
        await interaction.response.send_message("/style only works in a server.", ephemeral=True)
        return False
    if not interaction.permissions.manage_guild:
        await interaction.response.send_message(
            "Only moderators (Manage Server permission) can change this server's style. `/style show` is open to all.",
            ephemeral=True,
        )
        return False
    return True


def _changes(
    genre: str | None,
    tempo_min: int | None,
    tempo_max: int | None,
    instruments: str | None,
    max_bars: int | None,
    audio: bool | None,
    channels: str | None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if genre is not None:
        cleaned = genre.strip().lower().replace(" ", "_")
        if cleaned not in GENRE_IDS:
            raise UserError(f"unknown genre {genre!r}; choose one of {', '.join(GENRE_IDS)}")
        changes["genre"] = cleaned
    for name, value in (
        ("tempo_min", tempo_min),
        ("tempo_max", tempo_max),
        ("max_bars", max_bars),
        ("audio", audio),
    ):
        if value is not None:
            changes[name] = value
    if instruments is not None:
        changes["instruments"] = parse_names(instruments)
    if channels is not None:
        changes["allowed_channels"] = parse_channels(channels)
    return changes


async def reply(interaction: discord.Interaction, title: str, text: str) -> None:
    """An ephemeral embed: moderators' settings answers are for the person who asked."""
    embed = discord.Embed(title=title, description=text[:4000], colour=EMBED_COLOUR)
    await interaction.response.send_message(embed=embed, ephemeral=True)


class StyleCommands(app_commands.Group):
    """`/style show|set|reset` and `/style preset add|remove|list`, one method per subcommand."""

    preset = app_commands.Group(name="preset", description="Named presets for /compose")

    def __init__(self, bot: BotServices) -> None:
        super().__init__(
            name="style", description="This server's Motif defaults (moderators change them)", guild_only=True
        )
        self.bot = bot

    @app_commands.command(name="show", description="Show this server's defaults")
    async def show(self, interaction: discord.Interaction) -> None:
        gid = str(interaction.guild_id)
        settings, overrides = (
            await self.bot.store.guild_settings(gid),
            await self.bot.store.guild_overrides(gid),
        )
        await reply(interaction, "Server style", settings_text(settings, overrides))

    @app_commands.command(name="set", description="Change defaults (moderators)")
    @app_commands.describe(
        instruments="Comma-separated, e.g. 'piano, upright bass'",
        channels="Channels Motif may compose in (mentions), or 'all'",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        genre: str | None = None,
        tempo_min: app_commands.Range[int, MIN_TEMPO_BPM, MAX_TEMPO_BPM] | None = None,
        tempo_max: app_commands.Range[int, MIN_TEMPO_BPM, MAX_TEMPO_BPM] | None = None,
        instruments: str | None = None,
        max_bars: app_commands.Range[int, 1, MAX_BARS] | None = None,
        audio: bool | None = None,
        channels: str | None = None,
    ) -> None:
        if not await is_moderator(interaction):
            return
        try:
            changes = _changes(genre, tempo_min, tempo_max, instruments, max_bars, audio, channels)
            if not changes:
                raise UserError("name at least one setting to change")
            settings = await self.bot.store.set_guild_settings(str(interaction.guild_id), **changes)
        except (UserError, StoreError) as exc:
            await interaction.response.send_message(f"Not changed: {exc}", ephemeral=True)
            return
        overrides = await self.bot.store.guild_overrides(str(interaction.guild_id))
        await reply(interaction, "Server style updated", settings_text(settings, overrides))

    @app_commands.command(name="reset", description="Back to Motif's defaults (moderators)")
    async def reset(self, interaction: discord.Interaction, setting: str | None = None) -> None:
        if not await is_moderator(interaction):
            return
        try:
            names = (setting.strip(),) if setting else ()
            settings = await self.bot.store.reset_guild_settings(str(interaction.guild_id), *names)
        except StoreError as exc:
            await interaction.response.send_message(f"Not changed: {exc}", ephemeral=True)
            return
        await reply(interaction, "Server style reset", settings_text(settings, {}))

    @preset.command(name="add", description="Save a preset (moderators)")
    async def preset_add(self, interaction: discord.Interaction, name: str, prompt: str) -> None:
        if not await is_moderator(interaction):
            return
        try:
            await self.bot.store.add_preset(
                str(interaction.guild_id),
                name,
                prompt_suffix=prompt,
                created_by=f"discord:{interaction.user.id}",
            )
        except StoreError as exc:
            await interaction.response.send_message(f"Not saved: {exc}", ephemeral=True)
            return
        await reply(
            interaction, "Preset saved", f"`{name}` adds: {prompt}\nUse it with `/compose preset:{name}`."
        )

    @preset.command(name="remove", description="Delete a preset (moderators)")
    async def preset_remove(self, interaction: discord.Interaction, name: str) -> None:
        if not await is_moderator(interaction):
            return
        try:
            await self.bot.store.remove_preset(str(interaction.guild_id), name)
        except StoreError as exc:
            await interaction.response.send_message(f"Not removed: {exc}", ephemeral=True)
            return
        await reply(interaction, "Preset removed", f"`{name}` is gone.")

    @preset.command(name="list", description="This server's presets")
    async def preset_list(self, interaction: discord.Interaction) -> None:
        presets = await self.bot.store.list_presets(str(interaction.guild_id))
        text = "\n".join(f"`{p.name}`: {p.prompt_suffix}" for p in presets) or "No presets yet."
        await reply(interaction, "Presets", text)


def add_style_commands(bot: BotServices) -> None:
    """Register `/style` and its subcommands on the bot's tree."""
    bot.tree.add_command(StyleCommands(bot))
