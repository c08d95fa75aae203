"""`motif`, the command line (design.md section 2 is its contract): `app` is the typer application.

`commands` holds compose, parse, bench and bot and registers the rest: `iterate` (remix, import, history,
lineage, db backup, chat), `worker` (scale-out workers), `learn` (data build, train, eval; offline). `common` is what they share (options,
JSON output, error reporting), `summary` the readable output, `chat` the console channel, `bench` and
`evaluation` the measurements behind `motif bench` and `motif eval`.
"""

from __future__ import annotations

from bot.cli.commands import app, main

__all__ = ["app", "main"]
