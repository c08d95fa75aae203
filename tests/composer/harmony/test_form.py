"""A piece in sections, heard from the written files: composed from the prompt with both melody engines, the
MIDI read back with symusic. The bar count is the sum of the sections; a section heard again keeps its hook,
the melody (pitch and onset from the section's start) and harmony (the chord markers) of every bar but its
cadence bar, note for note; a time through that closes as an earlier one did is that time again, whole; one that
closes another way (A', `composer.melody.variation.time_closes`) has a new cadence bar, its harmony moved to the
new close and its melody ending on a tone of the cadence chord; the drums fill (a denser bar) at the end of
every section but the last, which holds its closing hit; sections that lead on close on V; the MusicXML
carries a rehearsal mark at each section's start."""

from __future__ import annotations

from pathlib import Path

import pytest
import symusic

from composer.files.midi import piece_to_midi_bytes
from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
from composer.generate import compose
from composer.harmony.form import section_spans
from composer.melody.variation import time_closes
from composer.theory import chord_pcs, tonic_pc
from prompts import ParseConfig, parse
from tests.engines import melody_source

RULES_ONLY = ParseConfig(use_encoder=False)
ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts"
PROMPTS = (
    ("rock song in AABA form, 32 bars, with drums", 32),
    ("pop song, verse-chorus, 16 bars", 16),
    ("rock song with intro, verse, chorus, outro", 24),
    ("folk tune in AABB with drums, 16 bars", 16),
)


def _heard(midi: bytes) -> tuple[symusic.Score, int]:
    score = symusic.Score.from_midi(midi)
    return score, score.ticks_per_quarter


def _end_quarters(score: symusic.Score, tpq: int) -> float:
    return next(m.time for m in score.markers if m.text == "end") / tpq


def _melody(score: symusic.Score, name: str) -> list[tuple[int, int]]:
    track = next(t for t in score.tracks if t.name == name and not t.is_drum)
    return [(n.time, n.pitch) for n in track.notes]


