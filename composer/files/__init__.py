"""Files: a Piece as everything a user gets: MIDI, MusicXML, audio, the score picture and the piano roll.

`render.render_all` makes them all (MIDI first and required, the rest optional and isolated); `midi`
also reads MIDI back into a Piece. The names below load their module on first use, so that importing
`composer.files.midi` or `composer.files.audio` does not pull in music21, verovio and matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from composer import lazy_exports

if TYPE_CHECKING:
    from composer.files.artifacts import Artifacts as Artifacts
    from composer.files.midi import midi_bytes_to_piece as midi_bytes_to_piece
    from composer.files.midi import piece_to_midi_bytes as piece_to_midi_bytes
    from composer.files.render import render_all as render_all

__all__, __getattr__ = lazy_exports(__name__, {
    "composer.files.artifacts": ("Artifacts",),
    "composer.files.midi": ("midi_bytes_to_piece", "piece_to_midi_bytes"),
    "composer.files.render": ("render_all",),
})
