"""Upload: a user's MIDI file as starting material, read safely.

`importer.import_midi` checks the caps (`limits`), parses in a sandboxed child process (`worker`, run as
`python -m composer.upload.worker` under memory and CPU limits), then builds the Piece and Spec (`parts`).
Nothing is imported here eagerly: the child process starts by importing this package, and it must stay
small under its memory cap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from composer import lazy_exports

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

__getattr__ = lazy_exports(__name__, _EXPORTS)
