"""Arrangement: the parts around the melody, from a harmony plan and a style.

`arranger` places every instrument by its role; `accompaniment` writes bass lines, `comping` the chord
patterns, `drums` the grooves, and `phrasing` pushes notes ahead of the beat where a style swings.
"""

from __future__ import annotations

from composer.arrange.arranger import arrange, counter_line

__all__ = ["arrange", "counter_line"]
