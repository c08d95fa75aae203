"""What every REST handler needs: the world, the gateway, and the fake's timing rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakediscord.errors import ApiError
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.store import FakeState

SERVICES_KEY = web.AppKey("fakediscord_services", object)


@dataclass
class Services:
    state: FakeState
    gateway: Gateway
    ack_deadline_s: float


def services(request: web.Request) -> Services:
    found = request.app[SERVICES_KEY]
    assert isinstance(found, Services)
    return found


def ok(payload: Any, status: int = 200) -> web.Response:
    """A JSON response with Content-Type exactly `application/json`: discord.py's `json_or_text` decodes
    only that (aiohttp's json_response would add a charset); 204 has no body."""
    if status == 204:
        return web.Response(status=204)
    return web.Response(
        body=json.dumps(payload).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def snowflake(request: web.Request, key: str) -> int:
    """A path parameter as an id; a non-numeric one is Discord's 400 'Value is not snowflake'."""
    raw = request.match_info[key]
    if not raw.isdigit():
        raise ApiError(400, f"Invalid Form Body: {key}: Value {raw!r} is not snowflake.", 50035)
    return int(raw)
