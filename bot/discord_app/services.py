"""What the slash commands, buttons and modals need from the bot, as a protocol: they are given this, never
the `MotifBot` class, so `app` (which registers them) is the only module that knows the client.
"""

from __future__ import annotations

from typing import Protocol

import discord
from discord import app_commands

from bot.discord_app.intake import Intake
from storage import Store


class BotServices(Protocol):
    """The store, the intake and the read-only answers a command, button or modal calls into."""

    store: Store
    intake: Intake
    tree: app_commands.CommandTree

    async def answer_history(self, interaction: discord.Interaction, user: discord.abc.User) -> None:
        """A member's recent pieces, as an ephemeral embed."""
        ...

    async def answer_lineage(self, interaction: discord.Interaction, gen_id: str, *, ephemeral: bool) -> None:
        """A piece's family tree (the part made here), as an outline and a picture."""
        ...


def services_of(interaction: discord.Interaction) -> BotServices:
    """The bot behind an interaction (buttons and modals are built without a reference to it)."""
    return interaction.client  # type: ignore[return-value]
