"""A user's MIDI file as starting material: caps first, parsing in a sandboxed child process, then a Piece.

Order matters for safety: the size cap and a header check run here before anything else; the parse itself
runs in `composer.upload.worker` (a separate Python process with a wall-clock timeout, an address-space
limit and a CPU limit) and returns plain data; only then is that data turned into a `Piece` and a `Spec`
(`composer.upload.parts`). Every refusal is a `MidiImportError` with a message for the person who
uploaded the file.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from composer.piece import Piece
from composer.upload.limits import (
    MAX_BYTES,
    MAX_NOTES,
    MAX_OUTPUT_BYTES,
    MAX_SECONDS,
    MEMORY_MB,
    TIMEOUT_S,
    ImportLimits,
    MidiImportError,
)
from composer.upload.worker import MidiFormatError, read_header
from prompts.limits import MAX_TEMPO_BPM
from prompts.spec import Spec


@dataclass
class ImportedMidi:
    """The upload as a Piece, the Spec read from it, and remarks on what was changed or guessed."""

    piece: Piece
    spec: Spec
    warnings: list[str] = field(default_factory=list)


def import_midi(data: bytes, *, filename: str = "upload.mid", max_bytes: int = MAX_BYTES,
                max_notes: int = MAX_NOTES, max_seconds: float = MAX_SECONDS, timeout_s: float = TIMEOUT_S,
                memory_mb: int = MEMORY_MB) -> ImportedMidi:
    """Read an untrusted MIDI upload into a Piece and the Spec it implies (prompt "imported: FILENAME").

    Never hangs (the parser is killed after `timeout_s`), never grows past `memory_mb` (the child's
    address space is capped), and raises only `MidiImportError` for bad input.
    """
    limits = ImportLimits(max_bytes, max_notes, max_seconds, timeout_s, memory_mb)
    check_caps(data, limits)
    raw = parse_in_subprocess(data, limits)
    from composer.upload.parts import build_import

    piece, warnings = build_import(raw, filename, limits.max_seconds)
    return ImportedMidi(piece, piece.spec, warnings)


def check_caps(data: bytes, limits: ImportLimits) -> None:
    """The checks that need no parsing: type, size and the 14-byte header."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MidiImportError(f"a MIDI upload must be bytes, not {type(data).__name__}")
    if len(data) == 0:
        raise MidiImportError("the file is empty")
    if len(data) > limits.max_bytes:
        raise MidiImportError(f"the file is {len(data)} bytes; Motif imports MIDI files up to {limits.max_bytes} bytes")
    try:
        read_header(bytes(data))
    except MidiFormatError as exc:
        raise MidiImportError(str(exc)) from None


def worker_command(limits: ImportLimits) -> list[str]:
    """The child process's command line (the same interpreter, the worker module, the limits)."""
    max_quarters = limits.max_seconds * MAX_TEMPO_BPM / 60.0  # the fastest tempo bounds quarters per second
    return [sys.executable, "-m", "composer.upload.worker",
            "--max-bytes", str(limits.max_bytes), "--max-notes", str(limits.max_notes),
            "--max-quarters", f"{max_quarters:.3f}", "--memory-mb", str(limits.memory_mb),
            "--cpu-s", str(max(1, math.ceil(limits.timeout_s)))]


def parse_in_subprocess(data: bytes, limits: ImportLimits) -> dict[str, Any]:
    """Parse in the worker process and return its plain-data answer; every failure is a MidiImportError."""
    try:
        done = subprocess.run(worker_command(limits), input=bytes(data), capture_output=True,
                              timeout=limits.timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise MidiImportError(f"reading the file took longer than {limits.timeout_s:g} s; "
                              "it may be damaged or built to stall a parser") from None
    except OSError as exc:
        raise MidiImportError(f"the MIDI reader could not be started: {exc.strerror or exc}") from None
    if done.returncode != 0:
        why = f"signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        raise MidiImportError(f"the MIDI reader stopped ({why}) before finishing; the file may be hostile or damaged")
    if len(done.stdout) > MAX_OUTPUT_BYTES:
        raise MidiImportError("the MIDI reader's answer was too large")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise MidiImportError("the MIDI reader gave no usable answer; the file may be damaged") from None
    if not isinstance(answer, dict) or not answer.get("ok"):
        message = answer.get("error") if isinstance(answer, dict) else None
        raise MidiImportError(str(message or "the MIDI file could not be read"))
    return answer
