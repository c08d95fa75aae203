"""The user's chords are what the written MIDI plays (issue 12, "Chords in the request").

A suite of chord requests across styles, meters, keys, harmonic rhythms and lengths is composed through
`compose_original` with both melody engines, written to MIDI, and listened to slot by slot by
`composer.learn.chords_heard` (music21 reads the file; the plan is not consulted). The requested progression
must be heard in at least 95% of the slots of each engine's pieces, and every piece must have its bars.
Run with `-s` to see the figures; failing pieces are written to tests/_artifacts/given_chords/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.generate import compose_original
from composer.harmony.given import dropped_note, plan_given, slot_spans
from composer.harmony.plan import plan_harmony
from composer.learn.chords_heard import best_triad, hear_progression, heard_as
from composer.styles import style_for
from prompts import parse
from tests.engines import melody_source

ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts" / "given_chords"
HEARD_AT_LEAST = 0.95

# (prompt, chords, chords_per_bar)
SUITE: tuple[tuple[str, str, float], ...] = (
    ("pop song in C major, 8 bars", "C G Am F", 1.0),
    ("pop ballad in G major, 8 bars", "G D Em C", 1.0),
    ("upbeat pop in D major, 4 bars", "D A Bm G", 1.0),
    ("pop in A minor, 8 bars", "Am F C G", 1.0),
    ("catchy pop in E major, 8 bars", "E B C#m A", 2.0),
    ("pop song in F major, 16 bars", "F C/E Dm Bb", 1.0),
    ("rock song in E minor, 8 bars", "Em C G D", 1.0),
    ("rock in A major, 8 bars", "A D E D", 1.0),
    ("hard rock in D major, 8 bars", "D5 C5 G5 D5", 1.0),
    ("rock in G major, 6 bars", "G Cadd9 Em7 Dsus4", 1.0),
    ("rock anthem in B minor, 8 bars", "Bm G D A", 2.0),
    ("jazz in C major, 8 bars", "Dm7 G7 Cmaj7 A7", 1.0),
    ("jazz ballad in Bb major, 8 bars", "Cm7 F7 Bbmaj7 Gm7", 1.0),
    ("swing jazz in F major, 8 bars", "Gm7 C7 Fmaj7 D7b9", 2.0),
    ("jazz in Eb major, 8 bars", "Fm7 Bb7 Ebmaj7 Cm7 Fm7 Bb7#5 Ebmaj9 Ebmaj9", 1.0),
    ("minor jazz in C minor, 8 bars", "Dm7b5 G7b9 Cm7 Cm6", 1.0),
    ("jazz in G major, 8 bars", "Am9 D9 Gmaj9 E7#9", 1.0),
    ("cool jazz in D minor, 8 bars", "Em7b5 A7 Dm(maj7) Dm7", 1.0),
    ("jazz waltz in F major, 3/4, 8 bars", "Fmaj7 Dm7 Gm7 C7", 1.0),
    ("blues in A, 12 bars", "A7 D7 A7 A7 D7 D7 A7 A7 E7 D7 A7 E7", 1.0),
    ("slow blues in E, 12 bars", "E7 A7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7", 1.0),
    ("blues in G, 8 bars", "G7 C7 G7 D7", 1.0),
    ("minor blues in C minor, 12 bars", "Cm7 Fm7 Cm7 Cm7 Fm7 Fm7 Cm7 Cm7 Ab7 G7 Cm7 G7", 1.0),
    ("folk tune in C major, 8 bars", "C G Am F", 1.0),
    ("folk song in G major, 8 bars", "G C D G", 1.0),
    ("folk ballad in D major, 8 bars", "D G A D", 0.5),
    ("irish folk in E minor, 8 bars", "Em D C D", 1.0),
    ("folk in F major, 16 bars", "F Bb C F Dm Gm C F", 1.0),
    ("bossa nova in C major, 8 bars", "Cmaj7 Dm7 Em7 A7", 1.0),
    ("bossa nova in F major, 8 bars", "Gm7 C7 Fmaj7 Fmaj7", 1.0),
    ("bossa nova in D minor, 8 bars", "Dm9 Em7b5 A7b9 Dm7", 2.0),
    ("bossa nova in G major, 4 bars", "Am7 D7 Gmaj7 C69", 1.0),
    ("waltz in 3/4 in G major, 8 bars", "G D7 G C", 1.0),
    ("waltz in 3/4 in C major, 16 bars", "C Am Dm G7", 0.5),
    ("waltz in 3/4 in D minor, 8 bars", "Dm A7 Dm Gm", 1.0),
    ("viennese waltz in 3/4 in F major, 8 bars", "F C7 F Bb", 1.0),
    ("jig in 6/8 in D major, 8 bars", "D G D A", 1.0),
    ("irish jig in 6/8 in G major, 8 bars", "G C G D", 2.0),
    ("jig in 6/8 in A minor, 8 bars", "Am G Am E", 1.0),
    ("ballad in Eb major, 8 bars", "Eb Cm Ab Bb", 1.0),
    ("slow ballad in C major, 8 bars", "C Em/B Am C/G F C/E Dm G", 1.0),
    ("piano ballad in A major, 8 bars", "A E/G# F#m D", 1.0),
    ("sad ballad in F# minor, 8 bars", "F#m D A E", 0.5),
    ("lofi hip hop in C major, 8 bars", "Fmaj7 Em7 Dm7 Cmaj7", 1.0),
    ("lofi in A minor, 8 bars", "Am7 Dm7 Gmaj7 Cmaj7", 1.0),
    ("chill lofi in Eb major, 4 bars", "Abmaj7 Gm7 Fm7 Ebmaj7", 2.0),
    ("funk in E minor, 8 bars", "Em7 A7", 1.0),
    ("funk in D minor, 8 bars", "Dm7 G7 Dm7 Bb7", 1.0),
    ("funky groove in G major, 4 bars", "G7 C7 G7 D7#9", 1.0),
    ("reggae in G major, 8 bars", "G C D C", 1.0),
    ("gospel in C major, 8 bars", "C C7/E F Fm C/G G7 C C", 1.0),
    ("ragtime in C major, 8 bars", "C A7 D7 G7", 1.0),
    ("synthwave in A minor, 8 bars", "Am F C G", 2.0),
    ("edm in F minor, 8 bars", "Fm Db Ab Eb", 1.0),
    ("cinematic in D minor, 8 bars", "Dm Bb F C", 0.5),
    ("ambient in C major, 8 bars", "Cmaj7 Fmaj7", 1.0),
    ("house in A minor, 8 bars", "Am7 Fmaj7 G C", 1.0),
    ("flamenco in A minor, 8 bars", "Am G F E", 1.0),
    ("chorale in G major, 8 bars", "G D Em Bm C G Am D", 1.0),
    ("march in Bb major, 8 bars", "Bb F7 Bb Eb", 1.0),
    ("tango in A minor, 8 bars", "Am E7 Am Dm", 1.0),
    ("metal in E minor, 8 bars", "E5 C5 D5 B5", 1.0),
    ("pop in C major, 8 bars", "Csus4 C Fsus2 F", 1.0),
    ("rock in D major, 8 bars", "D Dsus4 G A7sus4", 1.0),
    ("pop in G major, 8 bars", "G Bm/F# Em C", 2.0),
    ("jazz in C major, 8 bars", "C6 A7#9 D11 G13", 1.0),
    ("jazz in F major, 8 bars", "F C+ F6 C7", 1.0),
    ("latin in D minor, 8 bars", "Dm Gm A7 Dm", 1.0),
    ("klezmer in D minor, 8 bars", "Dm A7 Dm Gm", 1.0),
    ("pop in E major, 5 bars", "E B C#m A", 0.5),
    ("chiptune in C major, 8 bars", "C Am Bdim7 G", 1.0),
    ("rock in 7/8 in E minor, 8 bars", "Em D C D", 2.0),
    ("jazz in 5/4 in D minor, 8 bars", "Dm7 Gm7 A7 Dm7", 2.0),
    ("ragtime in 2/4 in G major, 8 bars", "G E7 A7 D7", 1.0),
)


def suite_specs() -> list:
    """The suite's Specs: the prompt as the reader takes it, the chords as the reader will hand them on."""
    specs = []
    for number, (prompt, chords, per_bar) in enumerate(SUITE):
        base = parse(prompt)
        specs.append(dataclasses.replace(base, chords=tuple(chords.split()), chords_per_bar=per_bar,
                                         seed=1000 + number))
    return specs


