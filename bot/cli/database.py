"""`motif db backup`, `motif db copy` and `motif db queue`: looking after the store, on SQLite or PostgreSQL.

A backup of a SQLite store is another store file (SQLite's online backup); of a PostgreSQL store, a pg_dump
file in its custom format (restore it with `pg_restore --no-owner -d NEWDB FILE`). `copy` moves a whole
single-machine store onto an empty PostgreSQL database when Motif grows past one machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.common import DbOpt, JsonOpt, emit_json, err, fail, run_store

db_app = typer.Typer(help="Look after the store.", no_args_is_help=True)


def _location(value: str | None, as_json: bool, named_by: str = "--db"):
    """The store a command-line value names (`--db`, then MOTIF_DB, then the default file), or exit 2."""
    from storage import StoreError, parse_location, resolve_db_path
    from storage.paths import check_db_path

    try:
        location = resolve_db_path(value, os.environ) if named_by == "--db" else parse_location(value or "", named_by)
        check_db_path(location)
    except StoreError as exc:
        raise fail(str(exc), as_json) from None
    return location


@db_app.command("backup")
def backup_command(dest: Annotated[Path, typer.Argument(help="Where to write the copy.")], db: DbOpt = None,
                   json_out: JsonOpt = False) -> None:
    """Copy the store safely while it is in use: SQLite's online backup, or pg_dump for PostgreSQL."""
    from storage import Store

    location = _location(db, json_out)

    async def go() -> Path:
        async with Store.open(location) as store:
            return await store.backup(dest)

    written = run_store(go(), json_out)
    if json_out:
        emit_json({"backup": str(written)})
    else:
        err.print(f"backed up {escape(str(location))} to {escape(str(written))}", highlight=False)


@db_app.command("copy")
def copy_command(
    source: Annotated[str, typer.Argument(metavar="SQLITE_PATH", help="The store to copy (usually a SQLite file).")],
    target: Annotated[str, typer.Argument(metavar="POSTGRES_URL", help="An empty store, e.g. postgresql://...")],
    json_out: JsonOpt = False,
) -> None:
    """Move a whole store (generations and lineage, users, settings, presets, jobs, feedback) into an empty one.

    Stop the bot and workers first; the target's database must exist (its tables are created)."""
    from storage import Store

    source_at = _location(source, json_out, "SQLITE_PATH")
    target_at = _location(target, json_out, "POSTGRES_URL")
    if isinstance(source_at, Path) and not source_at.is_file():
        raise fail(f"there is no store at {source_at}", json_out)

    async def go():
        async with Store.open(source_at) as origin, Store.open(target_at) as destination:
            return await origin.copy_into(destination)

    report = run_store(go(), json_out)
    if json_out:
        emit_json({"source": str(source_at), "target": str(target_at), "rows": report.rows})
    else:
        counts = ", ".join(f"{n} {table}" for table, n in report.rows.items())
        err.print(f"copied {escape(str(source_at))} to {escape(str(target_at))}: {escape(counts)}", highlight=False)


@db_app.command("queue")
def queue_command(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """The job queue now, for monitoring: jobs waiting and running, the oldest wait, the last hour's outcomes;
    on PostgreSQL also procrastinate's own jobs by status ("runner": what its workers have to do and do now)."""
    from dataclasses import asdict

    from storage import Store

    location = _location(db, json_out)

    async def go():
        async with Store.open(location) as store:
            return await store.queue_health(), await store.runner_jobs(), store.engine

    health, runner, engine = run_store(go(), json_out)
    if json_out:
        emit_json(asdict(health) | ({"runner": runner} if engine == "postgresql" else {}))
        return
    oldest = "none waiting" if health.oldest_pending_s is None else f"oldest waiting {health.oldest_pending_s:.0f} s"
    err.print(f"{health.pending} waiting ({oldest}), {health.running} running; last hour: {health.done_last_hour} done,"
              f" {health.failed_last_hour} failed", highlight=False)
    if engine == "postgresql":
        counts = ", ".join(f"{count} {status}" for status, count in sorted(runner.items())) or "no jobs"
        err.print(f"procrastinate: {counts}", highlight=False)
