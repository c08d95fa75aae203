"""The studio: the one core every front end (CLI, console chat, Discord) uses to turn words into stored music.

It parses a prompt (or a remix instruction), composes, stores the generation and renders its files, timing
each stage. Models are loaded once per `Studio`, so a batch or a long-running bot pays their cost once.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.failures import RenderError
from composer.arrange.grooves import GrooveTextsError
from composer.arrange.nearest import choose_nearest_groove
from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.files.render import render_all
from composer.generate import Composition, compose_original
from composer.melody import MelodySource, load_default_melody_source
from composer.melody.checkpoint import CHECKPOINT_DIR, WEIGHTS_FILE, has_checkpoint
from composer.originality import OriginalityIndex, originality_record
from composer.piece import Piece
from prompts import ParseConfig, Spec, UserError, parse
from prompts.reading import Reading
from storage import Generation, NewGeneration, Store

FILE_KINDS = ("midi", "musicxml", "audio", "score_png", "pianoroll_png")
ENGINES = ("model", "markov")


class StudioError(UserError):
    """A request the studio cannot carry out, with a message for the user (unknown id, unknown engine...)."""


def default_engine(checkpoint: Path = CHECKPOINT_DIR) -> str:
    """The learned model when its checkpoint is present, else the Markov baseline."""
    return "model" if has_checkpoint(checkpoint) else "markov"


def load_melody_source(engine: str) -> MelodySource:
    """The melody engine by name; the model is conditioned through the same MiniLM that reads prompts."""
    if engine == "markov":
        return load_default_melody_source()
    if engine == "model":
        from composer.melody.sample import load_model_melody
        from prompts.encoder import get_encoder

        return load_model_melody(get_encoder().embed)
    raise StudioError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


@dataclass(frozen=True)
class StudioConfig:
    """How a studio renders and where it keeps things; built once at the edge (CLI options, bot settings)."""

    out_dir: Path
    db_path: Path
    audio_format: str = "ogg"
    want_audio: bool = True
    want_images: bool = True
    engine: str = field(default_factory=default_engine)
    check_originality: bool = True
    parse: ParseConfig = field(default_factory=ParseConfig)
    soundfont: Path | None = None
    """The soundfont audio is rendered with (`bot.settings.soundfont_setting`: MOTIF_SOUNDFONT); None: the
    installed GM font."""


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
    summary: list[str] = field(default_factory=list)
    engine: str | None = None
    model_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "parent_id": self.parent_id,
            "spec": self.spec.to_dict(),
            "files": self.files,
            "engine": self.engine,
            "model_version": self.model_version,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "originality": self.originality,
        }
        if self.summary:
            data["changes"] = self.summary
        if self.errors:
            data["errors"] = self.errors
        return data


@dataclass
class Made:
    """A piece ready to publish: what it answers, how long it took, and its originality record."""

    piece: Piece
    prompt: str
    timings_ms: dict[str, float]
    originality: dict[str, Any] | None
    parent_id: str | None = None
    summary: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Who:
    """Where a request comes from (stored with the generation for history and lineage)."""

    author: str | None = None
    guild: str | None = None
    channel: str | None = None


def new_seed() -> int:
    """A fresh random seed that fits SQLite's INTEGER and numpy's generators."""
    return secrets.randbelow(2**31)


def record_of(composition: Composition) -> dict[str, Any] | None:
    """The originality record stored with a composition or a remix (composer checked both the same way)."""
    return originality_record(composition.originality, composition.attempts, composition.copies_rejected,
                              composition.inherited)


class Studio:
    """Parses, composes, remixes, imports, renders and stores; one instance per process, models loaded once."""

    def __init__(self, config: StudioConfig, store: Store, melody_source: MelodySource | None = None) -> None:
        self.config = config
        self.store = store
        self._melody_source = melody_source
        self._index: OriginalityIndex | None = None
        self.on_stored: Callable[[Generation], None] | None = None
        """Called as soon as a generation is stored, before its files are rendered (the CLI prints its id)."""

    @property
    def melody_source(self) -> MelodySource:
        if self._melody_source is None:
            self._melody_source = load_melody_source(self.config.engine)
        return self._melody_source

    @property
    def originality_index(self) -> OriginalityIndex | None:
        if self._index is None and self.config.check_originality:
            self._index = OriginalityIndex.load()
        return self._index

    def read(self, prompt: str, reader: Callable[[str], Spec] | None = None) -> tuple[Spec, float]:
        """Parse a prompt (with `reader` when given); returns the Spec and the time it took in ms. Raises
        `prompts.ParseError`."""
        start = time.perf_counter()
        spec = reader(prompt) if reader is not None else parse(prompt, self.config.parse)
        if self.config.parse.use_encoder:
            spec = with_nearest_groove(spec)
        return spec, (time.perf_counter() - start) * 1000

    async def compose(self, prompt: str, seed: int | None = None, who: Who | None = None,
                      read: Callable[[str], Spec] | None = None) -> Result:
        """Turn a prompt into a stored generation with its files; the one compose path of every front end.

        `read` replaces the plain parse where a front end reads prompts its own way (a Discord server's style
        fills its defaults and holds its caps); the seed is assigned here either way. Raises
        `prompts.ParseError` on bad input and `OriginalityError` when nothing original enough came out.
        """
        spec, parse_ms = self.read(prompt, read)
        spec = dataclasses.replace(spec, seed=new_seed() if seed is None else seed)
        return await self.compose_spec(spec, prompt, {"parse": parse_ms}, who)

    async def compose_spec(self, spec: Spec, prompt: str, timings_ms: dict[str, float], who: Who | None = None) -> Result:
        """Compose from a resolved Spec (regenerating near-copies), then publish it."""
        composition = compose_original(spec, self.melody_source, self.originality_index)
        made = Made(composition.piece, prompt, dict(timings_ms) | composition.timings_ms, record_of(composition))
        return await self._publish(made, who)

    async def remix(self, parent_id: str, instruction: str, seed: int | None = None, who: Who | None = None,
                    limit: Callable[[Spec], Spec] | None = None) -> Result:
        """Apply a reply-style instruction ("faster", "make it bossa nova") to a stored generation.

        The parent is rebuilt from its stored MIDI bytes, so the remix starts from exactly what was heard.
        `limit` holds the remixed Spec to a front end's rules (a Discord server's tempo range and bar cap).
        Raises `StudioError` (unknown id), `prompts.edit.language.EditError` (unreadable instruction) or
        `OriginalityError`.
        """
        from composer.remix import remix_original
        from prompts.edit.language import read_instruction

        start = time.perf_counter()
        parent = await self.generation(parent_id)
        parent_spec = Spec.from_dict(parent.spec)
        child_spec, plan = read_instruction(instruction, parent_spec, self.config.parse.max_bars)
        if child_spec.genre != parent_spec.genre:  # the words chose a groove for the old genre
            child_spec = dataclasses.replace(child_spec, groove=None)
        if plan.new_seed:
            child_spec = dataclasses.replace(child_spec, seed=new_seed() if seed is None else seed)
        if limit is not None:
            child_spec = limit(child_spec)
        timings = {"parse": (time.perf_counter() - start) * 1000}
        start = time.perf_counter()
        parent_piece = midi_bytes_to_piece(parent.midi, parent_spec)
        decode_ms = (time.perf_counter() - start) * 1000
        composition = remix_original(parent_piece, child_spec, plan, self.melody_source,
                                     np.random.default_rng(child_spec.seed), self.originality_index)
        composition.piece.engine = remix_engine(plan, parent.engine, self.config.engine)
        timings |= composition.timings_ms
        timings["remix"] += decode_ms
        made = Made(composition.piece, instruction, timings, record_of(composition), parent_id=parent.id,
                    summary=list(plan.summary))
        return await self._publish(made, who)

    async def import_midi(self, data: bytes, filename: str, who: Who | None = None) -> Result:
        """A user's MIDI file as starting material: parsed safely, stored as their generation, rendered.

        Raises `composer.upload.importer.MidiImportError` with a clear reason for anything malformed or hostile.
        """
        from composer.upload.importer import import_midi

        start = time.perf_counter()
        imported = import_midi(data, filename=filename)
        timings = {"import": (time.perf_counter() - start) * 1000}
        made = Made(imported.piece, f"imported: {filename}", timings, None, summary=list(imported.warnings))
        return await self._publish(made, who)

    async def generation(self, generation_id: str) -> Generation:
        """A stored generation by id, or a `StudioError` that says so."""
        found = await self.store.get_generation(generation_id.strip())
        if found is None:
            raise StudioError(f"there is no generation with id {generation_id!r}")
        return found

    async def _publish(self, made: Made, who: Who | None) -> Result:
        """Store the MIDI first (what is stored is what gets remixed), then render the files named by its id
        from those same bytes: the piece is encoded once, and the file a user downloads is what is stored."""
        who = who or Who()
        timings = made.timings_ms
        start = time.perf_counter()
        midi = piece_to_midi_bytes(made.piece)
        generation = await self.store.add_generation(NewGeneration(
            prompt=made.prompt, spec=made.piece.spec.to_dict(), seed=made.piece.spec.seed,
            engine=made.piece.engine, midi=midi, parent_id=made.parent_id, author=who.author, guild=who.guild,
            channel=who.channel, model_version=self.model_version(made.piece.engine), originality=made.originality,
            timings={k: round(v, 2) for k, v in timings.items()},
        ))
        timings["store"] = (time.perf_counter() - start) * 1000
        if self.on_stored is not None:
            self.on_stored(generation)
        try:
            artifacts = render_all(made.piece, self.config.out_dir, generation.id,
                                   audio_format=self.config.audio_format, want_audio=self.config.want_audio,
                                   want_images=self.config.want_images, midi=generation.midi,
                                   soundfont=self.config.soundfont)
        except OSError as exc:
            raise RenderError(f"{generation.id} is stored, but its files could not be written to "
                              f"{self.config.out_dir}: {exc.strerror or exc}", generation.id) from exc
        timings |= artifacts.timings_ms
        return Result(
            id=generation.id, parent_id=made.parent_id, spec=made.piece.spec,
            files={kind: _path_or_none(getattr(artifacts, kind)) for kind in FILE_KINDS},
            timings_ms=timings, originality=made.originality, errors=dict(artifacts.errors), summary=made.summary,
            engine=generation.engine, model_version=generation.model_version,
        )

    def model_version(self, engine: str) -> str:
        """Which weights wrote the notes: a digest of the checkpoint, or the Markov tables."""
        if engine == "model":
            return f"model@{weights_digest(CHECKPOINT_DIR / WEIGHTS_FILE)}"
        if engine == "markov":
            return "markov@tables"
        return engine  # "import": the user's own file; no model wrote its notes


@functools.cache
def weights_digest(weights: Path) -> str:
    """The first 12 hex digits of the weights file's SHA-256 ("none" without one), hashed once per process:
    the file is megabytes and every publish names it, and a process loads its model only once anyway."""
    return hashlib.sha256(weights.read_bytes()).hexdigest()[:12] if weights.is_file() else "none"


def remix_engine(plan, parent_engine: str, studio_engine: str) -> str:
    """Who wrote a remix's melody: the parent's engine when the melody is kept as it was, else this studio's
    (a piece rebuilt from MIDI bytes would otherwise be recorded as made by "midi")."""
    writes_melody = (plan.regenerate or not plan.keep_melody or plan.continue_bars or plan.vary_bars
                     or plan.counter_melody)
    return studio_engine if writes_melody else parent_engine


def rules_reading(spec: Spec) -> Reading:
    """What the rules (and their spelling corrections) read in a Spec's prompt, without the encoder."""
    from prompts.parse import fix_spellings
    from prompts.reading import read_rules

    reading = read_rules(spec.prompt)
    fix_spellings(reading)
    return reading


