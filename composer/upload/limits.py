"""What an upload may be, and the error for one that is refused.

Kept apart from `importer` (which runs the sandboxed parse) and `parts` (which turns the parsed data into a
Piece) so that both can raise `MidiImportError` without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.errors import UserError

MAX_BYTES = 1024 * 1024
MAX_NOTES = 20_000
MAX_SECONDS = 600.0
TIMEOUT_S = 10.0
MEMORY_MB = 512
MAX_OUTPUT_BYTES = 64 * 1024 * 1024


class MidiImportError(UserError):
    """An uploaded MIDI file Motif will not use; the message says why (too large, not MIDI, too long...)."""


@dataclass(frozen=True)
class ImportLimits:
    """The caps an upload must pass (defaults suit a chat attachment)."""

    max_bytes: int = MAX_BYTES
    max_notes: int = MAX_NOTES
    max_seconds: float = MAX_SECONDS
    timeout_s: float = TIMEOUT_S
    memory_mb: int = MEMORY_MB
