"""Upload: a user's MIDI file as starting material, read safely.

`importer.import_midi` checks the caps (`limits`), parses in a sandboxed child process (`worker`, run as
`python -m composer.upload.worker` under memory and CPU limits), then builds the Piece and Spec (`parts`).
Nothing is imported here eagerly: the child process starts by importing this package, and it must stay
small under its memory cap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from composer.upload.importer import ImportedMidi, import_midi
    from composer.upload.limits import ImportLimits, MidiImportError

_EXPORTS = {
    "ImportLimits": "composer.upload.limits",
    "ImportedMidi": "composer.upload.importer",
    "MidiImportError": "composer.upload.limits",
    "import_midi": "composer.upload.importer",
}
__all__ = ["ImportLimits", "ImportedMidi", "MidiImportError", "import_midi"]


def __getattr__(name: str) -> Any:
    """Load an exported name's module when the name is first asked for (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
