"""Over a wide, seeded prompt suite, the written MIDI obeys what the user stated.

Each prompt goes through the real path (parse -> compose -> MIDI bytes) and the file is analysed by an
independent reader (composer.learn.analyze, music21's raw MIDI parser + key analysis), never by asking the code
what it believes it wrote. Failing pieces are written to tests/_artifacts/ for a listen.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose, compose_original
from composer.learn.analyze import check_explicit, read_midi
from composer.originality import OriginalityIndex
from prompts import parse
from prompts.spec import Spec

ARTIFACTS = Path(__file__).parent / "_artifacts"

KEYS = ["C", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B", "C#", "Db", "Gb"]
MODES = ["major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "aeolian"]
GENRES = [
    "jazz", "swing", "jazz waltz", "blues", "bossa nova", "latin", "tango", "pop", "rock", "metal", "funk",
    "neo-soul", "lofi", "hip hop", "trap", "techno", "house", "edm", "synthwave", "chiptune", "ambient",
    "cinematic", "classical", "baroque", "chorale", "romantic", "folk", "celtic", "reel", "jig", "hornpipe",
    "sea shanty", "polka", "waltz", "march", "klezmer", "reggae", "ragtime", "gospel", "medieval", "lullaby",
    "flamenco",
]
MOODS = ["happy", "sad", "moody", "dark", "calm", "tense", "epic", "dreamy", "playful", "melancholic", ""]
METERS = ["3/4", "4/4", "6/8", "5/4", "12/8", "2/4"]
INSTRUMENTS = [
    "piano", "solo violin", "string quartet", "sax and upright bass", "rhodes and bass", "flute and harp",
    "nylon guitar", "brass", "organ", "synth lead and synth bass", "cello", "clarinet and piano", "choir",
]


def suite(size: int, seed: int = 2026) -> list[str]:
    """Prompts that state a random subset of attributes, in varied wording."""
    rng = random.Random(seed)
    prompts = []
    for _ in range(size):
        parts = [rng.choice(MOODS), rng.choice(GENRES)]
        if rng.random() < 0.8:
            parts.append(f"in {rng.choice(KEYS)} {rng.choice(MODES)}")
        if rng.random() < 0.5:
            parts.append(f"at {rng.randrange(60, 181)} bpm")
        if rng.random() < 0.4:
            parts.append(f"in {rng.choice(METERS)}")
        if rng.random() < 0.6:
            parts.append(f"for {rng.choice(INSTRUMENTS)}")
        if rng.random() < 0.5:
            parts.append(rng.choice(["with drums", "no drums"]))
        parts.append(f"{rng.choice([1, 2, 3, 4, 6, 8, 12, 16])} bars")
        prompts.append(" ".join(p for p in parts if p))
    return prompts


def obedience(prompts: list[str], write_midi: Callable[[Spec], bytes], tag: str) -> tuple[float, int, list[str]]:
    """(share obeyed, attributes checked, failures) of the prompts' explicit attributes in the written MIDI."""
    total = 0
    failures: list[str] = []
    for index, prompt in enumerate(prompts):
        spec = dataclasses.replace(parse(prompt), seed=index)
        midi = write_midi(spec)
        checks = check_explicit(spec, read_midi(midi))
        total += len(checks)
        bad = [c for c in checks if not c.ok]
        if bad:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"obedience_{tag}_{index:03d}.mid").write_bytes(midi)
            failures += [f"{prompt!r}: {c.field} expected {c.expected} found {c.found}" for c in bad]
    assert total > 4 * len(prompts), "the suite states several attributes per prompt"
    return 1 - len(failures) / total, total, failures


def test_written_midi_obeys_explicit_attributes() -> None:
    """The composer's bare path (Markov melodies, no retries): the foundation's check."""
    obeyed, total, failures = obedience(suite(160), lambda spec: piece_to_midi_bytes(compose(spec)), "compose")
    print(f"obeyed {obeyed:.2%} of {total} explicit attributes over 160 prompts")
    assert obeyed >= 0.99, f"obeyed {obeyed:.2%}; failures:\n" + "\n".join(failures)


@pytest.mark.parametrize("engine", ["markov", "model"])
def test_each_engine_obeys_on_the_path_users_get(engine: str) -> None:
    """What the CLI, chat and bot post: compose_original (originality guard, a redraw when the piece is heard in
    another key) with either melody engine; the learned model is the default, so it answers to the same suite."""
    source = load_melody_source(engine)
    index = OriginalityIndex.load()
    obeyed, total, failures = obedience(
        suite(160), lambda spec: piece_to_midi_bytes(compose_original(spec, source, index).piece), engine)
    print(f"{engine}: obeyed {obeyed:.2%} of {total} explicit attributes over 160 prompts")
    assert obeyed >= 0.99, f"{engine} obeyed {obeyed:.2%}; failures:\n" + "\n".join(failures)
