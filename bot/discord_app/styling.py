"""A server's style applied to a request: the prompt is read with the server's defaults, then its caps hold.

Defaults only fill what the user did not state (genre, instruments); they go to the reader as data
(`prompts.resolve.Defaults`), so the prompt is read once and everything a genre implies (tempo, meter, band)
follows as if the user had typed it. Caps (max bars, tempo range) always hold, with a note saying what changed, for a
remix (`held_to_style`) exactly as for /compose: a reply "at 300 bpm" cannot step around the server.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.discord_app.requests import Style
from prompts import ParseConfig, ParseError, Spec, parse
from prompts.limits import MAX_BARS
from prompts.resolve import Defaults
from prompts.spec import FIELDS

PRESET_FIELDS = frozenset(FIELDS) - {"instruments", "moods"}
"""Spec fields a preset may set directly (instruments and moods go through its prompt suffix instead)."""


def parse_config(base: ParseConfig, max_bars: int) -> ParseConfig:
    """The reading limits under a server's bar cap, never above what Motif can write."""
    return dataclasses.replace(base, max_bars=min(max_bars, MAX_BARS))


def styled_spec(prompt: str, style: Style, bars: int | None, config: ParseConfig) -> Spec:
    """Read `prompt` under a server's style; raises `ParseError` with a user-facing message."""
    text = prompt.strip()
    if style.prompt_suffix.strip():  # a preset's own words, read as part of the prompt
        text = f"{text}, {style.prompt_suffix.strip()}" if text else style.prompt_suffix.strip()
    spec = parse(text, config, defaults=style_defaults(style))
    spec = _apply_overrides(spec, style.spec_overrides)
    if bars is not None:
        spec = _with_bars(spec, bars, config.max_bars)
    return clamp_tempo(spec, style)


def style_defaults(style: Style) -> Defaults:
    """The server's genre and instruments, as the defaults its prompts are read with."""
    return Defaults(genre=style.settings.genre, instruments=tuple(style.settings.instruments))


def _with_bars(spec: Spec, bars: int, max_bars: int) -> Spec:
    if bars < 1:
        raise ParseError(f"bars must be at least 1, got {bars}")
    if bars > max_bars:
        raise ParseError(f"{bars} bars is too long: this server allows at most {max_bars} bars")
    explicit = tuple(dict.fromkeys((*spec.explicit, "bars")))
    return dataclasses.replace(spec, bars=bars, explicit=explicit)


def _apply_overrides(spec: Spec, overrides: dict[str, Any]) -> Spec:
    """A preset's Spec fields over the reading; a bad value is the preset's fault and says so."""
    if not overrides:
        return spec
    unknown = sorted(set(overrides) - PRESET_FIELDS)
    if unknown:
        raise ParseError(f"the preset sets unknown fields {unknown}; presets may set {sorted(PRESET_FIELDS)}")
    data = spec.to_dict() | overrides
    data["explicit"] = sorted(set(spec.explicit) | set(overrides), key=FIELDS.index)
    try:
        return Spec.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise ParseError(f"the preset has a bad value: {exc}") from exc


def clamp_tempo(spec: Spec, style: Style) -> Spec:
    """Hold the tempo inside the server's range, noting the change (first, so the card shows it) so the
    user sees why."""
    low = style.settings.tempo_min or spec.tempo_bpm
    high = style.settings.tempo_max or spec.tempo_bpm
    tempo = min(max(spec.tempo_bpm, low), high)
    if tempo == spec.tempo_bpm:
        return spec
    side = "above" if spec.tempo_bpm > tempo else "below"
    note = f"tempo {spec.tempo_bpm} bpm is {side} this server's limit; played at {tempo} bpm"
    return dataclasses.replace(spec, tempo_bpm=tempo, notes=(note, *spec.notes))


def held_to_style(spec: Spec, style: Style) -> Spec:
    """A remixed Spec under the server's caps, as /compose is held: tempo range, then bar limit (a piece made
    before the server lowered it is cut), each change with a note. The server's genre and instruments are
    defaults for what a prompt leaves unstated; a remix starts from a piece where everything is settled, so
    they have nothing to fill, and what the instruction changes counts as stated, as in /compose."""
    spec = clamp_tempo(spec, style)
    limit = min(style.settings.max_bars, MAX_BARS)
    if spec.bars <= limit:
        return spec
    note = f"{spec.bars} bars is above this server's limit; cut to {limit} bars"
    return dataclasses.replace(spec, bars=limit, notes=(note, *spec.notes))
