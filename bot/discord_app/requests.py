"""What a Discord request asks for and where its answer goes, as JSON-able data stored with the job.

A job's payload is everything needed to do the work and answer it after a restart: the action
(compose, remix, import a MIDI file), the server's style at the time it was accepted, and the reply
target (an interaction's webhook, or the channel message to answer).
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Action = Literal["compose", "remix", "import"]
ReplyKind = Literal["interaction", "message"]

JOB_KIND = "discord"
MAX_MIDI_UPLOAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class Style:
    """A server's settings as they feed one request (a snapshot, so a resumed job obeys what was accepted)."""

    genre: str | None = None
    tempo_min: int | None = None
    tempo_max: int | None = None
    instruments: tuple[str, ...] = ()
    max_bars: int = 32
    audio: bool = True
    prompt_suffix: str = ""
    spec_overrides: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["instruments"] = list(self.instruments)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Style:
        return cls(**{**data, "instruments": tuple(data.get("instruments", ()))})


@dataclass(frozen=True)
class ReplyTarget:
    """Where the answer goes: an interaction (webhook id + token, valid 15 minutes) or a channel message."""

    kind: ReplyKind
    channel_id: int
    source_id: int
    application_id: int | None = None
    token: str | None = field(default=None, repr=False)
    attachment_limit_bytes: int = 10 * 1024 * 1024

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
    midi_name: str = "upload.mid"

    @property
    def key(self) -> str:
        """The idempotency key: the interaction or message id that asked (unique per request on Discord)."""
        return f"{self.reply.kind}:{self.reply.source_id}"

    @property
    def midi(self) -> bytes | None:
        return None if self.midi_b64 is None else base64.b64decode(self.midi_b64)

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["reply"] = self.reply.to_dict()
        data["style"] = self.style.to_dict()
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Request:
        fields = dict(data)
        fields["reply"] = ReplyTarget.from_dict(fields["reply"])
        fields["style"] = Style.from_dict(fields["style"])
        return cls(**fields)


def encode_midi(data: bytes) -> str:
    """MIDI bytes as text for the JSON payload (uploads are capped well below the store's 2 MiB)."""
    return base64.b64encode(data).decode("ascii")
