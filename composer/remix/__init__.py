"""Remix: a new piece from a parent piece, a child Spec and the `EditPlan` the edit language made.

`rework` decides how much of the parent survives; `parts` edits the parts of a kept piece, `sections`
continues it or rewrites some bars, `refit` fits the kept tune to new chords (a chord
edit), and `voices` adds a second line (harmony or counter-melody).
"""

from __future__ import annotations

from composer.remix.rework import RemixConfig, RemixError, remix, remix_original, remix_timed

__all__ = ["RemixConfig", "RemixError", "remix", "remix_original", "remix_timed"]
