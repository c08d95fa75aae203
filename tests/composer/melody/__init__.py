"""Tests of composer/melody/: the melody sources: Markov, the learned model, its decoder."""
