"""What a finished piece looks like on Discord: a short embed (its files are fitted in `attachments.py`).

The embed's footer carries the generation id, which is also how a resumed job recognises a message it
already posted.
"""

from __future__ import annotations

from typing import Any

import discord

from prompts import Spec

FOOTER_PREFIX = "Motif · "
EMBED_COLOUR = discord.Colour.from_rgb(88, 101, 242)


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


RHYTHM_WORDS = {2.0: "two per bar", 0.5: "one every two bars"}


def chords_line(chords: list[str], chords_per_bar: float) -> str:
    """The user's progression as the card shows it: "Dm7 G7 Cmaj7", with its harmonic rhythm unless one per bar."""
    line = " ".join(chords)
    rhythm = RHYTHM_WORDS.get(float(chords_per_bar))
    line = f"{line} ({rhythm})" if rhythm else line
    return line if len(line) <= 1000 else line[:999] + "…"


def result_embed(result: dict[str, Any], credit: str, score_name: str | None) -> discord.Embed:
    """The short card: key, tempo, meter, bars, instruments, genre and mood, the user's chords and form, seed,
    originality."""
    spec = result["spec"]
    changes = result.get("summary") or []
    lines = [credit, f"> {spec.get('prompt', '')[:300]}"] + [f"• {c}" for c in changes[:5]]
    lines += [f"*{note}*" for note in spec.get("notes", [])[:3]]
    embed = discord.Embed(
        title=f"Piece {result['id']}", description="\n".join(lines)[:4000], colour=EMBED_COLOUR
    )
    embed.add_field(name="Key", value=f"{spec['tonic']} {spec['mode']}")
    embed.add_field(name="Tempo", value=f"{spec['tempo_bpm']} bpm")
    embed.add_field(name="Meter", value=spec["time_signature"])
    embed.add_field(name="Bars", value=str(spec["bars"]))
    instruments = ", ".join(i["name"] for i in spec.get("instruments", [])) or "none"
    embed.add_field(
        name="Instruments", value=(instruments + (" + drums" if spec.get("drums") else ""))[:1000]
    )
    style = " ".join(
        filter(None, [", ".join(spec.get("moods", [])), (spec.get("genre") or "").replace("_", " ")])
    )
    embed.add_field(name="Genre & mood", value=style or "free style")
    if spec.get("chords"):
        embed.add_field(name="Chords", value=chords_line(spec["chords"], spec.get("chords_per_bar", 1.0)))
    if spec.get("form") or spec.get("ending", "tonic") != "tonic":
        embed.add_field(name="Form", value=Spec.from_dict(spec).form_text()[:1000])
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
