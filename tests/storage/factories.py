"""Small builders for store tests: realistic generations with real (tiny) MIDI files."""

from __future__ import annotations

import random
import struct
from typing import Any

from storage import NewGeneration

SPEC: dict[str, Any] = {
    "prompt": "a moody jazz waltz in D dorian",
    "tonic": "D",
    "mode": "dorian",
    "tempo_bpm": 132,
    "time_signature": "3/4",
    "bars": 8,
    "genre": "jazz",
    "moods": ["moody"],
    "instruments": [{"name": "piano", "program": 0, "role": "chords"}],
    "drums": True,
    "seed": 7,
    "explicit": ["tonic", "mode", "genre"],
}


def midi_bytes(size: int = 4096, seed: int = 0) -> bytes:
    """A valid one-track type-0 SMF of about `size` bytes: random note on/off pairs, then end of track."""
    rng = random.Random(seed)
    events = bytearray()
    while len(events) < max(size - 30, 0):
        pitch, velocity = rng.randint(36, 96), rng.randint(40, 110)
        events += bytes([0x00, 0x90, pitch, velocity, 0x60, 0x80, pitch, 0x00])
    events += bytes([0x00, 0xFF, 0x2F, 0x00])
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    return header + b"MTrk" + struct.pack(">I", len(events)) + bytes(events)


def new_generation(**overrides: Any) -> NewGeneration:
    """A complete `NewGeneration` (a root unless `parent_id` is given); override any field."""
    fields: dict[str, Any] = {
        "prompt": "a moody jazz waltz in D dorian",
        "spec": SPEC,
        "seed": 7,
        "engine": "markov",
        "midi": midi_bytes(),
        "author": "user-1",
        "guild": "guild-1",
        "channel": "chan-1",
        "model_version": "test-0",
        "originality": {"longest_match_notes": 5, "source": None},
        "timings": {"midi_ms": 12.5},
    }
    fields.update(overrides)
    return NewGeneration(**fields)
