"""The Discord bot's settings: the environment (and an optional `.env` file) read once, at the edge.

Everything deeper receives a `BotSettings`; nothing else in Motif reads `os.environ` for the bot. The
token is kept out of `repr` so a logged settings object never leaks it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.shards import ShardPlan, read_shard_plan
from composer.files.audio import FORMATS as AUDIO_FORMATS
from prompts.errors import UserError
from prompts.limits import ATTACHMENT_LIMIT_BYTES
from storage import PostgresUrl, StoreError, default_db_path, resolve_db_path

MAX_WORKERS = 64
DEFAULT_WORKER_MEMORY_MB = 3072
"""What one worker process may allocate (MOTIF_WORKER_MEMORY_MB; 0 = no cap); the measurement behind it is
with `bot.discord_app.worker.DEFAULT_MEMORY_LIMIT_BYTES`."""
MIN_WORKER_MEMORY_MB = 1024
DEFAULT_JOB_TIMEOUT_S = 600
"""Longest one job (or picture) may run in its worker before the worker is killed (MOTIF_JOB_TIMEOUT_S). The
longest piece a prompt can ask for (64 bars of 7/4 at 20 bpm, 22 minutes of audio) takes about 35 s here and
fitting its audio under the upload limit 13 s more: ten times that leaves room for a loaded machine, and a
hung worker still comes back."""
DEFAULT_JOB_RETENTION_DAYS = 7
"""Finished jobs (their payloads and outcomes) are deleted this long after they end (MOTIF_JOB_RETENTION_DAYS)."""
SOUNDFONT_ENV = "MOTIF_SOUNDFONT"
"""Names the soundfont audio is rendered with (every front end); unset, the installed GM font is found."""


class SettingsError(UserError):
    """A missing or malformed setting; the message names the variable and what it should hold."""


@dataclass(frozen=True)
class BotSettings:
    """How the bot runs: credentials, where it keeps things, how much work it does at once."""

    token: str = field(repr=False)
    db_path: Path | PostgresUrl
    """MOTIF_DB: the SQLite file, or the PostgreSQL store's URL (printed without its password)."""
    out_dir: Path
    workers: int = 2
    engine: str | None = None
    want_audio: bool = True
    audio_format: str = "ogg"
    attachment_limit_bytes: int = ATTACHMENT_LIMIT_BYTES
    message_content: bool = False
    lease_s: float = 60.0
    sync_guild: int | None = None
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB
    job_timeout_s: int = DEFAULT_JOB_TIMEOUT_S
    job_retention_days: int = DEFAULT_JOB_RETENTION_DAYS
    soundfont: Path | None = None
    """MOTIF_SOUNDFONT: the soundfont audio is rendered with (None: the installed GM font)."""
    shards: ShardPlan | None = None
    """MOTIF_SHARDS / MOTIF_SHARD_IDS: the gateway shards this bot process connects (None: one connection)."""
    fault_kill_on_prompt: str | None = None
    """Tests only (MOTIF_FAULT_KILL_ON_PROMPT): a worker whose prompt contains this text SIGKILLs itself, to
    exercise crash recovery end to end. Never set it in production."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be from {low} to {high}, got {value}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def read_environment(dotenv: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment over the `.env` file (the real environment wins, as with docker/systemd)."""
    merged: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    return merged


def soundfont_setting(env: Mapping[str, str] | None = None) -> Path | None:
    """The soundfont MOTIF_SOUNDFONT names (the process environment unless `env` is given), or None for the
    installed default. Read here, at the edge, for the CLI and the bot alike; a missing file is reported when
    audio is rendered (the piece is still made and stored), not here."""
    raw = (os.environ if env is None else env).get(SOUNDFONT_ENV)
    return Path(raw) if raw else None


def load_settings(env: Mapping[str, str]) -> BotSettings:
    """Build the bot's settings from environment variables; a missing token is a clear `SettingsError`.

    Variables: DISCORD_TOKEN (required), MOTIF_DB, MOTIF_OUT, MOTIF_WORKERS, MOTIF_ENGINE, MOTIF_AUDIO,
    MOTIF_AUDIO_FORMAT, MOTIF_ATTACHMENT_LIMIT, MOTIF_MESSAGE_CONTENT, MOTIF_SYNC_GUILD, MOTIF_WORKER_MEMORY_MB,
    MOTIF_JOB_TIMEOUT_S, MOTIF_JOB_RETENTION_DAYS, MOTIF_SOUNDFONT, MOTIF_SHARDS, MOTIF_SHARD_IDS, and for tests
    only MOTIF_FAULT_KILL_ON_PROMPT.
    """
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise SettingsError(
            "DISCORD_TOKEN is not set: put it in the environment or in a .env file (see docs/discord.md)"
        )
    try:
        db_path = resolve_db_path(None, env)
    except StoreError as exc:
        raise SettingsError(str(exc)) from None
    beside = db_path.parent if isinstance(db_path, Path) else default_db_path().parent  # a server has no folder
    out_dir = Path(env.get("MOTIF_OUT") or beside / "discord-files").expanduser()
    audio_format = env.get("MOTIF_AUDIO_FORMAT", "ogg").strip().lower() or "ogg"
    if audio_format not in AUDIO_FORMATS:
        raise SettingsError(f"MOTIF_AUDIO_FORMAT must be ogg or mp3 (the formats Motif renders and posts), "
                            f"got {audio_format!r}")
    sync_guild = _int(env, "MOTIF_SYNC_GUILD", 0, 0, 2**63 - 1)
    worker_memory_mb = _int(env, "MOTIF_WORKER_MEMORY_MB", DEFAULT_WORKER_MEMORY_MB, 0, 1024 * 1024)
    if 0 < worker_memory_mb < MIN_WORKER_MEMORY_MB:
        raise SettingsError(f"MOTIF_WORKER_MEMORY_MB must be 0 (no cap) or at least {MIN_WORKER_MEMORY_MB}: a"
                            f" worker with its models loaded holds about 650 MB, got {worker_memory_mb}")
    try:
        shards = read_shard_plan(env.get("MOTIF_SHARDS"), env.get("MOTIF_SHARD_IDS"))
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return BotSettings(
        token=token,
        db_path=db_path,
        out_dir=out_dir,
        workers=_int(env, "MOTIF_WORKERS", 2, 1, MAX_WORKERS),
        engine=(env.get("MOTIF_ENGINE") or "").strip() or None,
        want_audio=_flag(env, "MOTIF_AUDIO", True),
        audio_format=audio_format,
        attachment_limit_bytes=_int(env, "MOTIF_ATTACHMENT_LIMIT", ATTACHMENT_LIMIT_BYTES, 64 * 1024,
                                    500 * 1024 * 1024),
        message_content=_flag(env, "MOTIF_MESSAGE_CONTENT", False),
        sync_guild=sync_guild or None,
        worker_memory_mb=worker_memory_mb,
        job_timeout_s=_int(env, "MOTIF_JOB_TIMEOUT_S", DEFAULT_JOB_TIMEOUT_S, 30, 24 * 3600),
        job_retention_days=_int(env, "MOTIF_JOB_RETENTION_DAYS", DEFAULT_JOB_RETENTION_DAYS, 1, 3650),
        soundfont=soundfont_setting(env),
        fault_kill_on_prompt=env.get("MOTIF_FAULT_KILL_ON_PROMPT") or None,
        shards=shards,
    )
