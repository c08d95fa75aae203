"""Offline only: building the tune corpus, the training windows, training, evaluation and analysis.

Never imported by the request path (the architecture test checks it): `corpus` builds `composer/data/melodies/`
from music21's corpus (`abc_notation`, `sources` and `extract` read the collections), `debian` the lead lines of
Debian's music packages, `grooves` MMA's groove library, `dataset` turns melodies into training windows, `train`
fits the melody model, `evaluate` scores it against the Markov baseline, and `analyze` is the independent reader
the obedience suite and `motif eval` judge pieces with. Entry points: `python -m composer.learn.corpus build` and
the `motif data` / `motif eval` commands; nothing is imported here, so each tool loads only what it needs.
"""
