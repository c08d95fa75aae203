"""Chord requests in prose, end to end: what a user types is read into the progression they meant, and the
written MIDI plays it (issue 12, "Measured").

`tests/chord_requests.jsonl` holds 64 prompts in the shapes people and the MidiCaps captions use ("over Am
F C G", "chords: Dm7 | G7 | Cmaj7", "The chord progression is C, G, Am, F.", "alternates between C and G",
"revolves around G6 and D6", "I-V-vi-IV in D major", "the Andalusian cadence in E minor", harmonic rhythms),
each with the chords a musician reads in it. Every prompt must read exactly those chords; each is composed
from its prompt alone (`compose_original`, both melody engines), written to MIDI and listened to slot by
slot (`composer.learn.chords_heard`): the named progression must be heard in at least 95% of the slots.
Run with `-s` for the figures; the MIDI of a piece with a miss goes to tests/_artifacts/chord_requests/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.learn.chords_heard import hear_progression
from prompts import Spec, parse
from tests.engines import melody_source

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "_artifacts" / "chord_requests"
HEARD_AT_LEAST = 0.95


def requests() -> list[dict]:
    return [json.loads(line) for line in (HERE / "chord_requests.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_request_reads_the_chords_a_musician_reads() -> None:
    rows = requests()
    assert len(rows) >= 60
    wrong = []
    for row in rows:
        spec = parse(row["prompt"])
        want = (tuple(row["chords"]), row.get("chords_per_bar", 1.0))
        if (spec.chords, spec.chords_per_bar) != want:
            wrong.append(f"{row['prompt']!r}: read {spec.chords} x{spec.chords_per_bar}, meant {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("engine", ["markov", "model"])
def test_the_requested_progression_is_heard_in_the_written_midi(engine: str) -> None:
    source = melody_source(engine)
    matched = total = 0
    misses: list[str] = []
    for number, row in enumerate(requests()):
        spec = Spec.from_dict(parse(row["prompt"]).to_dict() | {"seed": 500 + number})
        midi = piece_to_midi_bytes(compose_original(spec, source).piece)
        hearing = hear_progression(midi, spec)
        assert hearing.bars_heard == spec.bars, row["prompt"]
        matched, total = matched + hearing.matched, total + len(hearing.slots)
        missed = [f"{s.start_q:g}:{s.asked}->{s.heard}" for s in hearing.slots if not s.matched]
        if missed:
            misses.append(f"{row['prompt']!r}: {', '.join(missed)}")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{engine}_{number}.mid").write_bytes(midi)
    print(f"\n{engine}: {matched}/{total} slots heard as asked = {matched / total:.1%}")
    print("\n".join(misses))
    assert matched / total >= HEARD_AT_LEAST, "\n".join(misses)
