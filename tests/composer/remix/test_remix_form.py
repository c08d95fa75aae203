"""Form edits in remixes, checked in the written MIDI: the bar count, every kept bar the parent's note for note
(moved to where it now stands), the repeated chorus equal to the chorus, a key change +2 semitones from its bar,
a loop's last bar on V; new sections (bridge, intro, outro) composed where they stand."""

from __future__ import annotations

import pytest

from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.piece import Piece
from composer.theory import tonic_pc
from tests.composer.remix.test_remix import PARENT_PROMPT, Result, make_parent, run

SONG_PROMPT = "a pop song in C major with piano, bass and drums, verse and chorus, 100 bpm"


@pytest.fixture(scope="module")
def plain() -> Piece:
    return make_parent(PARENT_PROMPT)


@pytest.fixture(scope="module")
def song() -> Piece:
    parent = make_parent(SONG_PROMPT)
    assert [s.name for s in parent.spec.form] == ["verse", "chorus"]
    return parent


def bar_notes(piece: Piece, bar: int, pitched_only: bool = False) -> list[tuple[int, int, float, int]]:
    """(track index, pitch, onset in the bar, velocity) of the notes that start in `bar` (0-based)."""
    bq = piece.spec.bar_quarters
    return sorted((i, n.pitch, round(n.start - bar * bq, 3), n.velocity)
                  for i, t in enumerate(piece.tracks) if not (pitched_only and t.is_drum)
                  for n in t.notes if bar * bq - 1e-6 <= n.start < (bar + 1) * bq - 1e-6)


def heard(result: Result) -> Piece:
    """The remix read back from its MIDI."""
    piece = midi_bytes_to_piece(piece_to_midi_bytes(result.piece), result.spec)
    assert len(piece.tracks) == len(result.parent.tracks)
    return piece


def assert_kept(parent: Piece, child: Piece, layout: dict[int, int], semitones: int = 0) -> None:
    for bar, source in layout.items():
        want = [(i, p + (0 if parent.tracks[i].is_drum else semitones), t, v)
                for i, p, t, v in bar_notes(parent, source)]
        assert bar_notes(child, bar) == want, f"bar {bar + 1} is not the parent's bar {source + 1}"


def assert_bars(piece: Piece, bars: int) -> None:
    assert piece.spec.bars == bars
    bq = piece.spec.bar_quarters
    starts = [n.start for t in piece.tracks for n in t.notes]
    assert max(starts) < bars * bq and max(starts) >= (bars - 1) * bq
    assert all(bar_notes(piece, b) for b in range(bars)), "a bar with no notes"


def test_add_a_bridge_to_a_piece_without_a_form(plain: Piece) -> None:
    result = run(plain, "add a bridge")
    child = heard(result)
    assert [(s.name, s.bars) for s in result.spec.form] == [("A", 8), ("bridge", 8), ("A", 8)]
    assert_bars(child, 24)
    assert_kept(plain, child, {b: b for b in range(8)} | {16 + b: b for b in range(8)})
    assert bar_notes(child, 8) != bar_notes(plain, 0)


@pytest.mark.parametrize("instruction, form, kept", [
    ("add a bridge", ["verse", "bridge", "chorus"], {b: b for b in range(8)} | {16 + b: 8 + b for b in range(8)}),
    ("repeat the chorus", ["verse", "chorus", "chorus"], {b: b for b in range(16)} | {16 + b: 8 + b for b in range(8)}),
])
def test_a_bridge_goes_before_the_last_section_and_a_repeated_chorus_is_the_chorus(
        song: Piece, instruction: str, form: list[str], kept: dict[int, int]) -> None:
    """Child bar -> the parent bar it plays (`kept`); the repeated chorus is the parent's chorus again."""
    result = run(song, instruction)
    child = heard(result)
    assert [s.name for s in result.spec.form] == form
    assert_bars(child, 24)
    assert_kept(song, child, kept)


