"""Melody: the lead line over a harmony plan, from the Markov tables or the trained model.

`source` holds the `MelodySource` protocol and the Markov source (`markov` is its tables); `sample` is the
learned source (`model` and `decoder` the network, `tokens`, `attributes` and `constraints` what it reads
and may write, `checkpoint` where its weights live); `corpus` reads the tunes both were built from.
Importing this package does not import torch: the learned source loads it when first asked.
"""

from __future__ import annotations

from composer.melody.source import MarkovMelody, MelodyError, MelodySource, load_default_melody_source

__all__ = ["MarkovMelody", "MelodyError", "MelodySource", "load_default_melody_source"]
