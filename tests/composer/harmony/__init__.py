"""Tests of composer/harmony/: harmony plans, progressions, voicing, key clarity."""
