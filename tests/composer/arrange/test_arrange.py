"""Tests for the arranger, the ranges, the drum grooves and the accompaniment patterns."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from composer.arrange import arrange
from composer.arrange.drums import FILLS, GROOVES, DrumError, pattern_drum_track
from composer.harmony.plan import plan_harmony
from composer.harmony.voicing import voice_chord, voicing_pcs
from composer.learn.groove_checks import on_grid
from composer.meter import meter_of
from composer.piece import Chord, Note, Track
from composer.ranges import RangeError, best_octave_shift, instrument_range, role_window
from composer.styles import STYLES, style_for
from composer.theory import chord_pcs, nearest_pitch, scale_pcs
from prompts.spec import TIME_SIGNATURES, Instrument, Spec


class ChordToneMelody:
    """A plain melody source for tests: a triad tone of the current chord on each beat, a scale step
    between beats, ending on the tonic. It stands in for the learned source so arranger tests do not
    depend on trained data."""

    name = "chord_tones"

    def generate(self, spec: Spec, chords: list[Chord], rng: np.random.Generator,
                 allow_chromatic: bool = False, context: list[Note] | None = None,
                 section: str | None = None) -> list[Note]:
        """Only the scale's notes, whatever `allow_chromatic` allows."""
        meter = meter_of(spec)
        scale = scale_pcs(spec.tonic, spec.mode)
        notes: list[Note] = []
        prev = 67
        index = 0
        for bar in range(spec.bars - 1):
            for offset, length in meter.beats():
                t = bar * spec.bar_quarters + offset
                while index + 1 < len(chords) and chords[index + 1].start <= t + 1e-9:
                    index += 1
                pcs = chord_pcs(chords[index].root_pc, chords[index].quality)[:3]
                options = sorted((nearest_pitch(pc, prev) for pc in pcs), key=lambda p: abs(p - prev))
                pitch = min(79, max(60, options[int(rng.integers(min(2, len(options))))]))
                if rng.random() < 0.5:
                    notes.append(Note(pitch, t, length / 2, 80))
                    step = [p for p in range(pitch - 2, pitch + 3) if p % 12 in scale and p != pitch]
                    notes.append(Note(int(rng.choice(step)), t + length / 2, length / 2, 70))
                else:
                    notes.append(Note(pitch, t, length, 80))
                prev = pitch
        tonic = scale[0]
        notes.append(Note(nearest_pitch(tonic, prev), (spec.bars - 1) * spec.bar_quarters, spec.bar_quarters, 80))
        return notes


GRID_INSTRUMENTS = (
    (Instrument("Piano", 0, "melody"),),
    (Instrument("Flute", 73, "melody"), Instrument("Guitar", 25, "chords"), Instrument("Bass", 33, "bass")),
    (Instrument("Violin", 40, "melody"), Instrument("Cello", 42, "counter"), Instrument("Strings", 48, "pad")),
    (Instrument("Trumpet", 56, "chords"), Instrument("Tuba", 58, "bass")),
)


def _arrangement(genre: str, **kw: object) -> tuple[Spec, list[Track]]:
    spec = Spec(genre=genre, **kw)  # type: ignore[arg-type]
    style = style_for(genre)
    rng = np.random.default_rng(spec.seed)
    chords = plan_harmony(spec, style, rng)
    melody = ChordToneMelody().generate(spec, chords, rng)
    return spec, arrange(spec, style, chords, melody, rng)


def test_ranges_cover_every_program_with_real_limits() -> None:
    for program in range(128):
        low, high = instrument_range(program)
        assert 0 <= low and high <= 127 and high - low >= 12
        for role in ("melody", "counter", "chords", "pad", "bass"):
            w_low, w_high = role_window(program, role)
            assert low <= w_low < w_high <= high and w_high - w_low >= 11
    assert instrument_range(40) == (55, 100)
    assert instrument_range(42) == (36, 76)
    assert instrument_range(43) == (28, 67)
    assert instrument_range(73) == (60, 96)
    assert instrument_range(58) == (28, 58)
    assert instrument_range(0) == (21, 108)
    with pytest.raises(RangeError):
        instrument_range(128)


def test_best_octave_shift_keeps_the_contour() -> None:
    assert best_octave_shift([40, 43, 47, 52], 60, 84) == 24
    assert best_octave_shift([], 60, 84) == 0
    assert best_octave_shift([60, 64, 67, 65, 72, 64], 60, 84) == 0  # inside as written: not centred a C5 up
    line = [51, 53, 55, 58, 60, 62, 65, 67, 69]  # a tenor sax tune: up an octave, 77-81 are over its E5
    assert best_octave_shift(line, 60, 75) == 12
    assert best_octave_shift(line, 60, 75, instrument_range(66)) == 0


