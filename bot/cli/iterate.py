"""`motif remix`, `motif import`, `motif history`, `motif lineage` and `motif chat` (and `motif db`, from `database`):
iterating on pieces from the command line, over the same studio the Discord bot uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.common import (
    AudioOpt,
    DbOpt,
    EngineOpt,
    JsonOpt,
    NoAudioOpt,
    NoImagesOpt,
    OutOpt,
    SeedOpt,
    UserOpt,
    emit_json,
    err,
    exit_code,
    fail,
    local_user,
    read_capped,
    run_reported,
    run_store,
    studio_config,
)
from bot.cli.database import db_app
from prompts.errors import UserError


def remix_command(
    generation_id: Annotated[str, typer.Argument(metavar="ID", help="The generation to remix.")],
    instruction: Annotated[str, typer.Argument(help='What to change: "faster", "make it bossa nova", ...')],
    out: OutOpt = Path("motif-out"), seed: SeedOpt = None, json_out: JsonOpt = False, db: DbOpt = None,
    audio_format: AudioOpt = "ogg", no_audio: NoAudioOpt = False, no_images: NoImagesOpt = False,
    engine: EngineOpt = None, user: UserOpt = None,
) -> None:
    """Remix a stored generation with an instruction; the result records its parent."""
    from bot.studio import Who, open_studio

    config = studio_config(out, db, json_out, audio_format, no_audio, no_images, engine)

    async def go() -> str:
        async with open_studio(config) as studio:
            job = studio.remix(generation_id, instruction, seed=seed, who=Who(author=local_user(user)))
            return await run_reported(job, instruction, json_out)

    code = exit_code([run_store(go(), json_out)])
    if code:
        raise typer.Exit(code)


def import_command(
    path: Annotated[Path, typer.Argument(metavar="FILE.mid", help="A MIDI file to start from.")],
    out: OutOpt = Path("motif-out"), json_out: JsonOpt = False, db: DbOpt = None, audio_format: AudioOpt = "ogg",
    no_audio: NoAudioOpt = False, no_images: NoImagesOpt = False, user: UserOpt = None,
) -> None:
    """Import your own MIDI file as a generation you can remix (a pipe or device is read up to the size cap)."""
    from bot.studio import Who, open_studio

    try:
        data = read_capped(path)
    except UserError as exc:
        raise fail(str(exc), json_out) from None
    config = studio_config(out, db, json_out, audio_format, no_audio, no_images, "markov")

    async def go() -> str:
        async with open_studio(config) as studio:
            return await run_reported(studio.import_midi(data, path.name, who=Who(author=local_user(user))),
                                      path.name, json_out)

    code = exit_code([run_store(go(), json_out)])
    if code:
        raise typer.Exit(code)


def history_command(
    user: Annotated[str | None, typer.Option("--user", help="Only this author (e.g. local:alice).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 20,
    json_out: JsonOpt = False, db: DbOpt = None,
) -> None:
    """List recent generations, newest first (yours with --user local:NAME)."""
    config = studio_config(Path("."), db, json_out, check_out=False)

    async def go():
        from storage import Store

        async with Store.open(config.db_path) as store:
            return await store.list_generation_summaries(author=user, limit=limit)

    rows = run_store(go(), json_out)
    for row in rows:
        item = {"id": row.id, "parent_id": row.parent_id, "author": row.author, "prompt": row.prompt,
                "created_at": row.created_at.isoformat()}
        if json_out:
            emit_json(item)
        else:
            parent = f" (remix of {row.parent_id})" if row.parent_id else ""
            err.print(f"[bold]{row.id}[/] {row.created_at:%Y-%m-%d %H:%M} {escape(row.author or '-')}: "
                      f"{escape(row.prompt)}{escape(parent)}", highlight=False)
    if not rows and not json_out:
        err.print("No generations yet. Try: motif compose \"a calm piano piece, 8 bars\"")


def lineage_command(
    generation_id: Annotated[str, typer.Argument(metavar="ID")],
    out: OutOpt = Path("motif-out"), json_out: JsonOpt = False, db: DbOpt = None,
) -> None:
    """Show the family tree of remixes around a generation, and draw it to OUT/ID.lineage.png."""
    from bot.lineage import draw_tree, text_tree

    config = studio_config(out, db, json_out)

    async def go():
        from storage import Store

        async with Store.open(config.db_path) as store:
            return await store.tree(generation_id)

    tree = run_store(go(), json_out)
    if not tree:
        raise fail(f"there is no generation with id {generation_id!r}", json_out)
    picture = draw_tree(tree, out / f"{generation_id}.lineage.png", highlight=generation_id)
    if json_out:
        emit_json({"id": generation_id, "picture": str(picture), "generations": [
            {"id": g.id, "parent_id": g.parent_id, "author": g.author, "prompt": g.prompt} for g in tree]})
    else:
        err.print(text_tree(tree, highlight=generation_id))
        err.print(f"picture: {escape(str(picture))}", highlight=False)


def chat_command(out: OutOpt = Path("motif-out"), db: DbOpt = None, user: UserOpt = None,
                 engine: EngineOpt = None, no_audio: NoAudioOpt = False) -> None:
    """A console channel: compose by typing, reply to any output by its id, see history."""
    from bot.cli.chat import run_chat

    run_store(run_chat(studio_config(out, db, False, no_audio=no_audio, engine=engine), local_user(user)), False)


def register(app: typer.Typer) -> None:
    app.command("remix")(remix_command)
    app.command("import")(import_command)
    app.command("history")(history_command)
    app.command("lineage")(lineage_command)
    app.command("chat")(chat_command)
    app.add_typer(db_app, name="db")
