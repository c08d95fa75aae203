"""Fitting a piece's files under the upload limit, degrading gracefully: smaller audio first, then fewer extras.

Order of sacrifice: the audio is re-encoded smaller (mono Vorbis, then half-rate mono Vorbis, then
low-bitrate MP3, all with soundfile, no ffmpeg) before anything is dropped; then the score picture and
the MusicXML go; the audio goes only when even its smallest encoding does not fit; MIDI always stays.
The message says what changed, in words.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import discord
import numpy as np
import soundfile as sf

from composer.files.audio import encode_audio

EXTRAS: tuple[tuple[str, str], ...] = (("musicxml", "MusicXML"), ("score_png", "score picture"))
"""Files after MIDI and audio, in order of importance: the last is left out first."""


@dataclass(frozen=True)
class Encoding:
    """One smaller way to write the audio (soundfile's names for format, subtype and compression)."""

    suffix: str
    format: str
    subtype: str
    compression_level: float
    halve_rate: bool


SMALLER_ENCODINGS: tuple[Encoding, ...] = (
    Encoding(".ogg", "OGG", "VORBIS", 0.6, halve_rate=False),
    Encoding(".ogg", "OGG", "VORBIS", 1.0, halve_rate=True),
    Encoding(".mp3", "MP3", "MPEG_LAYER_III", 0.95, halve_rate=True),  # libsndfile refuses MP3 at 1.0
)


@dataclass
class Attachments:
    """Files to attach, and what was changed or left out to stay under the upload limit."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    audio_reduced: bool = False
    limit_bytes: int = 0

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]

    def note(self) -> str:
        """One sentence, e.g. "To fit this channel's 8.0 MiB upload limit: audio sent at lower quality, score
        picture left out."."""
        changes = (["audio sent at lower quality"] if self.audio_reduced else []) + [
            f"{label} left out" for label in self.left_out
        ]
        if not changes:
            return ""
        return f"To fit this channel's {_size(self.limit_bytes)} upload limit: {', '.join(changes)}."


def _size(limit_bytes: int) -> str:
    mib = limit_bytes / (1024 * 1024)
    return f"{mib:.1f} MiB" if mib >= 1 else f"{limit_bytes / 1024:.0f} KiB"


READ_BLOCK_FRAMES = 1 << 18
"""Frames decoded at a time when re-encoding: the stereo original is mixed down block by block, so a 22-minute
piece holds one mono copy (237 MB), not a stereo one beside it (peak RSS re-encoding one: 1.08 GB -> 0.63 GB)."""


def _read_mono(data: bytes) -> tuple[np.ndarray, int]:
    """The audio mixed down to mono float32, and its sample rate."""
    with sf.SoundFile(io.BytesIO(data)) as audio:
        mono = np.empty(max(0, audio.frames), dtype=np.float32)
        filled = 0
        for block in audio.blocks(READ_BLOCK_FRAMES, dtype="float32", always_2d=True):
            if filled + len(block) > len(mono):  # a header that undercounts: grow rather than fail
                mono = np.resize(mono, max(2 * len(mono), filled + len(block)))
            mono[filled:filled + len(block)] = block.mean(axis=1)
            filled += len(block)
        return mono[:filled], audio.samplerate


def _halve_rate(mono: np.ndarray) -> np.ndarray:
    even = mono[: len(mono) // 2 * 2]
    return (even[0::2] + even[1::2]) / 2  # average pairs: a crude low-pass


def smaller_audio(data: bytes) -> list[tuple[str, bytes]]:
    """The audio re-encoded smaller, best quality first, as (suffix, bytes); [] if it cannot be read."""
    return list(_smaller_variants(data))


def _smaller_variants(data: bytes) -> Iterator[tuple[str, bytes]]:
    """`smaller_audio` one encoding at a time, so the fallback stops at the first that fits (re-encoding a
    22-minute piece three ways took 14 s; the half-rate OGG alone fits 8 MiB)."""
    try:
        mono, rate = _read_mono(data)
    except (sf.LibsndfileError, RuntimeError, ValueError):
        return
    half: np.ndarray | None = None
    for encoding in SMALLER_ENCODINGS:
        signal, signal_rate = (mono, rate)
        if encoding.halve_rate:
            half = _halve_rate(mono) if half is None else half
            signal, signal_rate = half, rate // 2
        buffer = io.BytesIO()
        try:  # in blocks: one whole-signal write of a long piece overflows the stack (see encode_audio)
            encode_audio(buffer, signal, signal_rate, encoding.format, encoding.subtype, encoding.compression_level)
        except sf.LibsndfileError:  # an encoder this libsndfile lacks: try the next one
            continue
        if buffer.tell() < len(data):
            yield encoding.suffix, buffer.getvalue()


def _read(files: dict[str, str | None], kind: str) -> bytes | None:
    raw = files.get(kind)
    return Path(raw).read_bytes() if raw and Path(raw).is_file() else None


def _greedy(extras: list[tuple[str, str, bytes]], budget: int) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The extras that fit, most important first, and the labels of those that do not."""
    kept: list[tuple[str, bytes]] = []
    dropped: list[str] = []
    for name, label, data in extras:
        if len(data) <= budget:
            kept.append((name, data))
            budget -= len(data)
        else:
            dropped.append(label)
    return kept, dropped


def fit_attachments(
    files: dict[str, str | None], gen_id: str, limit_bytes: int, midi: bytes | None = None
) -> Attachments:
    """The most that fits under `limit_bytes` (see the module docstring for the order of sacrifice).

    `midi` stands in when the MIDI file is gone from disk (the store keeps every generation's MIDI).
    """
    fitted = Attachments(limit_bytes=limit_bytes)
    midi = _read(files, "midi") or midi
    if midi is not None:
        fitted.files.append((f"motif-{gen_id}.mid", midi))
    budget = limit_bytes - (len(midi) if midi else 0)
    extras = [
        (_extra_name(kind, files, gen_id), label, data)
        for kind, label in EXTRAS
        if (data := _read(files, kind)) is not None
    ]
    audio = _read(files, "audio")
    if audio is None:
        kept, fitted.left_out = _greedy(extras, budget)
        fitted.files += kept
        return fitted
    original_suffix = Path(str(files["audio"])).suffix
    audio_name, audio_data = _choose_audio(audio, original_suffix, extras, budget)
    if audio_data is None:
        fitted.left_out.append("audio")
    else:
        fitted.files.append((f"motif-{gen_id}{audio_name}", audio_data))
        fitted.audio_reduced = len(audio_data) != len(audio) or audio_name != original_suffix
        budget -= len(audio_data)
    kept, dropped = _greedy(extras, budget)
    fitted.files += kept
    fitted.left_out = dropped + fitted.left_out
    return fitted


def _choose_audio(
    audio: bytes, suffix: str, extras: list[tuple[str, str, bytes]], budget: int
) -> tuple[str, bytes | None]:
    """The best audio encoding that lets everything fit; else the best that fits beside MIDI; else none."""
    extras_bytes = sum(len(data) for _, _, data in extras)
    if len(audio) + extras_bytes <= budget:
        return suffix, audio
    beside_midi: tuple[str, bytes] | None = (suffix, audio) if len(audio) <= budget else None
    for name, data in _smaller_variants(audio):
        if len(data) + extras_bytes <= budget:
            return name, data
        beside_midi = beside_midi or ((name, data) if len(data) <= budget else None)
    return beside_midi or (suffix, None)


def _extra_name(kind: str, files: dict[str, str | None], gen_id: str) -> str:
    if kind == "score_png":
        return f"motif-{gen_id}-score.png"
    return f"motif-{gen_id}{Path(str(files[kind])).suffix}"