@pytest.mark.parametrize("genre", sorted(STYLES))
def test_arrangement_obeys_the_request(genre: str) -> None:
    for i, ts in enumerate(TIME_SIGNATURES):
        instruments = GRID_INSTRUMENTS[i % len(GRID_INSTRUMENTS)]
        spec, tracks = _arrangement(genre, tonic="Bb", mode=("major", "minor", "dorian")[i % 3],
                                    time_signature=ts, bars=(1, 4, 8, 9)[i % 4], instruments=instruments,
                                    drums=i % 2 == 0, seed=i)
        total = spec.bars * spec.bar_quarters
        pitched = [t for t in tracks if not t.is_drum]
        assert [(t.name, t.program) for t in pitched] == [(x.name, x.program) for x in instruments]
        assert sum(t.is_drum for t in tracks) == int(spec.drums)
        assert any(t.role == "melody" for t in pitched)
        for track in tracks:
            assert track.notes, (genre, ts, track.name)
            assert all(0 <= n.start and n.end <= total + 1e-9 and n.duration > 0 for n in track.notes)
            assert all(1 <= n.velocity <= 127 for n in track.notes)
            assert max(n.end for n in track.notes) > total - spec.bar_quarters
            if not track.is_drum:
                low, high = instrument_range(track.program)
                assert all(low <= n.pitch <= high for n in track.notes), (genre, ts, track.name)


def test_solo_piano_gets_a_left_hand_and_the_bass_plays_roots() -> None:
    spec, tracks = _arrangement("pop", tonic="G", bars=8, instruments=GRID_INSTRUMENTS[0], seed=2)
    piano = tracks[0]
    assert any(n.pitch < 55 for n in piano.notes) and any(n.pitch >= 60 for n in piano.notes)
    spec, tracks = _arrangement("pop", tonic="G", bars=8, instruments=GRID_INSTRUMENTS[1], seed=2)
    bass = tracks[2]
    downbeats = [n for n in bass.notes if on_grid(n.start) % spec.bar_quarters == 0]
    assert downbeats and downbeats[0].pitch % 12 == 7 and bass.notes[-1].pitch % 12 == 7


def test_no_melody_role_gives_the_melody_to_the_first_instrument() -> None:
    instruments = (Instrument("Organ", 19, "chords"), Instrument("Bass", 32, "bass"))
    _, tracks = _arrangement("gospel", bars=4, instruments=instruments, seed=1)
    assert tracks[0].role == "melody" and tracks[1].role == "bass"


def test_walking_bass_walks_the_beats_from_the_root() -> None:
    """Jazz plays an MMA walking bass: on three beats in four or more (its bar of pickups aside), every chord
    announced by its root, a held root in the last bar."""
    spec, tracks = _arrangement("jazz", tonic="F", bars=8, instruments=GRID_INSTRUMENTS[1], seed=5)
    style = style_for("jazz")
    chords = plan_harmony(spec, style, np.random.default_rng(spec.seed))
    bass = tracks[2].notes
    onsets = {on_grid(n.start) for n in bass}
    beats = {float(q) for q in range(int(spec.bars * spec.bar_quarters) - 3)}
    assert len(onsets & beats) >= 0.75 * len(beats) and 28.0 in onsets
    assert len({n.pitch for n in bass}) >= 8
    starts = {c.start: c for c in chords}
    assert all(n.pitch % 12 == starts[on_grid(n.start)].root_pc for n in bass if on_grid(n.start) in starts)


def test_comping_voices_move_smoothly() -> None:
    spec, tracks = _arrangement("pop", tonic="C", bars=16, instruments=GRID_INSTRUMENTS[1], seed=7)
    guitar = tracks[1].notes
    voicings: dict[float, list[int]] = {}
    for n in guitar:
        voicings.setdefault(n.start, []).append(n.pitch)
    chords = [sorted(v) for _, v in sorted(voicings.items()) if len(v) == 4]
    moves = [sum(abs(a - b) for a, b in zip(x, y, strict=True)) / 4 for x, y in itertools.pairwise(chords)]
    assert moves and sum(moves) / len(moves) < 3.0


def test_voicings_keep_the_triad_and_fit_the_window() -> None:
    chord = Chord(0.0, 4.0, 7, "9", "G9")
    assert set(voicing_pcs(chord, 4)) == {7, 11, 2, 5}
    assert set(voicing_pcs(chord, 5)) == {7, 11, 2, 5, 9}
    notes = voice_chord(chord, 4, 48, 72, None)
    assert all(48 <= p <= 72 for p in notes) and len(notes) == 4


