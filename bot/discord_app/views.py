"""Persistent buttons under every piece, and the Remix modal.

The buttons are `DynamicItem`s: their custom ids carry the generation id ("motif:variation:ab12cd34ef"),
so a button on a message posted before a restart still works; nothing about it lives in memory. That id is
client-supplied data like any typed option: every button and the modal check it against the server asking
(through `Intake.remix_from_interaction`, `BotServices.answer_lineage` or `visible_piece`).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.discord_app.intake import visible_piece
from bot.discord_app.services import services_of

GEN = r"(?P<gen>[0-9a-z]{1,32})"


class _GenButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"motif:none:" + GEN):
    action = "none"
    label = ""
    style = discord.ButtonStyle.secondary

    def __init__(self, gen: str) -> None:
        super().__init__(
            discord.ui.Button(label=self.label, style=self.style, custom_id=f"motif:{self.action}:{gen}")
        )
        self.gen = gen

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> Any:
        return cls(match["gen"])


class VariationButton(_GenButton, template=r"motif:variation:" + GEN):
    """A new take on the same request (new seed, same Spec)."""

    action, label, style = "variation", "Variation", discord.ButtonStyle.primary

    async def callback(self, interaction: discord.Interaction) -> None:
        await services_of(interaction).intake.remix_from_interaction(interaction, self.gen, "a variation")


class ContinueButton(_GenButton, template=r"motif:continue:" + GEN):
    """Keep going: the same piece, longer."""

    action, label = "continue", "Continue"

    async def callback(self, interaction: discord.Interaction) -> None:
        await services_of(interaction).intake.remix_from_interaction(interaction, self.gen, "continue for 4 bars")


class RemixButton(_GenButton, template=r"motif:remix:" + GEN):
    """Ask for an instruction ("faster, in 3/4"), then remix."""

    action, label = "remix", "Remix"

    async def callback(self, interaction: discord.Interaction) -> None:
        """The modal only for a piece this server may use (a forged custom id gets the unknown-id answer)."""
        if await visible_piece(services_of(interaction).store, interaction, self.gen) is not None:
            await interaction.response.send_modal(RemixModal(self.gen))


class LineageButton(_GenButton, template=r"motif:lineage:" + GEN):
    """Show where this piece came from and what was made from it."""

    action, label = "lineage", "Lineage"

    async def callback(self, interaction: discord.Interaction) -> None:
        await services_of(interaction).answer_lineage(interaction, self.gen, ephemeral=True)


BUTTONS: tuple[type[_GenButton], ...] = (VariationButton, ContinueButton, RemixButton, LineageButton)


def result_view(gen_id: str) -> discord.ui.View:
    """The row of buttons under a piece; timeout None because the dynamic items outlive the view anyway."""
    view = discord.ui.View(timeout=None)
    for button in BUTTONS:
        view.add_item(button(gen_id))
    return view


class RemixModal(discord.ui.Modal, title="Remix with Motif"):
    """One text box: what to change."""

    instruction: discord.ui.TextInput[RemixModal] = discord.ui.TextInput(
        label="What should change?",
        custom_id="instruction",
        placeholder="faster, in 3/4, with drums",
        max_length=300,
    )

    def __init__(self, gen: str) -> None:
        super().__init__(custom_id=f"motif:remix-modal:{gen}", timeout=900)
        self.gen = gen

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await services_of(interaction).intake.remix_from_interaction(interaction, self.gen, self.instruction.value)
