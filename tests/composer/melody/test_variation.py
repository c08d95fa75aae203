"""A' by infilling (`composer.melody.variation.vary_ending`): the first A is written onto a half cadence, the
return keeps its first bars and draws a new last bar over a tonic close from the committed model, continuing
from the kept notes; the result is written to MIDI and read back. Where the form varies a return
(`time_closes`): first and second endings of a section played twice in a row, AABA's closed A'."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.harmony.form import close_on_half, section_spans
from composer.learn.analyze import melody_notes
from composer.melody.markov import meter_grid
from composer.melody.source import load_default_melody_source
from composer.melody.variation import (
    answer_in_sequence,
    keep_rhythm,
    scale_step,
    time_closes,
    variation_kinds,
    vary_ending,
)
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


def kinds(form: str, bars: int = 4, names: tuple[str, ...] = ()) -> list[str]:
    sections = tuple(Section(name, bars) for name in (names or tuple(form)))
    spans = section_spans(Spec(bars=bars * len(sections), form=sections))
    return variation_kinds(spans, time_closes(spans))


def test_each_return_is_varied_where_the_form_says() -> None:
    assert kinds("AABA") == ["new", "cadence", "sequence", "replay"], "A' closes anew, the bridge answers itself"
    assert kinds("AABB") == ["new", "cadence", "sequence", "cadence"], "first and second endings of both strains"
    assert kinds("", 8, ("verse", "chorus", "verse", "chorus")) == ["new", "new", "rhythm", "replay"], \
        "the second verse keeps its rhythm, the chorus hook returns as it was"
    assert kinds("AAA", 12) == ["new", "rhythm", "cadence"], "a blues chorus sung again keeps its rhythm"
    assert kinds("ABA", 2) == ["new", "new", "replay"], "a two-bar B has no half to answer"


def test_a_scale_step_stays_in_the_key() -> None:
    c_major = Spec(tonic="C", mode="major")
    assert [scale_step(c_major, p, 1) for p in (60, 64, 71, 61)] == [62, 65, 72, 63]
    assert [scale_step(c_major, p, -1) for p in (60, 65, 62)] == [59, 64, 60]
    d_minor = Spec(tonic="D", mode="minor")
    assert [scale_step(d_minor, p, 1) for p in (62, 64, 69)] == [64, 65, 70]
    e_minor = Spec(tonic="E", mode="minor")  # the raised 6th and 7th (C#, D#) are minor's own notes
    assert [scale_step(e_minor, p, 1) for p in (73, 75)] == [75, 76], "D# up a step is E, never E# (F)"
    assert [scale_step(e_minor, p, -1) for p in (75, 73)] == [73, 72]


def strong_tones(spec: Spec, chords, notes) -> float:
    from composer.melody.source import chord_at
    from composer.theory import chord_pcs

    grid = meter_grid(spec.time_signature)
    strong = [n for n in notes if grid.metric_class(n.start) <= 1]
    return sum(n.pitch % 12 in chord_pcs(c.root_pc, c.quality) for n in strong
               if (c := chord_at(chords, n.start)) is not None) / max(1, len(strong))


def test_the_bridge_answers_itself_a_step_away(source) -> None:
    rng = np.random.default_rng(7)
    line = source.generate(SPEC, TONIC_PLAN, rng)
    answered = answer_in_sequence(source, SPEC, TONIC_PLAN, line, rng)
    half = 4 * SPEC.bar_quarters
    opening = [n for n in answered if n.start < half]
    assert opening == [replace(n, duration=min(n.duration, half - n.start)) for n in line if n.start < half]
    answer = [n for n in answered if half - 1e-6 <= n.start < 7 * SPEC.bar_quarters - 1e-6]
    figure = [n for n in opening if n.start < 3 * SPEC.bar_quarters - 1e-6]
    assert [round(n.start - half, 3) for n in answer] == [round(n.start, 3) for n in figure], "the figure's rhythm"
    grid = meter_grid(SPEC.time_signature)
    moved = [b.pitch - a.pitch for a, b in zip(figure, answer, strict=True) if grid.metric_class(a.start) > 1]
    assert moved and all(1 <= abs(m) <= 2 for m in moved) and len({m > 0 for m in moved}) == 1, moved
    assert strong_tones(SPEC, TONIC_PLAN, answer) >= 0.75, "fitted to the chords under it"
    assert answered[-1].pitch % 12 == 7 and answered[-1].start + answered[-1].duration == pytest.approx(32.0)


def test_a_rhythm_kept_return_takes_new_pitches(source) -> None:
    rng = np.random.default_rng(3)
    line = source.generate(SPEC, TONIC_PLAN, rng)
    again = keep_rhythm(source, SPEC, TONIC_PLAN, line, rng)
    assert [(n.start, n.duration) for n in again] == [(n.start, n.duration) for n in sorted(line, key=lambda n: n.start)]
    assert sum(a.pitch != b.pitch for a, b in zip(again, line, strict=True)) >= len(line) // 4, "not a copy"
    assert again[-1].pitch % 12 == 7, "it still closes on the tonic"
    assert strong_tones(SPEC, TONIC_PLAN, again) >= 0.6


def test_a_second_verse_keeps_the_first_verses_rhythm_in_the_piece() -> None:
    from composer.generate import compose_sections
    from composer.styles import style_for

    spec = Spec(prompt="a pop song in C", tonic="C", mode="major", time_signature="4/4", bars=32, seed=2,
                genre="pop", instruments=(Instrument("Flute", 73, "melody"),))
    spans = section_spans(spec)
    assert [s.section.name for s in spans] == ["verse", "chorus", "verse", "chorus"]
    _, melody, _ = compose_sections(spec, style_for("pop"), np.random.default_rng(2), load_default_melody_source())

    def part(start_bar: int) -> list:
        a, b = start_bar * 4.0, (start_bar + 8) * 4.0
        return [(n.pitch, round(n.start - a, 3), round(n.duration, 3)) for n in melody if a <= n.start < b]

    verse, verse2, chorus, chorus2 = part(0), part(16), part(8), part(24)
    assert [x[1:] for x in verse2] == [x[1:] for x in verse] and verse2 != verse
    assert chorus2 == chorus, "the hook returns as it was"
