"""Tests of composer/files/: MIDI, MusicXML, audio, pictures."""
