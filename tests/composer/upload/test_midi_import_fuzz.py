"""Fuzzing MIDI import with mutated real files: it only ever returns a usable piece or raises
MidiImportError, and every call finishes within the parser's timeout."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.files.midi import piece_to_midi_bytes
from composer.upload.importer import MidiImportError, import_midi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = [(FIXTURES / name).read_bytes() for name in (
    "bwv66_6_first4.mid", "guitar_drums_format0.mid", "maple_leaf_m1_8.mid", "maple_leaf_chordified_m5_8.mid")]
TIMEOUT_S = 5.0

_op = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 16)),
    st.tuples(st.just("set"), st.integers(0, 10_000), st.integers(0, 255)),
)


def mutate(data: bytes, ops: list[tuple[str, int, object]]) -> bytes:
    """Apply bit flips, truncations, insertions, deletions and byte overwrites at positions mod length."""
    out = bytearray(data)
    for kind, position, arg in ops:
        if not out:
            break
        at = position % len(out)
        if kind == "flip":
            out[at] ^= 1 << int(arg)  # type: ignore[call-overload]
        elif kind == "truncate":
            del out[at:]
        elif kind == "insert":
            out[at:at] = arg  # type: ignore[assignment]
        elif kind == "delete":
            del out[at:at + int(arg)]  # type: ignore[call-overload]
        else:
            out[at] = int(arg)  # type: ignore[call-overload]
    return bytes(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(range(len(SEEDS))), ops=st.lists(_op, min_size=1, max_size=6))
def test_mutated_midi_only_imports_or_refuses(seed: int, ops: list[tuple[str, int, object]]) -> None:
    data = mutate(SEEDS[seed], ops)
    started = time.perf_counter()
    try:
        result = import_midi(data, timeout_s=TIMEOUT_S)
    except MidiImportError as exc:
        assert str(exc), "a refusal must say why"
    else:
        assert 1 <= result.spec.bars <= 64
        assert piece_to_midi_bytes(result.piece).startswith(b"MThd")
    assert time.perf_counter() - started < TIMEOUT_S + 5
