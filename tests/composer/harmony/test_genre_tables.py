"""Per-genre progression tables, heard from the written MIDI (issue 13 §2): a blues plays dominant sevenths
on I, IV and V with bar 11 on I7 and never a maj7; a chorale's vii° stands in first inversion (its third is the
lowest note sounding); a freygish klezmer is at home on a MAJOR tonic, whose raised third the accompaniment
plays and never contradicts; samba and bossa nova play ii-V; and every style's plan stays inside its table.

The pieces are composed from prompts with the Markov engine (the harmony plan does not depend on the melody
engine), written to MIDI and read back with symusic: the chord markers the file carries and the notes it
sounds, not the plan in memory. Failing pieces are written to tests/_artifacts/genre_tables/.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest
import symusic

from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.harmony import tables
from composer.harmony.plan import plan_harmony, step_quality
from composer.harmony.progressions import roman
from composer.piece import Piece
from composer.styles import STYLES, style_for
from composer.theory import CHORD_INTERVALS, MODE_INTERVALS, chord_pcs, tonic_pc
from prompts import ParseConfig, parse
from prompts.music import PITCH_CLASSES, TRIAD_OF
from prompts.spec import Spec
from tests.engines import melody_source

RULES_ONLY = ParseConfig(use_encoder=False)
ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts" / "genre_tables"


@dataclasses.dataclass(frozen=True)
class Marked:
    """A chord marker of the written file: when it starts and ends (ticks), its symbol, root and quality."""

    start: int
    end: int
    symbol: str
    root: int
    quality: str


def _written(prompt: str, seed: int) -> tuple[Piece, symusic.Score, bytes]:
    spec = dataclasses.replace(parse(prompt, RULES_ONLY), seed=seed)
    piece = compose_original(spec, melody_source("markov")).piece
    midi = piece_to_midi_bytes(piece)
    return piece, symusic.Score.from_midi(midi), midi


def _keep(name: str, midi: bytes) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.mid"
    path.write_bytes(midi)
    return str(path)


def _markers(score: symusic.Score) -> list[Marked]:
    """The chord markers of the file, each lasting until the next (the last until the end marker)."""
    end = next(m.time for m in score.markers if m.text == "end")
    raw = [m for m in score.markers if m.text.startswith("chord ")]
    out = []
    for i, marker in enumerate(raw):
        fields = dict(f.split("=", 1) for f in marker.text.split()[2:])
        stop = raw[i + 1].time if i + 1 < len(raw) else end
        out.append(Marked(marker.time, stop, marker.text.split()[1], int(fields["root"]), fields["quality"]))
    return out


def _at(marks: list[Marked], tick: int) -> Marked:
    return next(m for m in reversed(marks) if m.start <= tick)


def _parts(piece: Piece, score: symusic.Score, roles: tuple[str, ...]) -> list[symusic.core.TrackTick]:
    """The written tracks of the parts playing `roles` (the file's tracks are the piece's, in order)."""
    pitched = [t for t in piece.tracks if not t.is_drum]
    written = [t for t in score.tracks if not t.is_drum]
    return [w for p, w in zip(pitched, written, strict=True) if p.role in roles]


def _dominant_seventh(quality: str) -> bool:
    intervals = {i % 12 for i in CHORD_INTERVALS[quality]}
    return 4 in intervals and 10 in intervals and 11 not in intervals


BLUES = (("a blues in C with electric guitar, piano, bass and drums, 12 bars", 12),
         ("a blues in A with saxophone, piano, bass and drums, 24 bars", 24),
         ("a blues in F major with trumpet, piano, bass and drums, 12 bars", 12))


@pytest.mark.parametrize(("prompt", "bars"), BLUES)
def test_a_blues_plays_dominant_sevenths_and_bar_11_is_i7(prompt: str, bars: int) -> None:
    for seed in (1, 2, 3):
        piece, score, midi = _written(prompt, seed)
        spec = piece.spec
        assert spec.bars == bars and not spec.chords, "the prompt must leave the chords to the style"
        home, tpq = tonic_pc(spec.tonic), score.ticks_per_quarter
        bar_ticks = round(spec.bar_quarters * tpq)
        marks = _markers(score)
        where = _keep(f"blues_{spec.tonic}_{bars}_{seed}", midi)
        assert all(_dominant_seventh(m.quality) for m in marks), (where, [m.symbol for m in marks])
        assert {(m.root - home) % 12 for m in marks} == {0, 5, 7}, (where, [m.symbol for m in marks])
        for chorus in range(bars // 12):
            eleven = [m for m in marks if m.end > (chorus * 12 + 10) * bar_ticks and m.start < (chorus * 12 + 11) * bar_ticks]
            assert eleven[0].root == home, (where, chorus, [m.symbol for m in eleven])  # bar 11: I7
            assert all(m.root in (home, (home + 7) % 12) for m in eleven), (where, [m.symbol for m in eleven])
        assert _at(marks, bars * bar_ticks - 1).root == home
        comping = _parts(piece, score, ("chords",))
        assert comping, f"{prompt}: no chord part"
        heard_sevenths = 0
        for note in (n for track in comping for n in track.notes):
            # a stroke pushed up to an eighth ahead of the bar line belongs to the chord it anticipates
            under = [_at(marks, note.time), _at(marks, note.time + tpq // 2)]
            intervals = [(note.pitch - mark.root) % 12 for mark in under]
            assert min(intervals) != 11 or max(intervals) != 11, (where, under[0].symbol, note)  # never a maj7
            heard_sevenths += 10 in intervals
        assert heard_sevenths >= bars, (where, heard_sevenths)  # the flat seventh is played, bar after bar


def test_a_chorale_puts_its_leading_tone_triad_in_first_inversion() -> None:
    found = 0
    for seed in range(1, 7):
        piece, score, midi = _written("a four-part chorale in G major, 16 bars", seed)
        where = _keep(f"chorale_{seed}", midi)
        pitched = [t for t in score.tracks if not t.is_drum]
        for mark in _markers(score):
            sounding = [n.pitch for t in pitched for n in t.notes if n.time <= mark.start < n.time + n.duration]
            lowest = min(sounding) % 12
            if TRIAD_OF[mark.quality] == "dim":
                found += 1
                third = chord_pcs(mark.root, mark.quality)[1]
                assert lowest == third, (where, mark.symbol, mark.start / score.ticks_per_quarter, lowest)
            if "/" not in mark.symbol:
                assert lowest == mark.root, (where, mark.symbol, mark.start / score.ticks_per_quarter, lowest)
        final = _markers(score)[-2:]
        dominant, home = (tonic_pc("G") + 7) % 12, tonic_pc("G")
        assert [m.root for m in final] == [dominant, home] and "/" not in final[0].symbol, (where, final)
    assert found >= 2, f"only {found} vii° chords in six chorales: the table's vii°6 is never played"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_freygish_klezmer_is_at_home_on_a_major_tonic(seed: int) -> None:
    piece, score, midi = _written("a klezmer tune in D with clarinet and violin, 16 bars", seed)
    spec = piece.spec
    where = _keep(f"klezmer_{seed}", midi)
    assert spec.mode == "phrygian", "the parser reads klezmer as freygish (phrygian with the raised third)"
    home, raised, natural = tonic_pc(spec.tonic), (tonic_pc(spec.tonic) + 4) % 12, (tonic_pc(spec.tonic) + 3) % 12
    marks = _markers(score)
    homes = [m for m in marks if m.root == home]
    assert homes and all(raised in chord_pcs(m.root, m.quality) for m in homes), (where, [m.symbol for m in homes])
    assert marks[0] in homes and marks[-1] in homes
    roots = {(m.root - home) % 12 for m in marks}
    assert roots & {1, 5, 10}, (where, [m.symbol for m in marks])  # the bII, iv or vii of freygish
    band = [n for t in _parts(piece, score, ("chords", "bass")) for n in t.notes]
    over_home = [n.pitch % 12 for n in band if _at(marks, n.time).root == home]
    assert raised in over_home and natural not in over_home, (where, sorted(set(over_home)))
    for note in (n for t in _parts(piece, score, ("melody",)) for n in t.notes):
        mark = _at(marks, note.time)
        if mark.root == home and note.pitch % 12 == raised:
            assert raised in chord_pcs(mark.root, mark.quality), (where, mark.symbol)


@pytest.mark.parametrize("bars", [16, 32])
def test_freygish_sections_close_inside_the_mode(bars: int) -> None:
    """Every chord of a freygish klezmer, its sections' open closes included, is made of the mode's notes
    (phrygian with the raised third: D Eb F# G A Bb C); the half close was a foreign A7 (C#) before."""
    for seed in (1, 2, 3):
        piece, score, midi = _written(f"a klezmer tune in D with clarinet and violin, {bars} bars", seed)
        home = tonic_pc(piece.spec.tonic)
        freygish = {(home + i + (i == 3)) % 12 for i in MODE_INTERVALS["phrygian"]}
        where = _keep(f"klezmer_closes_{bars}_{seed}", midi)
        marks = _markers(score)
        assert all(set(chord_pcs(m.root, m.quality)) <= freygish for m in marks), (where, [m.symbol for m in marks])
        bar_ticks = round(piece.spec.bar_quarters * score.ticks_per_quarter)
        inner = [_at(marks, (b + 1) * bar_ticks - 1) for b in range(bars - 1) if (b + 1) % 4 == 0]
        assert any(m.root != home for m in inner), (where, [m.symbol for m in inner])  # some section closes open


def test_a_klezmer_the_user_calls_phrygian_keeps_its_minor_tonic() -> None:
    """Freygish is the genre's reading of "klezmer"; a user who says "phrygian" is heard in phrygian."""
    spec = parse("a klezmer tune in D phrygian with clarinet and violin, 16 bars", RULES_ONLY)
    assert spec.mode == "phrygian" and "mode" in spec.explicit
    chords = plan_harmony(spec, style_for("klezmer"), np.random.default_rng(1))
    assert TRIAD_OF[chords[0].quality] == TRIAD_OF[chords[-1].quality] == "min", [c.symbol for c in chords]


def test_minor_klezmer_plays_i_iv_v7() -> None:
    piece, score, midi = _written("a klezmer tune in D minor with clarinet and accordion, 16 bars", 1)
    marks = _markers(score)
    steps = {((m.root - tonic_pc("D")) % 12, TRIAD_OF[m.quality]) for m in marks}
    assert {(0, "min"), (7, "maj")} <= steps and (5, "min") in steps, (_keep("klezmer_minor", midi), steps)


@pytest.mark.parametrize("prompt", ["an energetic samba in D with flute, guitar and percussion, 16 bars",
                                    "bossa nova in Bb at 130 bpm with nylon guitar and drums, 16 bars"])
def test_samba_and_bossa_play_ii_v(prompt: str) -> None:
    for seed in (1, 2, 3):
        piece, score, midi = _written(prompt, seed)
        home = tonic_pc(piece.spec.tonic)
        marks = _markers(score)
        where = _keep(f"{piece.spec.genre}_{seed}", midi)
        pairs = [(a, b) for a, b in itertools.pairwise(marks)
                 if (a.root - home) % 12 == 2 and TRIAD_OF[a.quality] == "min"
                 and (b.root - home) % 12 == 7 and _dominant_seventh(b.quality)]
        assert pairs, (where, [m.symbol for m in marks])
        assert len({m.root for m in marks}) >= 4, (where, [m.symbol for m in marks])  # not D-G / D-A only


def _steps(marks: list[Marked], home: int) -> list[tuple[int, str]]:
    """(root above the tonic, triad) of each chord marker, a held chord once."""
    steps = [((m.root - home) % 12, TRIAD_OF[m.quality]) for m in marks]
    return [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]


def _holds(steps: list[tuple[int, str]], run: tuple[tuple[int, str], ...]) -> bool:
    return any(tuple(steps[i:i + len(run)]) == run for i in range(len(steps)))


SAMBA_COLOURS = {(9, "maj"), (2, "maj"), (1, "dim")}
"""Samba's secondary dominants and passing chord: VI7, II7, #I°7 (roots above the tonic, as triads)."""


def test_salsa_plays_the_montuno_not_sambas_chords() -> None:
    """Salsa has its own tables: I-IV-V-IV or ii-V in major, i-iv-V7 or i-bVII-bVI-V7 in minor; samba's VI7,
    II7 and #I°7 are not salsa's."""
    major, minor = ((0, "maj"), (5, "maj"), (7, "maj"), (5, "maj")), ((0, "min"), (5, "min"), (7, "maj"))
    descent = ((0, "min"), (10, "maj"), (8, "maj"), (7, "maj"))
    for seed in (1, 2, 3):
        for prompt, runs in (("a salsa in G with piano, trumpet and congas, 16 bars", (major, ((2, "min"), (7, "maj")))),
                             ("salsa in C minor with piano, 16 bars", (minor, descent))):
            piece, score, midi = _written(prompt, seed)
            steps = _steps(_markers(score), tonic_pc(piece.spec.tonic))
            where = _keep(f"salsa_{piece.spec.mode}_{seed}", midi)
            assert any(_holds(steps, run) for run in runs), (where, steps)
            assert not SAMBA_COLOURS & set(steps), (where, steps)


def test_samba_keeps_its_own_chords() -> None:
    heard: set[tuple[int, str]] = set()
    for seed in (1, 2, 3):
        piece, score, _ = _written("an energetic samba in D with flute, guitar and percussion, 16 bars", seed)
        heard |= set(_steps(_markers(score), tonic_pc(piece.spec.tonic)))
    assert heard & SAMBA_COLOURS, sorted(heard)


def _bass(mark: Marked) -> int:
    """The bass of a chord marker: its slash note, else its root."""
    _, _, bass = mark.symbol.partition("/")
    return PITCH_CLASSES[bass] if bass else mark.root


INVERTING = ("a baroque piece in D major for harpsichord, 8 bars", "a classical sonata in A minor for piano, 8 bars",
             "a chopin nocturne in Eb major for piano, 16 bars", "gospel in F with piano and organ, 16 bars",
             "a heartfelt pop ballad in C with piano, 16 bars")


@pytest.mark.parametrize("prompt", INVERTING)
def test_genres_that_invert_their_chords_do_and_close_in_root_position(prompt: str) -> None:
    """Baroque, classical, romantic, gospel and the pop ballad put chords in first (and passing second)
    inversion, as their bass lines do; the close (the chord before the final tonic, and the tonic) stays in
    root position, and minor's ii° is never in root position."""
    inverted = 0
    for seed in (1, 2, 3, 4):
        piece, score, midi = _written(prompt, seed)
        marks, where = _markers(score), _keep(f"inversions_{piece.spec.genre}_{seed}", midi)
        inverted += sum(_bass(m) == chord_pcs(m.root, m.quality)[1] for m in marks)
        assert all(_bass(m) == m.root for m in marks[-2:]), (where, [m.symbol for m in marks])
        assert not [m for m in marks if TRIAD_OF[m.quality] == "dim" and _bass(m) == m.root
                    and piece.spec.mode == "minor"], (where, [m.symbol for m in marks])
    assert inverted >= 2, f"{prompt}: {inverted} first-inversion chords in four pieces"


def test_a_pop_ballad_walks_its_bass_down_through_v6() -> None:
    """I-V6-vi: the bass steps down C-B-A under C, G/B, Am (the ballad's own loops, picked by the word)."""
    runs = 0
    for seed in range(1, 7):
        piece, score, _ = _written("a pop ballad in C with piano, 16 bars", seed)
        marks = _markers(score)
        basses = [(_bass(m), m.root) for m in marks]
        runs += any(basses[i:i + 3] == [(0, 0), (11, 7), (9, 9)] for i in range(len(basses)))
    assert runs >= 1, "no I-V6-vi in six pop ballads"


def _heard_steps(style_name: str, mode: str) -> set[tuple[int, str]]:
    """(root above the tonic, triad) of every chord the style's table may play in the mode."""
    style = style_for(style_name)
    rng = np.random.default_rng(0)
    out = set()
    for token in tables.playable(style.harmony, mode, tables.harmony_key(mode, style.flavour, False)):
        step = roman(token)
        root = (MODE_INTERVALS[mode][step.degree] + step.shift) % 12
        out.add((root, TRIAD_OF[step_quality(step, mode, style.vocabulary, rng)]))
    return out


@pytest.mark.parametrize("style_name", sorted(STYLES))
def test_every_styles_plan_is_in_its_table(style_name: str) -> None:
    style = style_for(style_name)
    for mode, seed in itertools.product(("major", "minor", "dorian", "mixolydian", "phrygian"), range(4)):
        spec = Spec(genre=style_name, tonic="E", mode=mode, bars=16, seed=seed)
        allowed = _heard_steps(style_name, mode)
        for chord in plan_harmony(spec, style, np.random.default_rng(seed)):
            step = ((chord.root_pc - tonic_pc("E")) % 12, TRIAD_OF[chord.quality])
            assert step in allowed, (style_name, style.harmony, mode, seed, chord.symbol, sorted(allowed))


def test_figured_bass_tokens_name_their_inversions() -> None:
    assert (roman("viio6").quality, roman("viio6").inversion) == ("dim", 1)
    assert (roman("V65").quality, roman("V65").inversion) == ("7", 1)
    assert (roman("V42").quality, roman("V42").inversion) == ("7", 3)
    assert (roman("IM64").quality, roman("IM64").inversion) == ("maj", 2)
    assert (roman("#Io7").quality, roman("#Io7").shift) == ("dim7", 1)
    assert (roman("iio65").quality, roman("iio65").inversion) == ("dim7", 1)
    with pytest.raises(ValueError, match="bad chord token"):
        roman("V66")
