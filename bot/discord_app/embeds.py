"""What a finished piece looks like on Discord: a short embed, the files (fitted to the upload limit).

The embed's footer carries the generation id, which is also how a resumed job recognises a message it
already posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

FOOTER_PREFIX = "Motif · "
EMBED_COLOUR = discord.Colour.from_rgb(88, 101, 242)

FILE_ORDER: tuple[tuple[str, str], ...] = (
    ("midi", "MIDI"), ("audio", "audio"), ("musicxml", "MusicXML"), ("score_png", "score picture"),
)
"""Attachments in order of importance: when the limit bites, the last ones are left out first."""


@dataclass
class Attachments:
    """Files to attach and a sentence about anything left out to stay under the upload limit."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    limit_bytes: int = 0

    def discord_files(self) -> list[discord.File]:
        import io

        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]

    def note(self) -> str:
        if not self.left_out:
            return ""
        limit_mib = self.limit_bytes / (1024 * 1024)
        return (f"Left out {', '.join(self.left_out)} to stay under this channel's {limit_mib:.1f} MiB upload limit.")


def _file_name(kind: str, path: Path, gen_id: str) -> str:
    if kind == "score_png":
        return f"motif-{gen_id}-score.png"
    return f"motif-{gen_id}{path.suffix}"


def fit_attachments(files: dict[str, str | None], gen_id: str, limit_bytes: int) -> Attachments:
    """Attach the most important files that fit together under `limit_bytes` (MIDI first, always tried)."""
    fitted = Attachments(limit_bytes=limit_bytes)
    used = 0
    for kind, label in FILE_ORDER:
        raw = files.get(kind)
        if not raw or not Path(raw).is_file():
            continue
        data = Path(raw).read_bytes()
        if used + len(data) > limit_bytes:
            fitted.left_out.append(label)
            continue
        used += len(data)
        fitted.files.append((_file_name(kind, Path(raw), gen_id), data))
    return fitted


def credit_line(author_id: str, parent_author: str | None, parent_id: str | None) -> str:
    """Who made it; a remix credits both the remixer and the author of what they changed."""
    if parent_id is None:
        return f"by {mention(author_id)}"
    if parent_author is None or parent_author == author_id:
        return f"remix by {mention(author_id)} of `{parent_id}`"
    return f"remix by {mention(author_id)} of {mention(parent_author)}'s `{parent_id}`"


def mention(user_id: str) -> str:
    """`discord:123` -> `<@123>`; other platforms' ids are shown as they are."""
    return f"<@{user_id.removeprefix('discord:')}>" if user_id.startswith("discord:") else user_id


def _originality(report: dict[str, Any] | None) -> str:
    if not report:
        return "not checked"
    verdict = "original" if report.get("passed", True) else "too close"
    return f"{verdict} (longest shared run {report.get('longest_match_notes', 0)} notes)"


def result_embed(result: dict[str, Any], credit: str, score_name: str | None) -> discord.Embed:
    """The short card: key, tempo, meter, bars, instruments, genre and mood, seed, originality."""
    spec = result["spec"]
    changes = result.get("summary") or []
    lines = [credit, f"> {spec.get('prompt', '')[:300]}"] + [f"• {c}" for c in changes[:5]]
    lines += [f"*{note}*" for note in spec.get("notes", [])[:3]]
    embed = discord.Embed(title=f"Piece {result['id']}", description="\n".join(lines)[:4000], colour=EMBED_COLOUR)
    embed.add_field(name="Key", value=f"{spec['tonic']} {spec['mode']}")
    embed.add_field(name="Tempo", value=f"{spec['tempo_bpm']} bpm")
    embed.add_field(name="Meter", value=spec["time_signature"])
    embed.add_field(name="Bars", value=str(spec["bars"]))
    instruments = ", ".join(i["name"] for i in spec.get("instruments", [])) or "none"
    embed.add_field(name="Instruments", value=(instruments + (" + drums" if spec.get("drums") else ""))[:1000])
    style = " ".join(filter(None, [", ".join(spec.get("moods", [])), (spec.get("genre") or "").replace("_", " ")]))
    embed.add_field(name="Genre & mood", value=style or "free style")
    embed.add_field(name="Seed", value=str(spec.get("seed", "")))
    embed.add_field(name="Originality", value=_originality(result.get("originality")))
    if score_name is not None:
        embed.set_image(url=f"attachment://{score_name}")
    embed.set_footer(text=f"{FOOTER_PREFIX}{result['id']}")
    return embed


def generation_id_of(embed: discord.Embed) -> str | None:
    """The generation a posted embed shows (read back from its footer)."""
    text = embed.footer.text if embed.footer else None
    return text.removeprefix(FOOTER_PREFIX) if text and text.startswith(FOOTER_PREFIX) else None
