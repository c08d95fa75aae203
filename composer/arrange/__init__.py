"""Arrangement: the parts around the melody, from a harmony plan and a style.

`arranger` places every instrument by its role. Where an MMA groove fits the style (`grooves` loads the
library and chooses, `groove_play` plays it against the harmony plan), it gives the bass, the chords and the
drums; elsewhere `accompaniment` writes bass lines, `comping` the chord patterns and `drums` the hand-written
grooves. `phrasing` pushes notes ahead of the beat where a style swings.
"""

from __future__ import annotations

from composer.arrange.arranger import arrange, counter_line

__all__ = ["arrange", "counter_line"]