@pytest.mark.parametrize("where", ["intro", "outro"])
def test_add_an_intro_or_outro(song: Piece, where: str) -> None:
    result = run(song, f"add an {where}")
    child = heard(result)
    assert_bars(child, 20)
    first = 4 if where == "intro" else 0
    assert_kept(song, child, {first + b: b for b in range(16)})
    assert result.spec.form[0 if where == "intro" else -1].name == where


def test_key_change_up_a_tone_at_bar_9(song: Piece) -> None:
    result = run(song, "key change up a tone at bar 9")
    child = heard(result)
    assert_bars(child, 16)
    assert_kept(song, child, {b: b for b in range(8)})
    assert_kept(song, child, {b: b for b in range(8, 16)}, semitones=2)


def test_modulate_for_the_last_chorus(plain: Piece, song: Piece) -> None:
    child = heard(run(song, "modulate up a semitone for the last chorus"))
    assert_kept(song, child, {b: b for b in range(8)})
    assert_kept(song, child, {b: b for b in range(8, 16)}, semitones=1)
    child = heard(run(plain, "key change up a tone at bar 5"))
    assert_kept(plain, child, {b: b for b in range(4)})
    assert_kept(plain, child, {b: b for b in range(4, 8)}, semitones=2)


@pytest.mark.parametrize("instruction", ["make it loop", "make it loopable"])
def test_make_it_loop(song: Piece, instruction: str) -> None:
    result = run(song, instruction)
    child = heard(result)
    assert result.spec.ending == "loop" and result.plan.loop_bar
    assert_bars(child, 16)
    assert_kept(song, child, {b: b for b in range(15)})
    melody = next(i for i, t in enumerate(song.tracks) if t.role == "melody")
    assert [n for n in bar_notes(child, 15) if n[0] == melody] == [n for n in bar_notes(song, 15) if n[0] == melody]
    bq = child.spec.bar_quarters
    bass = next(t for t in child.tracks if t.role == "bass")
    last = [n for n in bass.notes if n.start >= 15 * bq - 1e-6]
    assert last and last[-1].pitch % 12 == (tonic_pc(child.spec.tonic) + 7) % 12, "the loop does not end on V"
    assert result.piece.chords[-1].root_pc == (tonic_pc(child.spec.tonic) + 7) % 12
    drums = next(i for i, t in enumerate(song.tracks) if t.is_drum)
    fill = [n for n in bar_notes(child, 15) if n[0] == drums]
    assert fill and fill != [n for n in bar_notes(song, 15) if n[0] == drums], "no new drum bar leading back"


def test_form_edits_refused_where_they_cannot_apply(plain: Piece) -> None:
    from prompts.edit.language import read_instruction
    from prompts.edit.types import EditError

    for instruction, words in (("repeat the chorus", "no chorus"),
                               ("modulate up a semitone for the last chorus", "no chorus")):
        with pytest.raises(EditError, match=words):
            read_instruction(instruction, plain.spec)


def test_cli_round_trip_add_a_bridge(tmp_path) -> None:
    """`motif compose` then `motif remix ID "add a bridge"`: the stored child is 24 bars, its verse and chorus
    the parent's bars as written to MIDI."""
    from pathlib import Path

    from tests.bot.test_cli_iterate import motif, only_json

    quick = ["--no-audio", "--no-images", "--engine", "markov", "--out", str(tmp_path / "o")]
    root = only_json(motif(["compose", SONG_PROMPT, "--json", "--seed", "1", *quick], tmp_path))[0]
    proc = motif(["remix", root["id"], "add a bridge", "--json", *quick], tmp_path)
    assert proc.returncode == 0, proc.stderr
    child = only_json(proc)[0]
    assert child["parent_id"] == root["id"] and child["spec"]["bars"] == 24
    assert [s["name"] for s in child["spec"]["form"]] == ["verse", "bridge", "chorus"]
    from prompts.spec import Spec

    parent = midi_bytes_to_piece(Path(root["files"]["midi"]).read_bytes(), Spec.from_dict(root["spec"]))
    heard_child = midi_bytes_to_piece(Path(child["files"]["midi"]).read_bytes(), Spec.from_dict(child["spec"]))
    assert_kept(parent, heard_child, {b: b for b in range(8)} | {16 + b: 8 + b for b in range(8)})
