"""`python -m bot.cli`: the same as the installed `motif` command."""

from __future__ import annotations

from bot.cli.commands import main

main()
