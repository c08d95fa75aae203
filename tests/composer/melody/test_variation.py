"""A' by infilling (`composer.melody.variation.vary_ending`): the first A is written onto a half cadence, the
return keeps its first bars and draws a new last bar over a tonic close from the committed model, continuing
from the kept notes; the result is written to MIDI and read back. Where the form varies a return
(`time_closes`): first and second endings of a section played twice in a row, AABA's closed A'."""

from __future__ import annotations

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.harmony.form import close_on_half, section_spans
from composer.learn.analyze import melody_notes
from composer.melody.source import load_default_melody_source
from composer.melody.variation import time_closes, vary_ending
from composer.piece import Chord, Piece, Track
from prompts.spec import Instrument, Section, Spec

SPEC = Spec(prompt="a folk song in G", tonic="G", mode="major", time_signature="4/4", bars=8, seed=4,
            instruments=(Instrument("Flute", 73, "melody"),))
TONIC_PLAN = [Chord(b * 4.0, 4.0, root, "maj", name) for b, (root, name) in
              enumerate([(7, "G"), (0, "C"), (2, "D"), (7, "G"), (4, "Em"), (0, "C"), (2, "D"), (7, "G")])]
HALF_PLAN = close_on_half(TONIC_PLAN, SPEC, seventh=True)


@pytest.fixture(scope="module", params=["model", "markov"])
def source(request):
    return load_melody_source("model") if request.param == "model" else load_default_melody_source()


def heard(spec: Spec, notes, chords) -> list[tuple[int, float, float]]:
    piece = Piece(spec, [Track("Flute", 73, "melody", notes)], chords)
    return [(n.pitch, round(n.start_q, 3), round(n.end_q - n.start_q, 3))
            for n in melody_notes(piece_to_midi_bytes(piece), spec)]


def test_the_return_keeps_its_opening_and_closes_anew(source) -> None:
    rng = np.random.default_rng(SPEC.seed)
    first = source.generate(SPEC, HALF_PLAN, rng)
    assert first[-1].pitch % 12 in (2, 6, 9, 0) and first[-1].pitch % 12 != 7, "the first A ends on V7 (D7)"
    varied = vary_ending(source, SPEC, TONIC_PLAN, first, rng)
    a, a2 = heard(SPEC, first, HALF_PLAN), heard(SPEC, varied, TONIC_PLAN)
    cut = 7 * SPEC.bar_quarters
    assert [n for n in a2 if n[1] < cut] == [(p, o, min(d, round(cut - o, 3))) for p, o, d in a if o < cut]
    ending = [n for n in a2 if n[1] >= cut]
    assert ending and ending != [n for n in a if n[1] >= cut], "the last bar is drawn anew, not copied"
    assert ending[-1][0] % 12 == 7 and ending[-1][1] + ending[-1][2] == pytest.approx(8 * SPEC.bar_quarters)
    assert all(x[1] + x[2] <= y[1] + 1e-6 for x, y in zip(a2, a2[1:], strict=False)), "one line, no overlaps"


def test_two_bar_endings_and_the_same_draws() -> None:
    source = load_melody_source("model")
    line = source.generate(SPEC, TONIC_PLAN, np.random.default_rng(1))
    once = vary_ending(source, SPEC, TONIC_PLAN, line, np.random.default_rng(2), bars=2)
    again = vary_ending(source, SPEC, TONIC_PLAN, line, np.random.default_rng(2), bars=2)
    assert once == again
    assert [n for n in once if n.start < 24] == [n for n in line if n.start < 24 and n.start + n.duration <= 24]
    assert max(n.start + n.duration for n in once) == pytest.approx(32.0)


def closes(form: str, ending: str = "tonic", bars: int = 4) -> list[str]:
    sections = tuple(Section(name, bars) for name in form)
    return time_closes(section_spans(Spec(bars=bars * len(form), form=sections, ending=ending)))


def test_a_section_played_twice_opens_then_closes() -> None:
    assert closes("AABA") == ["half", "tonic", "half", "tonic"], "AABA: open A, closed A' into the bridge and at the end"
    assert closes("AABB") == ["half", "tonic", "half", "tonic"], "the dance tune's first and second endings"
    assert closes("ABAC") == ["half", "half", "half", "tonic"], "nothing played twice in a row: the form's closes"
    assert closes("AAA") == ["half", "half", "tonic"], "blues choruses turn around until the last"
    assert closes("AABA", ending="loop") == ["half", "tonic", "half", "half"], "a loop leads back on V"
    assert closes("AA", bars=1) == ["tonic", "tonic"], "a one-bar section has no cadence bar to vary"
