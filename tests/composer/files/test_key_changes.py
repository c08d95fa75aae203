"""A key change (`Section.shift`) written into the files: the MIDI carries a key-signature meta event at the
bar the new key starts (read back with music21's raw MIDI reader, tick by tick), and the MusicXML a new
`<key>` in that measure of every pitched part, the notes after it spelled in the new key (read back with
music21's MusicXML parser). Composed from prompts and remix instructions, never built by hand."""

from __future__ import annotations

import numpy as np
import pytest
import symusic
from music21 import converter
from music21 import key as m21key
from music21 import midi as m21midi

from composer.files.midi import piece_to_midi_bytes
from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
from composer.generate import compose
from composer.piece import Piece
from composer.remix import remix
from prompts import ParseConfig, parse
from prompts.edit import apply_edits, parse_edits
from tests.engines import melody_source

RULES_ONLY = ParseConfig(use_encoder=False)
LAST_CHORUS = "with drums: verse, chorus, chorus, with a key change for the last chorus"


def midi_keys(data: bytes) -> list[tuple[int, int, int]]:
    """(tick, sharps, minor) of every key-signature meta event, as music21's raw reader sees the bytes."""
    mf = m21midi.MidiFile()
    mf.readstr(data)
    found = []
    for track in mf.tracks:
        tick = 0
        for event in track.events:
            if isinstance(event, m21midi.DeltaTime):
                tick += event.time
            elif event.type == m21midi.MetaEvents.KEY_SIGNATURE:
                sharps = int.from_bytes(event.data[:1], "big", signed=True)
                found.append((tick, sharps, event.data[1]))
    return sorted(set(found))


def xml_keys(piece: Piece) -> dict[str, list[tuple[int, int]]]:
    """Part name -> (measure number, sharps) of each key signature in the written MusicXML."""
    score = converter.parseData(score_to_musicxml_bytes(piece_to_score(piece)), format="musicxml")
    out = {}
    for part in score.parts:
        keys = [(m.number, k.sharps) for m in part.getElementsByClass("Measure")
                for k in m.getElementsByClass(m21key.KeySignature)]
        if keys:
            out[part.id] = keys
    return out


def xml_names_from(piece: Piece, measure: int) -> set[str]:
    score = converter.parseData(score_to_musicxml_bytes(piece_to_score(piece)), format="musicxml")
    return {p.name for part in score.parts for m in part.getElementsByClass("Measure") if m.number >= measure
            for n in m.recurse().notes if hasattr(n, "pitches") for p in n.pitches}


def marker_chords(data: bytes, from_tick: int) -> list[str]:
    """The chord symbols of the MIDI's chord markers from `from_tick` on (symusic's reader)."""
    return [m.text.split()[1] for m in symusic.Score.from_midi(data).markers
            if m.text.startswith("chord ") and m.time >= from_tick]


@pytest.mark.parametrize(("tonic", "sharps", "moved"),
                         [("C", 0, 2), ("Db", -5, -3), ("A minor", 0, 2), ("D minor", -1, 1)])
def test_the_last_choruses_key_is_written_where_it_starts(tonic: str, sharps: int, moved: int) -> None:
    spec = parse(f"pop song in {tonic} {LAST_CHORUS}", RULES_ONLY)
    assert [s.shift for s in spec.form] == [0, 0, 2]
    piece = compose(spec, melody_source("markov"))
    data = piece_to_midi_bytes(piece)
    tpq = 480
    change = 16 * round(spec.bar_quarters * tpq)
    minor = int(spec.mode == "minor")
    assert midi_keys(data) == [(0, sharps, minor), (change, moved, minor)]
    keys = xml_keys(piece)
    assert keys and all(found == [(1, sharps), (17, moved)] for found in keys.values()), keys
    names = xml_names_from(piece, 17)
    wrong = {"D-", "G-", "A-"} if moved > 0 else {"C#", "F#", "G#"}
    assert names and not names & wrong, f"notes after the change spelled against its key: {names & wrong}"
    accidental = "b" if moved > 0 else "#"
    chords = marker_chords(data, change)
    assert chords and not [c for c in chords if accidental in c], f"chords spelled against the new key: {chords}"


def test_a_piece_in_one_key_has_one_signature() -> None:
    spec = parse("pop song in E with drums: verse, chorus, chorus", RULES_ONLY)
    piece = compose(spec, melody_source("markov"))
    assert midi_keys(piece_to_midi_bytes(piece)) == [(0, 4, 0)]
    assert all(found == [(1, 4)] for found in xml_keys(piece).values())


@pytest.mark.parametrize(("parent_prompt", "instruction", "bar", "keys", "accidental"), [
    ("a folk tune in G major with flute, acoustic guitar and bass, 16 bars, 100 bpm",
     "key change up a tone at bar 9", 8, (1, 3), "b"),
    ("a pop song in C major with piano, bass and drums, verse and chorus, 100 bpm",
     "modulate up a semitone for the last chorus", 8, (0, -5), "#"),
])
def test_a_remix_key_change_writes_the_new_key_where_it_starts(parent_prompt: str, instruction: str, bar: int,
                                                               keys: tuple[int, int], accidental: str) -> None:
    """The new key's signature at its first bar, and the moved chords spelled in it (Db Gb Ab, not C# F# G#)."""
    parent_spec = parse(parent_prompt, RULES_ONLY)
    source = melody_source("markov")
    parent = compose(parent_spec, source)
    child, plan = apply_edits(parent_spec, parse_edits(instruction, parent_spec))
    piece = remix(parent, child, plan, source, np.random.default_rng(child.seed))
    data, change = piece_to_midi_bytes(piece), bar * round(child.bar_quarters * 480)
    assert midi_keys(data) == [(0, keys[0], 0), (change, keys[1], 0)]
    assert all(found == [(1, keys[0]), (bar + 1, keys[1])] for found in xml_keys(piece).values())
    moved = marker_chords(data, change)
    assert moved and not [c for c in moved if accidental in c], f"chords spelled against the new key: {moved}"
