"""The gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay, dispatch.

One `GatewaySession` per IDENTIFY. An IDENTIFY may carry `shard: [id, count]`, as Discord's does: that
session then gets only the events of guilds with `(guild_id >> 22) % count == id` (guild-less ones on shard
0); a session without it gets every guild, as a one-shard bot does (so two such sessions, two replicas of one
bot, both get every event). A session outlives its websocket when the connection drops without a
clean close, buffering events, so the real client's RESUME gets exactly the events it missed.
Transport compression: none, or `zlib-stream` (one zlib stream per connection, each frame ending in a
sync flush), which is what discord.py asks for when `zstandard` is not installed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakediscord import permissions as perms
from tests.fakediscord.model import shard_of
from tests.fakediscord.payloads import guild_payload, member_payload, user_payload
from tests.fakediscord.store import FakeState

log = logging.getLogger(__name__)

Json = dict[str, Any]
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, ACK = (
    0, 1, 2, 3, 6, 7, 8, 9, 10, 11,
)  # fmt: skip
BACKLOG_LIMIT = 2000


@dataclass
class GatewayConnection:
    """One websocket, with its compression stream (if the client asked for one)."""

    ws: web.WebSocketResponse
    zlib_stream: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: Json) -> None:
        """Send one frame; the lock keeps frames (and the zlib stream) in sequence order."""
        text = json.dumps(payload)
        async with self.lock:
            if self.zlib_stream is None:
                await self.ws.send_str(text)
                return
            data = self.zlib_stream.compress(text.encode()) + self.zlib_stream.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)


@dataclass
class GatewaySession:
    id: str
    intents: int
    shard: tuple[int, int] | None = None
    """(shard id, shard count) from IDENTIFY; None: every guild's events."""
    seq: int = 0
    backlog: list[Json] = field(default_factory=list)
    connection: GatewayConnection | None = None

    def wants(self, intent: int) -> bool:
        return bool(self.intents & intent)

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session gets that guild's events (Discord's shard rule)."""
        return self.shard is None or shard_of(guild_id, self.shard[1]) == self.shard[0]

    def stamp(self, event: str, data: Json) -> Json:
        """Give the event the next sequence number and keep it for a later RESUME."""
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.backlog.append(payload)
        del self.backlog[:-BACKLOG_LIMIT]
        return payload


EventBuilder = Callable[[GatewaySession], Json | None]


@dataclass(frozen=True)
class Identified:
    """One accepted IDENTIFY: when (monotonic seconds), and for which shard (None: unsharded)."""

    at_s: float
    shard: tuple[int, int] | None


class Gateway:
    """All gateway sessions of one fake Discord, and the websocket handler that serves them."""

    def __init__(self, state: FakeState, heartbeat_interval_ms: int) -> None:
        self.state = state
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.ops_received: list[str] = []
        self.identified: list[Identified] = []
        self.compressions: list[str | None] = []
        self.url = ""

    # -- dispatch -------------------------------------------------------------------------------
    async def dispatch(self, event: str, build: EventBuilder, *, guild_id: int | None) -> None:
        """Send an event to every session serving `guild_id` (None: a DM, shard 0); `build` returns None
        where the session's intents exclude it."""
        for session in list(self.sessions.values()):
            if not session.serves(guild_id):
                continue
            data = build(session)
            if data is None:
                continue
            payload = session.stamp(event, data)
            if session.connection is not None:
                await _send_quietly(session.connection, payload)

    async def disconnect(self, *, resume: bool, shard_id: int | None = None) -> int:
        """Drop every live connection (or those of shard `shard_id`): resumable (close 4000) or with the
        session invalidated (op 9)."""
        dropped = 0
        for session in list(self.sessions.values()):
            connection = session.connection
            if connection is None or (shard_id is not None and (session.shard or (0, 1))[0] != shard_id):
                continue
            dropped += 1
            session.connection = None
            if resume:
                await connection.ws.close(code=4000, message=b"fake: connection dropped")
            else:
                self.sessions.pop(session.id, None)
                await _send_quietly(connection, {"op": INVALID_SESSION, "d": False})
        return dropped

    async def close_all(self) -> None:
        for session in list(self.sessions.values()):  # a closing session may remove itself
            if session.connection is not None:
                await session.connection.ws.close(code=1001, message=b"fake: server stopping")
        self.sessions.clear()

    def connected_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connection is not None]

    # -- the websocket --------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for /gateway: one websocket connection from start to close."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if request.query.get("encoding", "json") != "json" or compress not in (None, "zlib-stream"):
            await ws.close(
                code=4002, message=b"fake: only encoding=json and compress=zlib-stream are supported"
            )
            return ws
        self.compressions.append(compress)
        connection = GatewayConnection(ws=ws, zlib_stream=zlib.compressobj() if compress else None)
        await connection.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                session = await self._on_frame(connection, session, json.loads(msg.data))
        finally:
            self._forget(connection, session, ws.close_code)
        return ws

    def _forget(
        self, connection: GatewayConnection, session: GatewaySession | None, code: int | None
    ) -> None:
        """A 1000/1001 close ends the session; any other keeps it resumable (discord.py's own `close()`
        reaches the server as 4000, because its pending receive closes the socket first)."""
        if session is None or session.connection is not connection:
            return
        session.connection = None
        if code in (1000, 1001):
            self.sessions.pop(session.id, None)
        self.state.notify()

    async def _on_frame(
        self, connection: GatewayConnection, session: GatewaySession | None, frame: Json
    ) -> GatewaySession | None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await connection.send({"op": ACK})
            return session
        if op in (IDENTIFY, RESUME) and session is not None:
            await connection.ws.close(code=4005, message=b"Already authenticated.")
            return session
        if op == IDENTIFY:
            return await self._identify(connection, data or {})
        if op == RESUME:
            return await self._resume(connection, data or {})
        if session is None:
            await connection.ws.close(code=4003, message=b"Not authenticated.")
            return None
        if op == REQUEST_MEMBERS:
            await self._send_members(connection, session, data or {})
        elif op != PRESENCE:
            await connection.ws.close(code=4001, message=b"Unknown opcode.")
        return session

    async def _identify(self, connection: GatewayConnection, data: Json) -> GatewaySession | None:
        self.ops_received.append("IDENTIFY")
        if data.get("token") != self.state.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return None
        try:
            shard = _shard(data.get("shard"))
        except ValueError:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return None
        session = GatewaySession(id=secrets.token_hex(16), intents=int(data.get("intents", 0)), shard=shard)
        session.connection = connection
        self.sessions[session.id] = session
        self.identified.append(Identified(time.monotonic(), shard))
        await connection.send(session.stamp("READY", self._ready_payload(session)))
        for guild in self.state.guilds.values():
            if session.wants(perms.INTENT_GUILDS) and session.serves(guild.id):
                await connection.send(session.stamp("GUILD_CREATE", guild_payload(guild)))
        self.state.notify()
        return session

    def _ready_payload(self, session: GatewaySession) -> Json:
        payload = {
            "v": 10,
            "user": user_payload(self.state.bot_user),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds if session.serves(g)],
            "session_id": session.id,
            "resume_gateway_url": self.url,
            "application": {"id": str(self.state.application_id), "flags": (1 << 14) | (1 << 18)},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if session.shard is not None:
            payload["shard"] = list(session.shard)
        return payload

    async def _resume(self, connection: GatewayConnection, data: Json) -> GatewaySession | None:
        self.ops_received.append("RESUME")
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.state.token or session is None:
            await connection.send({"op": INVALID_SESSION, "d": False})
            return None
        if session.connection is not None:
            await session.connection.ws.close(code=4000, message=b"fake: resumed elsewhere")
        session.connection = connection
        last_seen = int(data.get("seq") or 0)
        for payload in [p for p in session.backlog if p["s"] > last_seen]:
            await connection.send(payload)
        await connection.send(session.stamp("RESUMED", {}))
        self.state.notify()
        return session

    async def _send_members(self, connection: GatewayConnection, session: GatewaySession, data: Json) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or not session.serves(guild.id):
            return
        query = str(data.get("query") or "").lower()
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            member_payload(guild, m)
            for m in guild.members.values()
            if (not wanted or m.user.id in wanted) and m.user.name.lower().startswith(query)
        ]
        chunk = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if "nonce" in data:
            chunk["nonce"] = data["nonce"]
        await connection.send(session.stamp("GUILD_MEMBERS_CHUNK", chunk))


def _shard(raw: object) -> tuple[int, int] | None:
    """IDENTIFY's `shard` field: None when absent, else (id, count); ValueError where Discord would close
    the connection with 4010 Invalid shard."""
    if raw is None:
        return None
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(n, int) for n in raw)):
        raise ValueError(f"shard must be [id, count], got {raw!r}")
    shard_id, count = raw
    if not 0 <= shard_id < count:
        raise ValueError(f"shard {shard_id} is not one of {count}")
    return shard_id, count


async def _send_quietly(connection: GatewayConnection, payload: Json) -> None:
    """Send, tolerating a socket that closed under us (the event stays in the backlog for RESUME)."""
    try:
        await connection.send(payload)
    except (ConnectionResetError, RuntimeError) as exc:
        log.debug("fake gateway: send failed (%s); event kept for resume", exc)
