"""Point discord.py at a local fake: the only two knobs, both public class attributes.

discord.py builds every REST url from `discord.http.Route.BASE` (the same attribute its own
`_set_api_version` rewrites) and opens the gateway at `DiscordWebSocket.DEFAULT_GATEWAY` (a plain
`Client` never asks `GET /gateway/bot`; after READY it reconnects to the `resume_gateway_url` the fake
sends). Nothing else in discord.py is touched. Both are process-wide, so one fake is pointed at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def point_discord_py(base_url: str, gateway_url: str) -> Callable[[], None]:
    """Send discord.py's REST calls to `base_url` and its gateway to `gateway_url`; returns the undo."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = f"{base_url}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
