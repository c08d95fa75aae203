"""`motif db backup` on PostgreSQL: `pg_dump` in its custom format, written beside the destination and renamed
into place, so a half-written dump never carries the final name.

Why pg_dump and not a copy of our own: it takes one consistent snapshot while the store stays in use, and
its output restores with the standard tool (`pg_restore --no-owner -d NEWDB FILE`, see deploy/SCALING.md).
The password travels in PGPASSWORD, never on the command line where `ps` would show it.
"""

from __future__ import annotations

import asyncio
import glob
import os
import secrets
import shutil
from pathlib import Path

from storage.errors import StoreError
from storage.paths import PostgresUrl

DUMP_TIMEOUT_S = 3600.0


def find_tool(name: str) -> Path:
    """A PostgreSQL client program: on PATH, else in Debian's /usr/lib/postgresql/<newest>/bin."""
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise StoreError(f"{name} is not installed; install PostgreSQL's client programs (Debian: postgresql-client)")


def tool_environment(url: PostgresUrl) -> dict[str, str]:
    """The environment for a libpq program: ours, plus the URL's password as PGPASSWORD."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


async def dump(url: PostgresUrl, dest: Path) -> Path:
    """Write the whole database to the new file `dest` (custom format); the store stays usable meanwhile."""
    tool = find_tool("pg_dump")
    partial = dest.with_name(f"{dest.name}.{secrets.token_hex(4)}.partial")
    try:
        process = await asyncio.create_subprocess_exec(
            str(tool), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={url.without_password}",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=tool_environment(url),
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), DUMP_TIMEOUT_S)
        except BaseException:
            process.kill()
            await process.wait()
            raise
        if process.returncode != 0:
            raise StoreError(f"pg_dump could not back up {url}: {stderr.decode(errors='replace').strip()}")
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return dest
