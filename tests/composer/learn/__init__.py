"""Tests of composer/learn/: the offline corpus build and training."""
