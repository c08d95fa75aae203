"""Harmony: the chord plan a piece is built over, from a genre's progressions to voiced chords.

`plan` chooses a chord per slot (`progressions` holds the Roman-numeral templates per harmony kind),
`voicing` voices chords with smooth voice leading, and `clarity` checks that a plan says its key.
"""

from __future__ import annotations

from composer.harmony.plan import plan_harmony

__all__ = ["plan_harmony"]