def measure(engine: str, specs: list) -> tuple[int, int, list[str]]:
    """(slots heard as asked, slots, failure lines) over the suite for one melody engine."""
    source = melody_source(engine)
    matched = total = 0
    failures: list[str] = []
    for spec in specs:
        piece = compose_original(spec, source).piece
        midi = piece_to_midi_bytes(piece)
        hearing = hear_progression(midi, spec)
        matched += hearing.matched
        total += len(hearing.slots)
        bad = [f"{s.start_q:g}:{s.asked}->{s.heard}" for s in hearing.slots if not s.matched]
        if hearing.bars_heard != spec.bars:
            bad.append(f"bars {hearing.bars_heard} != {spec.bars}")
        if bad:
            failures.append(f"{spec.prompt!r} {' '.join(spec.chords)} x{spec.chords_per_bar}: {', '.join(bad)}")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{engine}_{spec.seed}.mid").write_bytes(midi)
    return matched, total, failures


def test_the_suite_is_varied() -> None:
    specs = suite_specs()
    assert len(specs) >= 60
    assert {s.chords_per_bar for s in specs} == {0.5, 1.0, 2.0}
    assert {"3/4", "6/8", "4/4", "7/8", "5/4", "2/4"} <= {s.time_signature for s in specs}
    assert len({s.genre for s in specs}) >= 20
    assert min(s.bars for s in specs) <= 4 and max(s.bars for s in specs) >= 16


