"""Tests of composer/upload/: MIDI import and its sandbox."""
