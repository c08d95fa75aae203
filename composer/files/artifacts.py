"""`Artifacts`: the files one rendering produced, how long each stage took, and what failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Artifacts:
    """Paths of the rendered files (None where a stage was skipped or failed) plus per-stage timings.

    MIDI is always present; an optional stage that fails records its message in `errors` (keyed like
    `timings_ms`) so the caller can still deliver the rest and say what is missing.
    """

    midi: Path
    musicxml: Path | None = None
    audio: Path | None = None
    score_png: Path | None = None
    pianoroll_png: Path | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def files(self) -> dict[str, str | None]:
        """The file paths as strings, under the names of the CLI's JSON contract."""
        return {
            "midi": str(self.midi),
            "musicxml": _str(self.musicxml),
            "audio": _str(self.audio),
            "score_png": _str(self.score_png),
            "pianoroll_png": _str(self.pianoroll_png),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files(), "timings_ms": dict(self.timings_ms), "errors": dict(self.errors),
                "notes": list(self.notes)}


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)