@pytest.mark.parametrize("engine", ["markov", "model"])
def test_the_progression_is_heard(engine: str) -> None:
    specs = suite_specs()
    matched, total, failures = measure(engine, specs)
    ratio = matched / total
    print(f"\n{engine}: progression heard in {matched}/{total} slots = {ratio:.1%}")
    for line in failures:
        print("  ", line)
    assert not [f for f in failures if "bars" in f.split(": ", 1)[1]], failures
    assert ratio >= HEARD_AT_LEAST, failures


def test_the_plan_is_the_users_chords_looped() -> None:
    spec = dataclasses.replace(parse("jazz in C major, 8 bars"), chords=("Dm7", "G7", "C"))
    plan = plan_harmony(spec, style_for(spec.genre), np.random.default_rng(0))
    assert [c.symbol for c in plan] == ["Dm7", "G7", "C", "Dm7", "G7", "C", "Dm7", "G7"]
    assert [c.quality for c in plan[:3]] == ["m7", "7", "maj"]  # the style's vocabulary does not re-colour them
    assert [c.start for c in plan] == [k * 4.0 for k in range(8)]


def test_harmonic_rhythm_two_per_bar_and_one_per_two_bars() -> None:
    waltz = dataclasses.replace(parse("waltz in 3/4 in G major, 4 bars"), chords=("G", "D7/F#"), chords_per_bar=2.0)
    plan = plan_given(waltz)
    assert [(c.start, c.duration) for c in plan[:2]] == [(0.0, 2.0), (2.0, 1.0)]
    assert plan[1].bass_pc == 6 and plan[1].quality == "7" and plan[1].symbol == "D7/F#"
    slow = dataclasses.replace(parse("ballad in C major, 5 bars"), chords=("C", "F"), chords_per_bar=0.5)
    assert [(c.symbol, c.start, c.duration) for c in plan_given(slow)] == [
        ("C", 0.0, 8.0), ("F", 8.0, 8.0), ("C", 16.0, 4.0)]
    assert len(slot_spans(slow)) == 3


