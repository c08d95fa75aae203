"""The studio: the one core every front end (CLI, console chat, Discord) uses to turn words into stored music.

It parses a prompt, composes, renders the files and stores the generation, timing each stage. Models are
loaded once per `Studio`, so a batch or a long-running bot pays their cost once.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.generate import compose_timed
from composer.melody import MelodySource, load_default_melody_source
from composer.midi import piece_to_midi_bytes
from composer.render import render_all
from prompts import ParseConfig, Spec, parse
from storage import Generation, NewGeneration, Store

FILE_KINDS = ("midi", "musicxml", "audio", "score_png", "pianoroll_png")


@dataclass(frozen=True)
class StudioConfig:
    """How a studio renders and where it keeps things; built once at the edge (CLI options, bot settings)."""

    out_dir: Path
    db_path: Path
    audio_format: str = "ogg"
    want_audio: bool = True
    want_images: bool = True
    parse: ParseConfig = field(default_factory=ParseConfig)


@dataclass
class Result:
    """One finished generation as the front ends show it (the CLI's `--json` object)."""

    id: str
    parent_id: str | None
    spec: Spec
    files: dict[str, str | None]
    timings_ms: dict[str, float]
    originality: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "parent_id": self.parent_id,
            "spec": self.spec.to_dict(),
            "files": self.files,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "originality": self.originality,
        }
        if self.errors:
            data["errors"] = self.errors
        return data


def new_seed() -> int:
    """A fresh random seed that fits SQLite's INTEGER and numpy's generators."""
    return secrets.randbelow(2**31)


class Studio:
    """Parses, composes, renders and stores; one instance per process, models loaded once."""

    def __init__(self, config: StudioConfig, store: Store, melody_source: MelodySource | None = None) -> None:
        self.config = config
        self.store = store
        self._melody_source = melody_source

    @property
    def melody_source(self) -> MelodySource:
        if self._melody_source is None:
            self._melody_source = load_default_melody_source()
        return self._melody_source

    def read(self, prompt: str) -> tuple[Spec, float]:
        """Parse a prompt; returns the Spec and the time it took in ms. Raises `prompts.ParseError`."""
        start = time.perf_counter()
        spec = parse(prompt, self.config.parse)
        return spec, (time.perf_counter() - start) * 1000

    async def compose(
        self,
        prompt: str,
        seed: int | None = None,
        author: str | None = None,
        guild: str | None = None,
        channel: str | None = None,
    ) -> Result:
        """Turn a prompt into a stored generation with its files. Raises `prompts.ParseError` on bad input."""
        spec, parse_ms = self.read(prompt)
        spec = dataclasses.replace(spec, seed=new_seed() if seed is None else seed)
        return await self.compose_spec(spec, prompt, {"parse": parse_ms}, author=author, guild=guild,
                                       channel=channel)

    async def compose_spec(
        self,
        spec: Spec,
        prompt: str,
        timings_ms: dict[str, float],
        parent_id: str | None = None,
        author: str | None = None,
        guild: str | None = None,
        channel: str | None = None,
    ) -> Result:
        """Compose from a resolved Spec, store the MIDI, then render the files named by the new id."""
        piece, compose_ms = compose_timed(spec, self.melody_source)
        timings = dict(timings_ms) | compose_ms
        start = time.perf_counter()
        midi = piece_to_midi_bytes(piece)
        generation = await self._store(spec, prompt, piece.engine, midi, parent_id, author, guild, channel)
        timings["store"] = (time.perf_counter() - start) * 1000
        artifacts = render_all(
            piece,
            self.config.out_dir,
            generation.id,
            audio_format=self.config.audio_format,
            want_audio=self.config.want_audio,
            want_images=self.config.want_images,
        )
        timings |= artifacts.timings_ms
        files = {kind: _path_or_none(getattr(artifacts, kind)) for kind in FILE_KINDS}
        return Result(
            id=generation.id,
            parent_id=parent_id,
            spec=spec,
            files=files,
            timings_ms=timings,
            originality=generation.originality,
            errors=dict(artifacts.errors),
        )

    async def _store(
        self,
        spec: Spec,
        prompt: str,
        engine: str,
        midi: bytes,
        parent_id: str | None,
        author: str | None,
        guild: str | None,
        channel: str | None,
    ) -> Generation:
        return await self.store.add_generation(
            NewGeneration(
                prompt=prompt,
                spec=spec.to_dict(),
                seed=spec.seed,
                engine=engine,
                midi=midi,
                parent_id=parent_id,
                author=author,
                guild=guild,
                channel=channel,
            )
        )


def _path_or_none(path: Path | None) -> str | None:
    return str(path) if path is not None else None
