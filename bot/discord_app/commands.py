"""The everyday slash commands: /compose, /history, /lineage, /help, and the "Remix with Motif" menu."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord_app.embeds import EMBED_COLOUR, mention
from bot.discord_app.intake import scope_of
from bot.discord_app.services import BotServices
from bot.discord_app.views import RemixModal

HISTORY_PAGE = 10

HELP_TEXT = """\
**Compose**: `/compose prompt: a rainy jazz ballad for piano and sax` (options: bars, seed, preset, \
chords: `Am F C G` or `Dm7 | G7 | Cmaj7`), or mention \
Motif with your words: `@Motif upbeat bossa nova in D, 16 bars`.
**Remix**: reply to any Motif piece with what to change: `faster`, `in 3/4 with drums`, `transpose to E minor`, \
`swap piano for rhodes`, `make it 16 bars`. Reply with a MIDI file attached to start from your own notes.
**Buttons**: Variation (a new take), Continue (4 more bars), Remix (type an instruction), Lineage (the family tree).
**Look back**: `/history` (yours, or a member's), `/lineage id`.
**Moderators**: `/style show|set|reset` for this server's defaults, `/style preset add|remove|list`."""


def add_commands(bot: BotServices) -> None:
    """Register the everyday commands on the bot's tree."""
    tree = bot.tree

    @tree.command(name="compose", description="Compose a piece from a description")
    @app_commands.describe(
        prompt="What to write, e.g. 'sad waltz for cello'",
        bars="How many bars",
        seed="Repeat a take exactly",
        preset="One of this server's presets",
        chords="Your chord progression, e.g. 'Am F C G' or 'Dm7 | G7 | Cmaj7, two per bar'",
    )
    async def compose(
        interaction: discord.Interaction,
        prompt: str,
        bars: app_commands.Range[int, 1, 256] | None = None,
        seed: app_commands.Range[int, 0, 2**31 - 1] | None = None,
        preset: str | None = None,
        chords: str | None = None,
    ) -> None:
        await bot.intake.compose_from_interaction(interaction, prompt, bars, seed, preset, chords)

    @tree.command(name="history", description="Recent pieces: yours, or a member's")
    async def history(interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        await bot.answer_history(interaction, member or interaction.user)

    @tree.command(name="lineage", description="A piece's family tree of remixes")
    async def lineage(interaction: discord.Interaction, id: str) -> None:  # noqa: A002 - the option users type
        await bot.answer_lineage(interaction, id.strip().lower(), ephemeral=False)

    @tree.command(name="help", description="How to use Motif, with examples")
    async def help_command(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Motif", description=HELP_TEXT, colour=EMBED_COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    add_remix_menu(bot)


def add_remix_menu(bot: BotServices) -> None:
    """Right-click a piece -> Apps -> "Remix with Motif": the Remix modal for that piece."""

    @bot.tree.context_menu(name="Remix with Motif")
    async def remix_menu(interaction: discord.Interaction, message: discord.Message) -> None:
        generation = await bot.store.get_by_message(str(message.id), scope=scope_of(interaction))
        if generation is None:  # also another server's piece: it must read as no piece at all
            await interaction.response.send_message(
                "That message is not a Motif piece. Use this on a piece Motif posted, or reply to it.",
                ephemeral=True,
            )
            return
        await interaction.response.send_modal(RemixModal(generation.id))


def history_embed(user: discord.abc.User, rows: list[tuple[str, str, str | None]]) -> discord.Embed:
    """One line per piece: id, prompt, and what it was remixed from."""
    lines = [
        f"`{gid}` {prompt[:70]}" + (f" (remix of `{parent}`)" if parent else "")
        for gid, prompt, parent in rows
    ]
    description = "\n".join(lines) or f"{mention(f'discord:{user.id}')} has no pieces yet. Try `/compose`."
    return discord.Embed(
        title=f"Recent pieces by {user.display_name}", description=description, colour=EMBED_COLOUR
    )
