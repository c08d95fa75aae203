"""`motif chat`: a local console channel over the same studio as the Discord bot.

Type a prompt to compose; reply to any earlier output with `ID: instruction` (or `reply ID instruction`);
`history`, `lineage ID`, `import FILE.mid`, `help`, `quit`. Errors are shown as messages and the channel
carries on, as a Discord channel would.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.cli.summary import print_result
from bot.lineage import draw_tree, text_tree
from bot.studio import Studio, StudioConfig, Who, open_studio

HELP = """Type what you want to hear, e.g.  moody jazz in D minor, 8 bars
Reply to a piece:   ID: faster and with drums      (or: reply ID make it bossa nova)
Other commands:     history · lineage ID · import FILE.mid · help · quit"""

REPLY = re.compile(r"^(?:reply\s+|>\s*)?([a-z0-9]{6,16})\s*[:,]\s*(.+)$|^reply\s+([a-z0-9]{6,16})\s+(.+)$", re.I)


def route(line: str) -> tuple[str, tuple[str, ...]]:
    """What a typed line asks for: (action, arguments)."""
    text = line.strip()
    lowered = text.lower()
    if lowered in ("quit", "exit", "bye"):
        return "quit", ()
    if lowered in ("help", "?"):
        return "help", ()
    if lowered in ("history", "mine"):
        return "history", ()
    if lowered.startswith("lineage "):
        return "lineage", (text.split(maxsplit=1)[1],)
    if lowered.startswith("import "):
        return "import", (text.split(maxsplit=1)[1],)
    match = REPLY.match(text)
    if match:
        gen_id = match.group(1) or match.group(3)
        instruction = match.group(2) or match.group(4)
        return "remix", (gen_id.lower(), instruction)
    return "compose", (text,)


async def handle(studio: Studio, console: Console, line: str, author: str) -> bool:
    """Carry out one line; returns False when the user leaves."""
    from bot.cli.common import read_capped, shown

    action, args = route(line)
    if action == "quit":
        return False
    try:
        if action == "help":
            console.print(HELP)
        elif action == "history":
            await show_history(studio, console, author)
        elif action == "lineage":
            await show_lineage(studio, console, args[0])
        elif action == "import":
            path = Path(args[0]).expanduser()
            print_result(console, await studio.import_midi(read_capped(path), path.name, who=Who(author=author)))
        elif action == "remix":
            print_result(console, await studio.remix(args[0], args[1], who=Who(author=author)))
        elif args[0]:
            print_result(console, await studio.compose(args[0], who=Who(author=author)))
    except Exception as exc:  # the channel stays open whatever happens; bot.failures says how it reads
        failure = shown(exc)
        console.print(f"[{'yellow' if failure.users_to_fix else 'red'}]{escape(failure.message)}[/]")
    return True


async def show_history(studio: Studio, console: Console, author: str) -> None:
    rows = await studio.store.list_generation_summaries(author=author, limit=15)
    if not rows:
        console.print("Nothing yet: type a prompt.")
    for row in rows:
        parent = f"  ↳ remix of {row.parent_id}" if row.parent_id else ""
        console.print(f"[bold]{row.id}[/]  {escape(row.prompt)}{escape(parent)}", highlight=False)


async def show_lineage(studio: Studio, console: Console, generation_id: str) -> None:
    tree = await studio.store.tree(generation_id.strip())
    if not tree:
        console.print(f"[yellow]there is no generation with id {escape(repr(generation_id))}[/]")
        return
    console.print(text_tree(tree, highlight=generation_id.strip()))
    picture = draw_tree(tree, studio.config.out_dir / f"{generation_id.strip()}.lineage.png", generation_id.strip())
    console.print(f"picture: {escape(str(picture))}", highlight=False)


async def run_chat(config: StudioConfig, author: str, console: Console | None = None) -> None:
    """Read lines from stdin until `quit` or end of input."""
    console = console or Console()
    console.print(f"[bold]Motif chat[/] — you are {escape(author)}. {HELP}", highlight=False)
    async with open_studio(config) as studio:
        while True:
            console.print("[bold cyan]you>[/] ", end="")
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            if line.strip() and not await handle(studio, console, line, author):
                break
    console.print("bye")