@pytest.mark.parametrize("groove", sorted(GROOVES))
def test_drum_grooves_in_every_meter(groove: str) -> None:
    for ts in TIME_SIGNATURES:
        spec = Spec(time_signature=ts, bars=9, drums=True, seed=1)
        style = replace(style_for(None), groove=groove)
        track = pattern_drum_track(spec, style, np.random.default_rng(0))
        total = spec.bars * spec.bar_quarters
        last = total - spec.bar_quarters
        assert track.is_drum and track.program == 0
        assert all(0 <= n.start < total and n.end <= total + 1e-9 for n in track.notes)
        assert any(n.start == 0.0 and n.pitch in (49, 51, 54) for n in track.notes)
        final = [n for n in track.notes if n.start >= last]
        assert final and all(n.start == last for n in final) and any(n.pitch == 36 for n in final)
        assert len({n.velocity for n in track.notes}) > 3
        if GROOVES[groove].fills:
            bar3, bar4 = ([(round(n.start % spec.bar_quarters, 3), n.pitch) for n in track.notes
                           if b * spec.bar_quarters <= n.start < (b + 1) * spec.bar_quarters] for b in (2, 3))
            voices = set(FILLS[GROOVES[groove].fill][0])
            assert set(bar4) != set(bar3) and voices & {p for _, p in bar4}, (groove, ts)


def test_hand_written_fills_differ_by_style() -> None:
    """No fill figure is shared by more than two of the hand-written grooves (the review found one tom run
    in 16 of 17 drum styles)."""
    kinds = [g.fill for g in GROOVES.values() if g.fills and g.fill != "toms"]
    assert len(set(kinds)) >= 7 and max(kinds.count(k) for k in kinds) <= 2


def test_drum_grooves_put_kick_and_backbeat_where_they_belong() -> None:
    spec = Spec(time_signature="4/4", bars=3, drums=True)
    track = pattern_drum_track(spec, style_for("rock"), np.random.default_rng(0))
    bar2 = [n for n in track.notes if 4.0 <= n.start < 8.0]
    assert {n.start - 4.0 for n in bar2 if n.pitch == 36} == {0.0, 2.0}
    assert {n.start - 4.0 for n in bar2 if n.pitch == 38} == {1.0, 3.0}
    spec = Spec(time_signature="7/8", bars=3, drums=True)
    track = pattern_drum_track(spec, style_for("rock"), np.random.default_rng(0))
    bar2 = [n.start - 3.5 for n in track.notes if 3.5 <= n.start < 7.0 and n.pitch == 36]
    assert sorted(bar2) == [0.0, 2.0]
    with pytest.raises(DrumError):
        pattern_drum_track(spec, replace(style_for("rock"), groove="polka_step"), np.random.default_rng(0))


