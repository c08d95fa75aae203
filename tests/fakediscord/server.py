"""FakeDiscord: the aiohttp server on 127.0.0.1 and the API tests use to act as users and read results.

fake = await FakeDiscord.start(token="t")
guild = fake.add_guild("Studio", channels=["general"])
alice = fake.add_user("alice")
async with fake.running(bot):                       # bot.start(token) until READY, then close
    msg = await fake.user_sends(alice, guild.channel("general"), "hi", mentions_bot=True)
    reply = await fake.wait_for_bot_message(guild.channel("general"), lambda m: m.reference_id == msg.id)
await fake.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import discord
from aiohttp import web

from tests.fakediscord import events
from tests.fakediscord.driver import UserActions
from tests.fakediscord.errors import FakeDiscordError
from tests.fakediscord.gateway import Gateway, Identified
from tests.fakediscord.model import (
    FakeChannel,
    FakeCommand,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
)
from tests.fakediscord.pointing import point_discord_py
from tests.fakediscord.rest import add_routes as add_core_routes
from tests.fakediscord.rest import api_middleware
from tests.fakediscord.rest_interactions import add_routes as add_interaction_routes
from tests.fakediscord.services import SERVICES_KEY, Services
from tests.fakediscord.store import FakeState

MAX_REQUEST_BYTES = 64 * 1024 * 1024


class FakeDiscord(UserActions):
    """A fake Discord for one test: REST + gateway on a free local port, and the world behind them."""

    def __init__(self, services: Services, runner: web.AppRunner, restore: Callable[[], None]) -> None:
        super().__init__(services.state, services.gateway)
        self._services = services
        self._runner = runner
        self._restore = restore
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def start(
        cls,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "Motif",
        heartbeat_interval_ms: int = 41_250,
        ack_deadline_s: float = 3.0,
        point_discord: bool = True,
    ) -> FakeDiscord:
        """Serve on 127.0.0.1 (a free port) and, by default, point discord.py at it until `stop()`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        state = FakeState(token, bot_name, base_url)
        gateway = Gateway(state, heartbeat_interval_ms)
        gateway.url = f"ws://127.0.0.1:{sock.getsockname()[1]}/gateway"
        app = web.Application(middlewares=[api_middleware], client_max_size=MAX_REQUEST_BYTES)
        services = Services(state, gateway, ack_deadline_s)
        app[SERVICES_KEY] = services
        app.router.add_get("/gateway", gateway.handle)
        add_core_routes(app)
        add_interaction_routes(app)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        restore = point_discord_py(base_url, gateway.url) if point_discord else (lambda: None)
        return cls(services, runner, restore)

    async def stop(self) -> None:
        """Close every gateway connection, stop serving, and un-point discord.py."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._restore()

    # -- addresses ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.state.base_url

    @property
    def api_url(self) -> str:
        return f"{self.state.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.gateway.url

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def bot_user(self) -> FakeUser:
        return self.state.bot_user

    @property
    def application_id(self) -> int:
        return self.state.application_id

    # -- building the world ---------------------------------------------------------------------
    def add_guild(
        self,
        name: str = "Test Server",
        channels: tuple[str, ...] | list[str] = ("general",),
        *,
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild the bot is in (GUILD_CREATE is sent at IDENTIFY, or now if the bot is connected);
        `shard=(id, count)`: its id puts it on that shard when the bot runs `count` shards."""
        guild = self.state.new_guild(name, list(channels), shard)
        self._background(events.guild_created(self.gateway, guild))
        return guild

    def add_user(
        self,
        name: str,
        moderator: bool = False,
        *,
        guild: FakeGuild | None = None,
        permissions: int | None = None,
    ) -> FakeUser:
        """A human member of `guild` (default: the first guild); moderators get the Moderator role
        (MANAGE_GUILD); `permissions` gives the member an extra role with exactly those bits."""
        target = guild or self.default_guild
        user = self.state.new_user(name)
        role_ids = [target.role("Moderator").id] if moderator else []
        if permissions is not None:
            role = FakeRole(self.state.snowflakes.next(), f"{name}-role", permissions, position=1)
            target.roles.append(role)
            role_ids.append(role.id)
        member = FakeMember(user=user, role_ids=role_ids)
        target.members[user.id] = member
        self._background(events.member_added(self.gateway, target, member))
        return user

    def join_guild(self, user: FakeUser, guild: FakeGuild, moderator: bool = False) -> FakeUser:
        """Make an existing user a member of another guild too (one person in two servers)."""
        if user.id in guild.members:
            raise FakeDiscordError(f"{user.name} is already a member of {guild.name!r}")
        role_ids = [guild.role("Moderator").id] if moderator else []
        member = FakeMember(user=user, role_ids=role_ids)
        guild.members[user.id] = member
        self._background(events.member_added(self.gateway, guild, member))
        return user

    @property
    def default_guild(self) -> FakeGuild:
        if not self.state.guilds:
            raise FakeDiscordError("no guild yet: call fake.add_guild(...) first")
        return next(iter(self.state.guilds.values()))

    def channel(self, name: str, guild: FakeGuild | None = None) -> FakeChannel:
        """The text channel called `name` in `guild` (default: the first guild)."""
        return (guild or self.default_guild).channel(name)

    def set_attachment_limit(self, limit_bytes: int) -> None:
        """The upload limit (also reported to the bot as the interaction's attachment_size_limit)."""
        self.state.attachment_limit_bytes = limit_bytes

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        """Dispatch an event from a synchronous builder call; nothing to send before any bot connected."""
        if not self.gateway.sessions:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- reading what the bot did ---------------------------------------------------------------
    def messages_in(self, channel: FakeChannel, *, include_ephemeral: bool = True) -> list[FakeMessage]:
        """Live messages of a channel, oldest first."""
        found = self.state.channel_messages(channel.id)
        return [m for m in found if include_ephemeral or not m.ephemeral]

    def bot_messages_in(self, channel: FakeChannel) -> list[FakeMessage]:
        return [m for m in self.messages_in(channel) if m.author.id == self.state.bot_user.id]

    def commands(self, guild: FakeGuild | None = None) -> list[FakeCommand]:
        """Synced commands: global ones, or those of `guild`."""
        scope = None if guild is None else guild.id
        return sorted((c for c in self.state.commands.values() if c.guild_id == scope), key=lambda c: c.id)

    @property
    def ack_deadline_s(self) -> float:
        """How long after INTERACTION_CREATE the callback is accepted (Discord: 3 s)."""
        return self._services.ack_deadline_s

    @ack_deadline_s.setter
    def ack_deadline_s(self, value: float) -> None:
        self._services.ack_deadline_s = value

    @property
    def recommended_shards(self) -> int:
        """The shard count GET /gateway/bot recommends (what `AutoShardedClient` uses unless told)."""
        return self.state.recommended_shards

    @recommended_shards.setter
    def recommended_shards(self, value: int) -> None:
        self.state.recommended_shards = value

    @property
    def max_concurrency(self) -> int:
        """The session start limit's max_concurrency: IDENTIFY buckets (`shard_id % max_concurrency`)."""
        return self.state.max_concurrency

    @max_concurrency.setter
    def max_concurrency(self, value: int) -> None:
        self.state.max_concurrency = value

    @property
    def identified(self) -> list[Identified]:
        """Every accepted IDENTIFY with its time and shard, in order."""
        return self.gateway.identified

    @property
    def refusals(self) -> list[str]:
        """Every Discord-style error the fake answered (route: status message (code)), in order."""
        return self.state.refusals

    @property
    def unhandled_routes(self) -> list[str]:
        return self.state.unhandled_routes

    @property
    def internal_errors(self) -> list[str]:
        return self.state.internal_errors

    @property
    def gateway_ops(self) -> list[str]:
        """IDENTIFY / RESUME, in the order the fake received them."""
        return self.gateway.ops_received

    # -- connection control ---------------------------------------------------------------------
    async def disconnect_bot(self, *, resume: bool = True, shard_id: int | None = None) -> int:
        """Drop the bot's gateway connections (or only shard `shard_id`'s; an unsharded session counts as
        shard 0): resumable (close 4000) or with the session invalidated."""
        return await self.gateway.disconnect(resume=resume, shard_id=shard_id)

    async def wait_for_gateway_op(self, op: str, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until `op` ("IDENTIFY"/"RESUME") was received `count` times and a session is connected."""

        def check() -> bool | None:
            done = self.gateway.ops_received.count(op) >= count and self.gateway.connected_sessions()
            return True if done else None

        await self.state.wait_until(
            check, timeout, lambda: f"gateway ops so far: {self.gateway.ops_received}"
        )

    @contextlib.asynccontextmanager
    async def running(self, client: discord.Client, timeout: float = 10.0) -> AsyncIterator[discord.Client]:
        """Log `client` in, connect it until it is ready, and close it (waiting for it) on exit."""
        await asyncio.wait_for(client.login(self.state.token), timeout)
        task = asyncio.create_task(client.connect())
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()
                raise FakeDiscordError("the client stopped before it was ready")
            if ready not in done:
                raise FakeDiscordError(f"the client was not ready after {timeout}s (ops: {self.gateway_ops})")
            yield client
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout)