def test_a_longer_progression_is_cut_with_a_note_only_when_chords_are_lost() -> None:
    base = parse("pop in C major, 4 bars")
    repeated = dataclasses.replace(base, chords=("C", "G", "Am", "F") * 2)
    assert dropped_note(repeated) is None
    longer = dataclasses.replace(base, chords=("C", "G", "Am", "F", "Dm", "E7"))
    assert [c.symbol for c in plan_given(longer)] == ["C", "G", "Am", "F"]
    assert "Dm" not in dropped_note(longer).split("played")[1] and "6 chords" in dropped_note(longer)
    piece = compose_original(longer).piece
    assert dropped_note(longer) in piece.spec.notes


def test_the_key_check_keeps_the_users_chords() -> None:
    """Am F C G asked in C major is heard as A minor by a key finder; the chords stay, composed once."""
    spec = dataclasses.replace(parse("pop in C major, 8 bars"), chords=("Am", "F", "C", "G"), seed=3)
    made = compose_original(spec)
    assert made.attempts == 1
    assert [c.symbol for c in made.piece.chords] == ["Am", "F", "C", "G"] * 2


def test_the_users_chords_survive_the_midi_round_trip() -> None:
    """A remix starts from the stored MIDI: the user's symbols, qualities and slash basses come back as written."""
    spec = dataclasses.replace(parse("jazz in C major, 4 bars"), chords=("C7#9", "Bb7#5", "C/E", "Dm(maj7)"))
    piece = compose_original(spec).piece
    assert midi_bytes_to_piece(piece_to_midi_bytes(piece), spec).chords == piece.chords


@pytest.mark.parametrize("instruction", ["transpose to D", "bossa nova in Eb"])
def test_a_key_change_in_a_remix_moves_the_users_chords(instruction: str) -> None:
    """"in D" keeps the notes and moves them; "bossa nova in Eb" keeps the tune and re-arranges it: either way
    the user's progression goes with the music (and is what the card lists), not left in the old key."""
    from composer.remix import remix
    from prompts.edit.language import read_instruction

    spec = dataclasses.replace(parse("pop in C major, 4 bars"), chords=("C", "G/B", "Am", "F"), seed=4)
    parent = midi_bytes_to_piece(piece_to_midi_bytes(compose_original(spec).piece), spec)
    child_spec, plan = read_instruction(instruction, spec, 64)
    child = remix(parent, child_spec, plan, None, np.random.default_rng(5))
    shift = {"transpose to D": 2, "bossa nova in Eb": 3}[instruction]
    moved = {2: ("D", "A/C#", "Bm", "G"), 3: ("Eb", "Bb/D", "Cm", "Ab")}[shift]
    assert child.spec.chords == moved and [c.symbol for c in child.chords] == list(moved)
    hearing = hear_progression(piece_to_midi_bytes(child), child.spec)
    assert hearing.ratio >= 0.75, hearing.slots


def test_a_continuation_carries_the_progression_on() -> None:
    from composer.remix import remix
    from prompts.edit.language import read_instruction

    spec = dataclasses.replace(parse("folk tune in G major, 4 bars"), chords=("G", "C", "D"), seed=2)
    parent = midi_bytes_to_piece(piece_to_midi_bytes(compose_original(spec).piece), spec)
    child_spec, plan = read_instruction("continue for 4 more bars", spec, 64)
    child = remix(parent, child_spec, plan, None, np.random.default_rng(3))
    assert child.spec.bars == 8 and child.spec.chords == spec.chords
    assert [c.symbol for c in child.chords] == ["G", "C", "D", "G", "C", "D", "G", "C"]


def test_the_hearing_reduces_chords_to_triads() -> None:
    weights = np.zeros(12)
    for pc, w in ((9, 3.0), (0, 2.0), (4, 2.0), (7, 1.0)):  # Am7 with the A in the bass
        weights[pc] = w
    assert best_triad(weights) == (9, "min")
    assert heard_as("Am7", 9, "min") and not heard_as("C6", 9, "min")
    assert heard_as("C/E", 0, "maj") and heard_as("Bb7#5", 6, "aug")  # Bb+ = D+ = F#+
    assert heard_as("Csus2", 7, "sus4") and heard_as("Bdim7", 2, "dim") and heard_as("E5", 4, "min")