def _within(items: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    return [(t - start, p) for t, p in items if start <= t < end]


def _chords(score: symusic.Score) -> list[tuple[int, str]]:
    return [(m.time, m.text.split()[1]) for m in score.markers if m.text.startswith("chord ")]


def _chord_tones(score: symusic.Score, at: int) -> list[int]:
    """The pitch classes of the chord marked as sounding at tick `at` (its root and quality markers)."""
    marker = [m for m in score.markers if m.text.startswith("chord ") and m.time <= at][-1]
    fields = dict(f.split("=", 1) for f in marker.text.split()[2:])
    return chord_pcs(int(fields["root"]), fields["quality"])


def _drum_hits(score: symusic.Score, start: int, end: int) -> int:
    """Drum strokes in [start, end): (time, drum) pairs, so a fill is heard whether it adds strokes between
    the beats or plays toms and snare over the groove's own eighths."""
    drums = [t for t in score.tracks if t.is_drum]
    return len({(n.time, n.pitch) for t in drums for n in t.notes if start <= n.time < end})


@pytest.mark.parametrize("engine", ["markov", "model"])
@pytest.mark.parametrize(("prompt", "bars"), PROMPTS)
def test_sections_are_heard_in_the_written_midi(engine: str, prompt: str, bars: int) -> None:
    spec = parse(prompt, RULES_ONLY)
    assert spec.bars == bars == sum(s.bars for s in spec.form)
    piece = compose(spec, melody_source(engine))
    midi = piece_to_midi_bytes(piece)
    score, tpq = _heard(midi)
    bar_ticks = round(spec.bar_quarters * tpq)
    problems: list[str] = []
    if round(_end_quarters(score, tpq) / spec.bar_quarters) != bars:
        problems.append(f"{_end_quarters(score, tpq) / spec.bar_quarters} bars written, {bars} asked")
    lead = next(i.name for i in spec.instruments if i.role == "melody")
    melody, chords = _melody(score, lead), _chords(score)
    first: dict[str, tuple[int, int]] = {}
    closed: dict[tuple[str, str], tuple[int, int]] = {}
    varied = 0
    for span, close in zip(section_spans(spec), time_closes(section_spans(spec)), strict=True):
        start, end = span.start_bar * bar_ticks, span.end_bar * bar_ticks
        name, hook = span.section.name, end - bar_ticks
        if name in first:
            a, b = first[name]
            if _within(melody, a, b - bar_ticks) != _within(melody, start, hook):
                problems.append(f"{name} at bar {span.start_bar + 1}: its hook differs from its first time")
            if _within(chords, a, b - bar_ticks) != _within(chords, start, hook):  # type: ignore[arg-type]
                problems.append(f"{name} at bar {span.start_bar + 1}: harmony differs from its first time")
            same = closed.get((name, close))
            if same is not None and _within(melody, *same) != _within(melody, start, end):
                problems.append(f"{name} at bar {span.start_bar + 1}: closes as before, yet not as it did")
            moved = _within(chords, b - bar_ticks, b) != _within(chords, hook, end)  # type: ignore[arg-type]
            if same is None and not moved and _within(melody, a, b) != _within(melody, start, end):
                problems.append(f"{name} at bar {span.start_bar + 1}: its close changes no chord, yet its tune")
            if same is None and moved:  # A': a new cadence bar over the new close, ending on its chord's tone
                varied += 1
                ending = _within(melody, hook, end)
                if ending == _within(melody, b - bar_ticks, b):
                    problems.append(f"{name} at bar {span.start_bar + 1}: closes {close}, its cadence copied")
                if ending and ending[-1][1] % 12 not in _chord_tones(score, hook + ending[-1][0]):
                    problems.append(f"{name} at bar {span.start_bar + 1}: A' ends on {ending[-1][1]}, no chord tone")
        first.setdefault(name, (start, end))
        closed.setdefault((name, close), (start, end))
        if not _within(melody, start, end):
            problems.append(f"{name} at bar {span.start_bar + 1}: no melody")
        last_chord = [c for t, c in chords if start <= t < end][-1]
        if close == "half" and not last_chord.startswith(_dominant_letter(spec)):
            problems.append(f"{name} closes on {last_chord}, not V")
        if spec.drums and span.end_bar < spec.bars:
            fill = _drum_hits(score, end - bar_ticks, end)
            others = sorted(_drum_hits(score, start + k * bar_ticks, start + (k + 1) * bar_ticks)
                            for k in range(span.section.bars - 1))
            if others and fill <= others[len(others) // 2]:
                problems.append(f"{name} ends without a fill ({fill} strokes, bars around it {others})")
    if spec.form[0].name == spec.form[1].name and not varied:
        problems.append("a section played twice in a row, and no second ending")
    xml = score_to_musicxml_bytes(piece_to_score(piece)).decode("utf-8")
    marks = xml.count("<rehearsal")
    if marks != len(spec.form):
        problems.append(f"{marks} rehearsal marks for {len(spec.form)} sections")
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"form_{engine}_{bars}_{len(spec.form)}.mid").write_bytes(midi)
    assert not problems, "\n".join(problems)


def _dominant_letter(spec) -> str:
    from composer.harmony.form import dominant

    return dominant(spec, 0.0, 1.0, False).symbol


def test_a_piece_without_a_form_that_fits_none_of_its_styles_has_no_sections() -> None:
    """Eight bars are too short for jazz's AABA (test_default_forms holds the forms that do fit)."""
    spec = parse("moody jazz in D minor, 8 bars", RULES_ONLY)
    assert spec.form == () and section_spans(spec) == []


def test_a_loop_keeps_playing_its_last_bar_and_leads_back_on_v() -> None:
    spec = parse("loopable rock beat with drums, 8 bars", RULES_ONLY)
    piece = compose(spec, melody_source("markov"))
    score, tpq = _heard(piece_to_midi_bytes(piece))
    bar_ticks = round(spec.bar_quarters * tpq)
    assert _chords(score)[-1][1].startswith(_dominant_letter(spec))
    assert _drum_hits(score, 7 * bar_ticks, 8 * bar_ticks) > _drum_hits(score, 5 * bar_ticks, 6 * bar_ticks)


@pytest.mark.parametrize("engine", ["markov", "model"])
def test_each_section_plays_its_own_chords(engine: str) -> None:
    """The chords given per section are heard in the written MIDI, slot by slot (the chord-request listener)."""
    from dataclasses import replace

    from composer.generate import compose_original
    from composer.harmony.form import section_spec
    from composer.harmony.given import slot_symbols
    from composer.learn.chords_heard import hear_progression

    heard = asked = 0
    for prompt in ("verse over Am F C G, chorus over C G Am F", "AABA, the A over C Am F G and the B over F G Em Am",
                   "rock with drums: intro over Em, verse over Em C G D, chorus over C D G G, outro over Em"):
        spec = parse(prompt, RULES_ONLY)
        assert all(s.chords for s in spec.form), prompt
        midi = piece_to_midi_bytes(compose_original(spec, melody_source(engine)).piece)
        played = [c for span in section_spans(spec) for c in slot_symbols(section_spec(spec, span.section))]
        hearing = hear_progression(midi, replace(spec, chords=tuple(played), form=()))
        assert hearing.bars_heard == spec.bars
        heard, asked = heard + hearing.matched, asked + len(hearing.slots)
    print(f"\n{engine}: {heard}/{asked} section-chord slots heard = {heard / asked:.1%}")
    assert heard >= 0.9 * asked


@pytest.mark.parametrize("engine", ["markov", "model"])
def test_a_key_change_lifts_the_last_chorus(engine: str) -> None:
    """"A key change for the last chorus": the last chorus is the first one a whole tone up, melody and chords,
    heard in the written MIDI, but for its cadence bar: the first chorus, sung again straight after, opens on V
    and the last closes on the tonic (A'); what comes before it stays in the key."""
    spec = parse("pop song with drums: verse, chorus, chorus, with a key change for the last chorus", RULES_ONLY)
    assert [s.shift for s in spec.form] == [0, 0, 2]
    assert time_closes(section_spans(spec))[1:] == ["half", "tonic"]
    piece = compose(spec, melody_source(engine))
    score, tpq = _heard(piece_to_midi_bytes(piece))
    bar_ticks = round(spec.bar_quarters * tpq)
    lead = next(i.name for i in spec.instruments if i.role == "melody")
    melody = _melody(score, lead)
    first, last = (_within(melody, a * bar_ticks, (a + 7) * bar_ticks) for a in (8, 16))
    assert first and [(t, p + 2) for t, p in first] == last
    roots = {m.time: int(m.text.split("root=")[1].split()[0]) for m in score.markers if m.text.startswith("chord ")}
    before = [(t - 8 * bar_ticks, r) for t, r in roots.items() if 8 * bar_ticks <= t < 15 * bar_ticks]
    after = [(t - 16 * bar_ticks, (r - 2) % 12) for t, r in roots.items() if 16 * bar_ticks <= t < 23 * bar_ticks]
    assert before == after
    closing = [r for t, r in roots.items() if t >= 23 * bar_ticks][-1]
    assert closing == (tonic_pc(spec.tonic) + 2) % 12, "the lifted chorus closes on its new tonic"
    assert score_to_musicxml_bytes(piece_to_score(piece)).count(b"<rehearsal") == 3
