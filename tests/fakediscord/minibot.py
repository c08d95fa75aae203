"""A minimal real discord.py bot used only by the fake's own tests (not the Motif product bot).

It exercises each feature the product bot will need: a synced slash command answered with defer +
followup file + edit_original_response, a moderator-only command, replies to mentions with an attachment,
an embed and persistent (DynamicItem) buttons, a modal, and a message context-menu command.
"""

from __future__ import annotations

import io
import re

import discord
from discord import app_commands


class VariationButton(discord.ui.DynamicItem[discord.ui.Button], template=r"variation:(?P<gen>\d+)"):
    """Persistent button: the custom id carries the generation id, so it works after a restart."""

    def __init__(self, gen: int) -> None:
        super().__init__(discord.ui.Button(label="Variation", custom_id=f"variation:{gen}"))
        self.gen = gen

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> VariationButton:
        return cls(int(match["gen"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"variation of {self.gen} by {interaction.user.name}")


class RemixModal(discord.ui.Modal, title="Remix"):
    instruction: discord.ui.TextInput = discord.ui.TextInput(label="Instruction", custom_id="instruction")

    def __init__(self, gen: int) -> None:
        super().__init__(custom_id=f"remix-modal:{gen}")
        self.gen = gen

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"remixing {self.gen}: {self.instruction.value}")


class RemixButton(discord.ui.DynamicItem[discord.ui.Button], template=r"remix:(?P<gen>\d+)"):
    def __init__(self, gen: int) -> None:
        super().__init__(discord.ui.Button(label="Remix", custom_id=f"remix:{gen}"))
        self.gen = gen

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RemixButton:
        return cls(int(match["gen"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(RemixModal(self.gen))


class MiniBot(discord.Client):
    """Records what it saw so tests can assert on the client's side too."""

    def __init__(self, *, message_content: bool = True, sync: bool = True) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = message_content
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.sync_on_setup = sync
        self.seen_messages: list[discord.Message] = []
        self.seen_edits: list[discord.Message] = []
        self.ready_count = 0
        self.resumed_count = 0
        self.errors: list[BaseException] = []
        self._add_commands()
        self._add_group_and_menu()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VariationButton, RemixButton)
        if self.sync_on_setup:
            await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying (a public, overridable hook); no need against the fake."""

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def on_resumed(self) -> None:
        self.resumed_count += 1

    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        self.seen_edits.append(after)

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)
        if message.author.bot or self.user is None or self.user not in message.mentions:
            return
        echoed = b"".join([await a.read() for a in message.attachments]) or message.content.encode()
        embed = discord.Embed(title="Piece 42", description=message.content)
        embed.add_field(name="key", value="D dorian")
        view = discord.ui.View(timeout=None)
        view.add_item(VariationButton(42))
        view.add_item(RemixButton(42))
        await message.reply(file=discord.File(io.BytesIO(echoed), "echo.mid"), embed=embed, view=view)

    def _add_commands(self) -> None:
        @self.tree.command(name="compose", description="Compose a piece")
        async def compose(interaction: discord.Interaction, prompt: str, bars: int = 8) -> None:
            await interaction.response.defer(thinking=True)
            data = f"{prompt}|{bars}".encode()
            await interaction.followup.send(
                content="here it is", file=discord.File(io.BytesIO(data), "piece.mid")
            )
            await interaction.edit_original_response(
                content=f"composed {prompt!r} for {interaction.user.name}"
            )

        @self.tree.command(name="style", description="Server style (moderators)")
        @app_commands.default_permissions(manage_guild=True)
        async def style(interaction: discord.Interaction, genre: str) -> None:
            if not interaction.permissions.manage_guild:
                await interaction.response.send_message("moderators only", ephemeral=True)
                return
            await interaction.response.send_message(f"style set to {genre}", ephemeral=True)

        @self.tree.command(name="slow", description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            import asyncio

            await asyncio.sleep(0.4)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                self.errors.append(exc)

    def _add_group_and_menu(self) -> None:
        preset = app_commands.Group(name="preset", description="Named presets")

        @preset.command(name="save", description="Save a preset")
        async def preset_save(interaction: discord.Interaction, name: str, midi: discord.Attachment) -> None:
            data = await midi.read()
            await interaction.response.send_message(f"saved {name}: {midi.filename} ({len(data)} bytes)")

        self.tree.add_command(preset)

        @self.tree.context_menu(name="Remix with Motif")
        async def remix_menu(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(
                f"remix of {message.id}: {message.content}", ephemeral=True
            )
