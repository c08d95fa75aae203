"""What a Discord request asks for and where its answer goes, as JSON-able data stored with the job.

A job's payload is everything needed to do the work and answer it after a restart: the action
(compose, remix, import a MIDI file), the server's style at the time it was accepted, and the reply
target (an interaction's webhook, or the channel message to answer). The interaction token and the
uploaded MIDI travel under the store's `TRANSIENT_KEY`, which the store drops when the job ends: a
finished job keeps neither a credential nor a user's file.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from prompts.limits import ATTACHMENT_LIMIT_BYTES
from storage import GuildSettings
from storage.generations import Scope
from storage.jobs import TRANSIENT_KEY
from storage.settings import SETTING_NAMES, to_stored

Action = Literal["compose", "remix", "import"]
ReplyKind = Literal["interaction", "message"]

JOB_KIND = "discord"
MAX_MIDI_UPLOAD_BYTES = 256 * 1024
MAX_FILENAME_CHARS = 64
DEFAULT_MIDI_NAME = "upload.mid"


@dataclass(frozen=True)
class Style:
    """A server's settings as they feed one request (a snapshot, so a resumed job obeys what was accepted):
    its `GuildSettings`, whose defaults are declared once in `storage.settings`, and the preset it names.

    In the payload the settings are written flat beside the preset, as they always were, so a job stored by
    an older Motif (which wrote only genre, tempo_min, tempo_max, instruments, max_bars and audio) reads back
    with the defaults for the rest."""

    settings: GuildSettings = field(default_factory=GuildSettings)
    prompt_suffix: str = ""
    spec_overrides: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        settings = to_stored({name: getattr(self.settings, name) for name in SETTING_NAMES})
        return settings | {"prompt_suffix": self.prompt_suffix, "spec_overrides": dict(self.spec_overrides)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Style:
        stored = {name: data[name] for name in SETTING_NAMES if name in data}
        settings = GuildSettings(**{n: tuple(v) if isinstance(v, list) else v for n, v in stored.items()})
        return cls(settings, data.get("prompt_suffix", ""), dict(data.get("spec_overrides") or {}))


@dataclass(frozen=True)
class ReplyTarget:
    """Where the answer goes: an interaction (webhook id + token, valid 15 minutes) or a channel message."""

    kind: ReplyKind
    channel_id: int
    source_id: int
    application_id: int | None = None
    token: str | None = field(default=None, repr=False)
    attachment_limit_bytes: int = ATTACHMENT_LIMIT_BYTES

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyTarget:
        return cls(**data)


@dataclass(frozen=True)
class Request:
    """One piece of work a user asked for."""

    action: Action
    author: str
    author_name: str
    guild: str | None
    channel: str
    reply: ReplyTarget
    style: Style = field(default_factory=Style)
    prompt: str = ""
    bars: int | None = None
    seed: int | None = None
    parent_id: str | None = None
    instruction: str = ""
    midi_b64: str | None = None
    midi_name: str = DEFAULT_MIDI_NAME

    @property
    def key(self) -> str:
        """The idempotency key: the interaction or message id that asked (unique per request on Discord)."""
        return f"{self.reply.kind}:{self.reply.source_id}"

    @property
    def scope(self) -> Scope:
        """The pieces this request may name: its server's, or in a DM the asker's own DM-made ones."""
        return Scope(guild=self.guild, user=self.author)

    @property
    def midi(self) -> bytes | None:
        return None if self.midi_b64 is None else base64.b64decode(self.midi_b64)

    def to_payload(self) -> dict[str, Any]:
        """The job payload; the token and the upload go under `TRANSIENT_KEY`, cleared when the job ends."""
        data = asdict(self)
        data["reply"] = self.reply.to_dict()
        data["style"] = self.style.to_dict()
        data[TRANSIENT_KEY] = {"token": data["reply"].pop("token"), "midi_b64": data.pop("midi_b64")}
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Request:
        """Read a payload back (also one written before the transient part existed, or after it was cleared)."""
        fields = dict(data)
        transient = fields.pop(TRANSIENT_KEY, None) or {}
        reply = dict(fields["reply"])
        if "token" in transient:
            reply["token"] = transient["token"]
        if "midi_b64" in transient:
            fields["midi_b64"] = transient["midi_b64"]
        fields["reply"] = ReplyTarget.from_dict(reply)
        fields["style"] = Style.from_dict(fields["style"])
        return cls(**fields)


def encode_midi(data: bytes) -> str:
    """MIDI bytes as text for the JSON payload (uploads are capped well below the store's 2 MiB)."""
    return base64.b64encode(data).decode("ascii")


_SEPARATORS = re.compile(r"[/\\]")
_SPACES = re.compile(r"\s+")


def clean_filename(name: str) -> str:
    """An uploaded file's name made safe to show and store: its last path part, without control or format
    characters (bidi overrides U+202A-202E and isolates U+2066-2069 would let "evil\u202edim.exe" read as
    "evilexe.mid"; U+200E/F marks; zero-widths), at most `MAX_FILENAME_CHARS` with its extension kept."""
    text = _SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    text = "".join(_visible(ch) for ch in text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_FILENAME_CHARS:
        suffix = PurePosixPath(text).suffix[:10]
        text = text[: MAX_FILENAME_CHARS - len(suffix) - 1].rstrip() + "…" + suffix
    return text if text.strip(".") else DEFAULT_MIDI_NAME


def _visible(ch: str) -> str:
    """Control and format characters go (bidi, zero-width, NUL...); any other space becomes a plain one."""
    kind = unicodedata.category(ch)
    return "" if kind[0] == "C" else " " if kind[0] == "Z" else ch
