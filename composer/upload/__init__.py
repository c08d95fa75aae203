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
    from composer.upload.importer import ImportedMidi as ImportedMidi
    from composer.upload.importer import import_midi as import_midi
    from composer.upload.limits import ImportLimits as ImportLimits
    from composer.upload.limits import MidiImportError as MidiImportError

__all__, __getattr__ = lazy_exports(__name__, {
    "composer.upload.importer": ("ImportedMidi", "import_midi"),
    "composer.upload.limits": ("ImportLimits", "MidiImportError"),
})