def free_words(spec: Spec) -> list[str]:
    """The words of a Spec's prompt that the rules (and their spelling corrections) did not understand."""
    return rules_reading(spec).leftovers


def names_its_style(spec: Spec, reading: Reading) -> bool:
    """The prompt's own words name the Spec's genre ("funk", "a salsa band"), as opposed to the encoder reading
    it from free words ("smoky late-night lounge" read as jazz)."""
    return spec.genre is not None and (reading.genre or reading.implied_genre) == spec.genre


def groove_query(spec: Spec) -> str:
    """What the groove texts are compared with: the prompt, then the moods and genre it was read as ("smoky
    late-night lounge, moody, jazz"), so a word the encoder read as jazz also says so to the grooves."""
    return ", ".join([spec.prompt, *spec.moods, *([spec.genre.replace("_", " ")] if spec.genre else [])])


def with_nearest_groove(spec: Spec) -> Spec:
    """The Spec with the MMA groove its free words choose (issue 13: "smoky late-night lounge" finds a slow jazz
    groove; a named style keeps its own unless the words clearly point elsewhere: composer.arrange.nearest), and
    a note saying why; unchanged when the rules understood every word, when nothing comes within
    GROOVE_MIN_SIMILARITY, or when the encoder or the groove texts are unavailable (as without them)."""
    reading = rules_reading(spec)
    if spec.groove is not None or not reading.leftovers:
        return spec
    try:
        from prompts.encoder import get_encoder

        query = get_encoder().embed([groove_query(spec)])[0]
        choice = choose_nearest_groove(query, spec, names_its_style(spec, reading))
    except (ImportError, OSError, RuntimeError, GrooveTextsError, ValueError):
        return spec
    if choice.note is None:
        return spec
    return dataclasses.replace(spec, groove=choice.groove, notes=(*spec.notes, choice.note))


def _path_or_none(path: Path | None) -> str | None:
    return str(path) if path is not None else None


@asynccontextmanager
async def open_studio(config: StudioConfig, melody_source: MelodySource | None = None) -> AsyncIterator[Studio]:
    """A studio over the configured store, closed on exit (an already-loaded melody source may be shared)."""
    async with Store.open(config.db_path) as store:
        yield Studio(config, store, melody_source)
