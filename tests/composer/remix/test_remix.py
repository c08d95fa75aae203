"""Remixing real parents: compose, write MIDI, read it back, apply an instruction, remix, write MIDI and
analyse what was written (music21's reader) against the child Spec and the parent's notes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.generate import compose
from composer.learn.analyze import MidiFacts, check_all, read_midi
from composer.lines import map_pitch, melody_line
from composer.melody.source import load_default_melody_source
from composer.piece import Piece, Track
from composer.remix import remix
from composer.theory import scale_pcs, tonic_pc
from composer.upload.importer import import_midi
from prompts.edit.language import apply_edits, parse_edits
from prompts.edit.types import EditPlan
from prompts.parse import parse
from prompts.spec import Spec

ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts"
PARENT_PROMPT = "a folk tune in G major with flute, acoustic guitar and bass, 8 bars, 100 bpm"


@dataclass
class Result:
    parent: Piece
    spec: Spec
    plan: EditPlan
    piece: Piece
    midi: bytes
    facts: MidiFacts

    @property
    def heard(self) -> Piece:
        """The remix as it reads back from its own MIDI (what the next remix would start from)."""
        return midi_bytes_to_piece(self.midi, self.spec)


def make_parent(prompt: str = PARENT_PROMPT, seed: int = 7) -> Piece:
    spec = replace(parse(prompt), seed=seed)
    return midi_bytes_to_piece(piece_to_midi_bytes(compose(spec, load_default_melody_source())), spec)


@pytest.fixture(scope="module")
def parent() -> Piece:
    return make_parent()


def run(parent: Piece, instruction: str) -> Result:
    child, plan = apply_edits(parent.spec, parse_edits(instruction, parent.spec))
    if plan.new_seed:
        child = replace(child, seed=child.seed + 1)
    piece = remix(parent, child, plan, load_default_melody_source(), np.random.default_rng(child.seed))
    midi = piece_to_midi_bytes(piece)
    return Result(parent, piece.spec, plan, piece, midi, read_midi(midi))


def assert_obeys(result: Result, fields: tuple[str, ...] = ("tempo_bpm", "time_signature", "bars", "instruments",
                                                             "drums")) -> None:
    failed = [c for c in check_all(result.spec, result.facts) if c.field in fields and not c.ok]
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"remix-{result.spec.prompt[-20:].replace(' ', '_')}.mid").write_bytes(result.midi)
    assert not failed, failed


def line(track: Track | None) -> list[tuple[int, float, float]]:
    return [(n.pitch, round(n.start, 4), round(n.duration, 4)) for n in melody_line(track)]


def same_rhythm_offset(a: list[tuple[int, float, float]], b: list[tuple[int, float, float]]) -> set[int]:
    """The pitch offsets between two lines that must share every onset and length."""
    assert [(s, d) for _, s, d in a] == [(s, d) for _, s, d in b]
    return {q - p for (p, _, _), (q, _, _) in zip(a, b, strict=True)}


def pitched(piece: Piece) -> dict[str, list[tuple[int, float, float]]]:
    return {t.name: [(n.pitch, round(n.start, 4), round(n.duration, 4)) for n in t.notes]
            for t in piece.tracks if not t.is_drum}


def test_tempo_keeps_every_note(parent: Piece) -> None:
    result = run(parent, "faster")
    assert result.spec.tempo_bpm > parent.spec.tempo_bpm
    assert_obeys(result)
    assert pitched(result.heard) == pitched(parent)


def test_transposition_moves_notes_and_key(parent: Piece) -> None:
    result = run(parent, "transpose up 2 semitones")
    assert result.plan.transpose_semitones == 2 and result.spec.tonic == "A"
    assert_obeys(result)
    offsets = same_rhythm_offset(line(parent.melody()), line(result.heard.melody()))
    assert {o % 12 for o in offsets} == {2} and len(offsets) == 1
    before, after = read_midi(piece_to_midi_bytes(parent)).key(), result.facts.key()
    assert before is not None and after == ((before[0] + 2) % 12, before[1])


def test_swap_instrument_keeps_the_melody(parent: Piece) -> None:
    result = run(parent, "swap flute for violin")
    assert_obeys(result)
    assert 40 in result.facts.programs and 73 not in result.facts.programs
    heard = result.heard.melody()
    assert heard is not None and heard.program == 40
    assert {o % 12 for o in same_rhythm_offset(line(parent.melody()), line(heard))} == {0}


def test_add_and_remove_instruments(parent: Piece) -> None:
    added = run(parent, "add piano")
    assert_obeys(added)
    kept = pitched(added.heard)
    assert all(kept[name] == notes for name, notes in pitched(parent).items())
    piano = next(t for t in added.heard.tracks if t.program == 0 and not t.is_drum)
    bar_q = parent.spec.bar_quarters
    assert {int(n.start // bar_q) for n in piano.notes} == set(range(parent.spec.bars)), "plays in every bar"
    removed = run(parent, "remove the guitar")
    assert_obeys(removed)
    assert not any(24 <= p <= 31 for p in removed.facts.programs)
    assert all(pitched(parent)[name] == notes for name, notes in pitched(removed.heard).items())


def _tune_share(track: Track, tune: list[tuple[int, float, float]]) -> float:
    """How much of a tune (pitch class and onset) a part plays."""
    notes = {(n.pitch % 12, round(n.start, 4)) for n in track.notes}
    return sum((p % 12, s) in notes for p, s, _ in tune) / len(tune)


@pytest.mark.parametrize(("prompt", "instruction", "lead", "comp"), [
    ("a jazz tune in Bb for piano and bass, 8 bars, 120 bpm", "add a tenor sax", 66, 0),
    ("a jazz tune in Bb for tenor sax and piano, 8 bars, 120 bpm", "let the piano lead", 0, 66),
    ("a pop song in C with piano and choir, 8 bars, 100 bpm", "make it gospel", 52, 0),
])
def test_the_tune_goes_where_the_style_puts_the_lead(prompt: str, instruction: str, lead: int, comp: int) -> None:
    """Roles from the style on a remix (issue 13 section 2): a sax added to a piano and bass leads and the piano
    comps, a lead the user names takes the tune, a choir leads in gospel; the written MIDI plays the parent's tune
    on the new lead, and the part it left plays none of it."""
    parent = make_parent(prompt)
    result = run(parent, instruction)
    assert_obeys(result)
    assert {i.program: i.role for i in result.spec.instruments}[lead] == "melody"
    tune = line(parent.melody())
    tracks = {t.program: t for t in result.heard.tracks if not t.is_drum}
    assert _tune_share(tracks[lead], tune) >= 0.8
    assert _tune_share(tracks[comp], tune) <= 0.3


def test_drums_on_and_off(parent: Piece) -> None:
    on = run(parent, "add drums")
    assert_obeys(on)
    assert on.facts.drum_note_count > 0 and pitched(on.heard) == pitched(parent)
    off = run(midi_bytes_to_piece(on.midi, on.spec), "no drums")
    assert_obeys(off)
    assert off.facts.drum_note_count == 0 and pitched(off.heard) == pitched(parent)


def test_register_moves_only_the_melody(parent: Piece) -> None:
    result = run(parent, "up an octave")
    assert_obeys(result)
    assert same_rhythm_offset(line(parent.melody()), line(result.heard.melody())) == {12}
    others = {k: v for k, v in pitched(parent).items() if k != "Flute"}
    assert {k: v for k, v in pitched(result.heard).items() if k != "Flute"} == others


def test_shorten_truncates(parent: Piece) -> None:
    result = run(parent, "make it 4 bars")
    assert_obeys(result)
    end = 4 * parent.spec.bar_quarters
    expected = [(p, s, round(min(d, end - s), 4)) for p, s, d in line(parent.melody()) if s < end]
    assert line(result.heard.melody()) == expected
    assert all(c.end <= end + 1e-9 for c in result.piece.chords)


def test_style_change_keeps_the_melody(parent: Piece) -> None:
    result = run(parent, "make it a bossa nova")
    assert result.spec.genre == "bossa_nova" and not result.plan.keep_notes
    assert_obeys(result)
    offsets = same_rhythm_offset(line(parent.melody()), line(result.heard.melody()))
    assert {o % 12 for o in offsets} == {0} and len(offsets) == 1
    assert [c.symbol for c in result.piece.chords] != [c.symbol for c in parent.chords]


def test_mode_change_maps_melody_by_degree(parent: Piece) -> None:
    result = run(parent, "in minor")
    assert (result.spec.tonic, result.spec.mode) == ("G", "minor")
    assert_obeys(result, ("tempo_bpm", "time_signature", "bars", "instruments", "drums", "tonic", "mode"))
    old, new = line(parent.melody()), line(result.heard.melody())
    mapped = [map_pitch(p, (7, "major"), (7, "minor")) for p, _, _ in old]
    assert len(same_rhythm_offset([(m, s, d) for m, (_, s, d) in zip(mapped, old, strict=True)], new)) == 1
    minor = set(scale_pcs("G", "minor"))
    assert sum(p % 12 in minor for p, _, _ in new) >= 0.9 * len(new)


@pytest.mark.parametrize("instruction", ["in 3/4", "busier", "another take"])
def test_regenerate_composes_the_child_spec(parent: Piece, instruction: str) -> None:
    result = run(parent, instruction)
    assert result.plan.regenerate
    assert_obeys(result)
    assert result.midi == piece_to_midi_bytes(compose(result.spec, load_default_melody_source()))
    assert line(result.heard.melody()) != line(parent.melody())


def test_continuation_keeps_parent_and_adds_bars(parent: Piece) -> None:
    result = run(parent, "continue for 4 bars")
    assert result.spec.bars == 12 and result.plan.continue_bars == 4
    assert_obeys(result)
    end = parent.total_quarters
    heard = pitched(result.heard)
    for name, notes in pitched(parent).items():
        assert [n for n in heard[name] if n[1] < end] == notes
    new = [n for n in line(result.heard.melody()) if n[1] >= end]
    bar_q = parent.spec.bar_quarters
    assert {int(s // bar_q) for _, s, _ in new} == {8, 9, 10, 11}
    assert new[-1][0] % 12 == tonic_pc("G"), "the continuation ends on the tonic"
    assert abs(new[0][0] - line(parent.melody())[-1][0]) <= 7, "the new bars start near the last note"
    assert result.piece.chords[-1].root_pc == tonic_pc("G")


def test_vary_bars_rewrites_only_those_bars(parent: Piece) -> None:
    result = run(parent, "vary bars 3-4")
    assert result.plan.vary_bars == (3, 4)
    assert_obeys(result)
    bar_q = parent.spec.bar_quarters
    start, end = 2 * bar_q, 4 * bar_q
    old, new = line(parent.melody()), line(result.heard.melody())
    assert [n for n in old if n[1] < start] == [n for n in new if n[1] < start][: len([n for n in old if n[1] < start])]
    assert [n for n in old if n[1] >= end] == [n for n in new if n[1] >= end]
    assert [n for n in old if start <= n[1] < end] != [n for n in new if start <= n[1] < end]
    for name in ("Acoustic Guitar (steel)", "Acoustic Bass"):
        assert pitched(result.heard)[name] == pitched(parent)[name]


@pytest.mark.parametrize("instruction", ["harmonise", "add a counter-melody"])
def test_second_line_under_the_melody(parent: Piece, instruction: str) -> None:
    result = run(parent, instruction)
    assert_obeys(result)
    assert any(i.program == 48 and i.role == "counter" for i in result.spec.instruments)
    assert pitched(result.heard)["Flute"] == pitched(parent)["Flute"]
    voice = next(t for t in result.piece.tracks if t.program == 48)
    tune = melody_line(result.piece.melody())
    below = sum(1 for n in voice.notes if all(m.pitch > n.pitch for m in tune if m.start <= n.start < m.end))
    assert below >= 0.9 * len(voice.notes)
    scale = set(scale_pcs("G", "major"))
    assert sum(n.pitch % 12 in scale for n in voice.notes) >= 0.9 * len(voice.notes)


def test_harmonise_on_requested_instrument(parent: Piece) -> None:
    result = run(parent, "harmonise with strings")
    assert_obeys(result)
    strings = [i for i in result.spec.instruments if i.program == 48]
    assert len(strings) == 1 and len(result.spec.instruments) == 4


def test_combined_edits(parent: Piece) -> None:
    result = run(parent, "faster, in minor and with drums, 12 bars")
    assert_obeys(result, ("tempo_bpm", "time_signature", "bars", "instruments", "drums", "tonic", "mode"))
    assert result.spec.bars == 12 and result.facts.drum_note_count > 0


CHAIN = ["faster", "add drums", "transpose up a fourth", "swap flute for clarinet", "make it jazz",
         "continue for 4 bars", "vary bars 2-3", "in minor", "harmonise", "make it 8 bars"]


def test_chain_of_ten_remixes_is_reproducible() -> None:
    current = make_parent(seed=21)
    for instruction in CHAIN:
        first, second = run(current, instruction), run(current, instruction)
        assert first.midi == second.midi, f"'{instruction}' is not reproducible"
        assert_obeys(first)
        current = first.heard


def test_remix_of_an_imported_file() -> None:
    imported = import_midi((Path(__file__).resolve().parents[2] / "fixtures" / "bwv66_6_first4.mid").read_bytes())
    parent = midi_bytes_to_piece(piece_to_midi_bytes(imported.piece), imported.spec)
    for instruction in ("make it jazz", "add drums and continue for 2 bars", "harmonise"):
        result = run(parent, instruction)
        assert_obeys(result)


def test_remix_original_refuses_a_copy_and_passes_what_the_parent_already_carried(parent: Piece) -> None:
    """The one originality check (composer.originality.screen) guards remixes too: a new melody that copies a
    corpus tune is refused; a kept melody that was already in the corpus (a user's upload) is theirs."""
    from composer.generate import OriginalityError
    from composer.originality import OriginalityIndex, tune_of
    from composer.remix import remix_original
    from prompts.edit.language import read_instruction

    source = load_default_melody_source()
    kept_spec, kept_plan = read_instruction("faster", parent.spec)
    known = OriginalityIndex.from_melodies([("the parent", tune_of(parent))])
    kept = remix_original(parent, kept_spec, kept_plan, source, np.random.default_rng(1), known)
    assert kept.inherited and kept.originality is not None and not kept.originality.passed
    assert "originality" in kept.timings_ms and "remix" in kept.timings_ms
    new_spec, new_plan = read_instruction("another take", parent.spec)
    new_spec = replace(new_spec, seed=new_spec.seed + 1)  # as the studio draws one when the plan asks
    take = remix(parent, new_spec, new_plan, source, np.random.default_rng(2))
    copied = OriginalityIndex.from_melodies([("a corpus tune", tune_of(take))])
    with pytest.raises(OriginalityError, match="a corpus tune"):
        remix_original(parent, new_spec, new_plan, source, np.random.default_rng(2), copied)
    fresh = remix_original(parent, new_spec, new_plan, source, np.random.default_rng(2), None)
    assert fresh.originality is None and piece_to_midi_bytes(fresh.piece) == piece_to_midi_bytes(take)