def _written_drum_bars(prompt: str, seed: int) -> tuple[Spec, list[set[tuple[int, float]]], object]:
    """The drum strokes (GM note, onset in the bar) of each bar of a composed piece read back from its MIDI (crash
    cymbals and the ghost pickup a repeated bar gets aside), with the grooves the piece was given."""
    import symusic

    from composer.arrange.grooves import choose_grooves
    from composer.files.midi import piece_to_midi_bytes
    from composer.generate import compose
    from prompts import ParseConfig, parse
    from tests.engines import melody_source

    spec = replace(parse(prompt, ParseConfig(use_encoder=False)), seed=seed)
    score = symusic.Score.from_midi(piece_to_midi_bytes(compose(spec, melody_source("markov"))))
    tpq = score.ticks_per_quarter
    bars: list[set[tuple[int, float]]] = [set() for _ in range(spec.bars)]
    for track in score.tracks:
        for n in track.notes if track.is_drum else ():
            t = on_grid(n.time / tpq)
            bar = int(t // spec.bar_quarters + 1e-6)
            bars[bar].add((n.pitch, round(t - bar * spec.bar_quarters, 3)))
    return spec, bars, choose_grooves(spec, np.random.default_rng(spec.seed))


def _groove_bar(groove: object, seq_bar: int) -> set[tuple[int, float]]:
    """A groove bar's drum strokes as the library stores them (straight: these pieces do not swing)."""
    return {(pitch, round(position / 48, 3)) for pitch, hits in groove.drums.items()  # type: ignore[attr-defined]
            for bar, position, _ in hits if bar == seq_bar}


def _strokes(bar: set[tuple[int, float]]) -> set[tuple[int, float]]:
    return {(p, t) for p, t in bar if p not in (49, 57) and not (p == 38 and t == 3.5)}


def test_an_intro_and_an_outro_play_the_grooves_intro_and_ending() -> None:
    """A form with an intro and an outro: the drums of the intro's bars are MMA's intro groove, bar by bar, and the
    outro ends on the groove's ending (its last bars before the final held hit)."""
    prompt = "a pop song in C with flute, piano, bass and drums, intro, verse, chorus, outro"
    spec, bars, grooves = _written_drum_bars(prompt, 3)
    assert [s.name for s in spec.form] == ["intro", "verse", "chorus", "outro"]
    assert grooves is not None and grooves.intro is not None and grooves.end is not None
    intro = spec.form[0].bars
    for bar in range(intro):
        assert _strokes(bars[bar]) == _strokes(_groove_bar(grooves.intro, bar % grooves.intro.bars)), bar
    assert _strokes(bars[spec.bars - 2]) == _strokes(_groove_bar(grooves.end, max(0, grooves.end.bars - 2)))


def test_a_piece_without_an_outro_closes_with_the_grooves_ending() -> None:
    """No outro in the form: the bars before the final hit play the last bars of the groove's ending, and the
    final bar holds the closing hit."""
    for prompt in ("an upbeat pop song in C with flute, piano, bass and drums, 16 bars",
                   "an energetic rock song in E with guitar, bass and drums, 16 bars"):
        spec, bars, grooves = _written_drum_bars(prompt, 1)
        assert grooves is not None and grooves.end is not None, prompt
        closing = min(2, grooves.end.bars)
        for k in range(closing):
            bar = spec.bars - 1 - closing + k
            assert _strokes(bars[bar]) == _strokes(_groove_bar(grooves.end, grooves.end.bars - closing + k)), (prompt, bar)
        assert {p for p, t in bars[-1]} >= {36, 49} and all(t == 0.0 for _, t in bars[-1]), prompt


def _written_parts(prompt: str, seed: int) -> tuple[Spec, list[list[tuple[float, int]]]]:
    """(onset, pitch) of each pitched track of a composed piece read back from its MIDI, in the Spec's order."""
    import symusic

    from composer.files.midi import piece_to_midi_bytes
    from composer.generate import compose
    from prompts import ParseConfig, parse
    from tests.engines import melody_source

    spec = replace(parse(prompt, ParseConfig(use_encoder=False)), seed=seed)
    score = symusic.Score.from_midi(piece_to_midi_bytes(compose(spec, melody_source("markov"))))
    tpq = score.ticks_per_quarter
    return spec, [[(n.time / tpq, n.pitch) for n in t.notes] for t in score.tracks if not t.is_drum]


def _chorded_bars(notes: list[tuple[float, int]], bar_quarters: float) -> int:
    """Bars in which three or more notes are struck together."""
    onsets: dict[float, int] = {}
    for t, _ in notes:
        onsets[round(t, 2)] = onsets.get(round(t, 2), 0) + 1
    return len({int(t // bar_quarters) for t, count in onsets.items() if count >= 3})


def test_a_named_bebop_trio_plays_as_named_the_sax_leading() -> None:
    """'sax, bass and drums' is the whole band: no piano is added, the sax plays the tune above the walking bass,
    and nobody strikes chords."""
    spec, parts = _written_parts("fast bebop in F with alto sax, walking bass and drums, 16 bars", 1)
    assert [(i.program, i.role) for i in spec.instruments] == [(65, "melody"), (32, "bass")] and spec.drums
    sax, bass = parts
    assert min(p for _, p in sax) > max(p for _, p in bass) - 12
    assert _chorded_bars(sax, spec.bar_quarters) == 0 and _chorded_bars(bass, spec.bar_quarters) == 0


def test_the_piano_of_a_named_trio_comps_behind_the_named_sax() -> None:
    """'tenor sax and piano trio': the sax leads, the piano comps (chords in most bars), the bass plays the bass."""
    spec, parts = _written_parts("a slow jazz ballad in Eb for tenor sax and piano trio, 16 bars", 2)
    roles = {i.role: index for index, i in enumerate(spec.instruments)}
    assert spec.instruments[roles["melody"]].program == 66 and spec.instruments[roles["chords"]].program == 0
    assert _chorded_bars(parts[roles["chords"]], spec.bar_quarters) >= 0.75 * spec.bars
    assert _chorded_bars(parts[roles["melody"]], spec.bar_quarters) == 0
