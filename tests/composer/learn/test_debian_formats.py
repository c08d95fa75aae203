"""The Debian sources' format readers on tiny files written here: a WAD with a MIDI and a MUS lump, a MIDI
file with a short opening meter, an LMMS project (compressed, with a looped beat/bassline clip), a MuseScore
score (pickup, tie, triplet, chord symbols; plain and zipped)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from symusic import Note, Score, Tempo, TimeSignature, Track

from composer.learn.debian.lmms import LmmsError, project_xml, read_project
from composer.learn.debian.midi import MidiReadError, read_midi_bytes
from composer.learn.debian.mscx import read_score
from composer.learn.debian.wad import MusError, WadError, mus_to_midi, music_lumps, read_lumps


def midi_bytes(tracks: list[tuple[str, int, bool, list[tuple[int, int, int]]]], meters: list[tuple[int, int, int]],
               tpq: int = 480) -> bytes:
    """A MIDI file: tracks of (name, program, drum, [(pitch, start tick, length ticks)]), meters (tick, n, d)."""
    score = Score(tpq)
    for name, program, drum, notes in tracks:
        track = Track(name, program, drum)
        for pitch, start, length in notes:
            track.notes.append(Note(start, length, pitch, 90))
        score.tracks.append(track)
    for tick, num, den in meters:
        score.time_signatures.append(TimeSignature(tick, num, den))
    score.tempos.append(Tempo(0, 100.0))
    return score.dumps_midi()


def wad_bytes(lumps: list[tuple[str, bytes]]) -> bytes:
    """An IWAD: header, the lumps' data, then the 16-byte directory entries."""
    body, entries, pos = b"", b"", 12
    for name, data in lumps:
        entries += struct.pack("<ii8s", pos, len(data), name.encode())
        body += data
        pos += len(data)
    return b"IWAD" + struct.pack("<ii", len(lumps), pos) + body + entries


def mus_bytes(events: bytes) -> bytes:
    """A MUS lump around a score of raw events (header of 16 bytes, no instrument list)."""
    return b"MUS\x1a" + struct.pack("<HHHHHH", len(events), 16, 1, 0, 0, 0) + events


def test_wad_music_lumps_read_midi_and_convert_mus() -> None:
    midi = midi_bytes([("Lead", 80, False, [(72, 0, 480), (74, 480, 480)])], [(0, 4, 4)])
    # MUS: play note 60 at volume 100 on channel 0, wait 70 ticks (half a second = one quarter), release it.
    mus = mus_bytes(bytes([0x90, 0x80 | 60, 100, 70, 0x00, 60, 0x60]))
    wad = wad_bytes([("MAP01", b"x" * 5), ("D_RUNNIN", midi), ("D_MUS", mus), ("DEMO1", b"")])
    assert [lump.name for lump in read_lumps(wad)] == ["MAP01", "D_RUNNIN", "D_MUS", "DEMO1"]
    music = music_lumps(wad)
    assert [lump.name for lump in music] == ["D_RUNNIN", "D_MUS"]
    assert music[0].data == midi
    song = read_midi_bytes(music[1].data, "D_MUS", "D_MUS")
    assert [(t.notes, t.is_drum) for t in song.tracks] == [([(60, 0.0, 1.0)], False)]
    assert song.tempo_bpm == pytest.approx(120.0)


def test_mus_percussion_goes_to_the_drum_channel() -> None:
    # Channel 15 is MUS percussion: a note there is a drum hit on MIDI channel 10.
    song = read_midi_bytes(mus_to_midi(mus_bytes(bytes([0x9F, 36, 35, 0x0F, 36, 0x60]))), "d", "d")
    assert [(t.is_drum, t.notes) for t in song.tracks] == [(True, [(36, 0.0, 0.5)])]


def test_bad_wads_and_mus_are_refused() -> None:
    with pytest.raises(WadError, match="not a WAD"):
        read_lumps(b"PK\x03\x04 not a wad")
    with pytest.raises(WadError, match="outside"):
        read_lumps(b"IWAD" + struct.pack("<ii", 3, 400))
    with pytest.raises(MusError):
        mus_to_midi(b"MThd" + bytes(20))
    with pytest.raises(MidiReadError):
        read_midi_bytes(b"MThd garbage", "x", "x")


def test_midi_reads_the_longest_meter_stretch() -> None:
    # One bar of 3/4, then 4/4 for four bars: the 4/4 stretch is read, from its start.
    notes = [(60, 0, 480)] + [(62 + i, 1440 + i * 480, 480) for i in range(16)]
    song = read_midi_bytes(midi_bytes([("Piano", 0, False, notes)], [(0, 3, 4), (1440, 4, 4)]), "m", "M")
    assert song.meter == "4/4" and song.meter_end_q is None
    assert song.tracks[0].notes[0] == (62, 0.0, 1.0) and len(song.tracks[0].notes) == 16


def lmms_project() -> bytes:
    """A 4/4 project at 128 bpm: a lead pattern at bar 2 (base note 57), a bass track with base note 45, and a
    beat/bassline track whose one-bar pattern (a kick and a pitched pluck) is looped over two bars."""
    xml = """<?xml version="1.0"?><!DOCTYPE lmms-project><lmms-project version="1.0" type="song">
    <head bpm="128" timesig_numerator="4" timesig_denominator="4"/><song><trackcontainer type="song">
      <track type="0" name="Lead" muted="0"><instrumenttrack basenote="57"><instrument name="tripleoscillator"/>
        </instrumenttrack>
        <pattern pos="192" len="192" type="1" muted="0"><note pos="0" len="48" key="57"/><note pos="48" len="48" key="59"/></pattern>
      </track>
      <track type="0" name="Deep" muted="0"><instrumenttrack basenote="45"><instrument name="lb302"/></instrumenttrack>
        <pattern pos="0" len="192" type="1"><note pos="0" len="96" key="45"/></pattern></track>
      <track type="0" name="Muted" muted="1"><instrumenttrack basenote="57"/><pattern pos="0"><note pos="0" len="48" key="60"/></pattern></track>
      <track type="1" name="Beat"><bbtrack><trackcontainer type="bbtrackcontainer">
          <track type="0" name="Kick"><instrumenttrack basenote="57"><instrument name="audiofileprocessor">
            <audiofileprocessor src="drums/kick01.ogg"/></instrument></instrumenttrack>
            <pattern pos="0" len="192" steps="16" type="0"><note pos="0" len="-192" key="57"/><note pos="96" len="-192" key="57"/></pattern></track>
          <track type="0" name="Pluck"><instrumenttrack basenote="57"><instrument name="sid"/></instrumenttrack>
            <pattern pos="0" len="192" type="0"><note pos="48" len="24" key="64"/></pattern></track>
        </trackcontainer></bbtrack>
        <bbtco pos="0" len="384" muted="0"/></track>
    </trackcontainer></song></lmms-project>"""
    data = xml.encode()
    return struct.pack(">I", len(data)) + zlib.compress(data)


def test_lmms_project_places_patterns_and_loops_beat_clips() -> None:
    data = lmms_project()
    assert project_xml(data).startswith(b"<?xml")
    song = read_project(data, "demo", "Demo")
    assert (song.tempo_bpm, song.meter) == (128.0, "4/4")
    tracks = {t.name: t for t in song.tracks}
    assert set(tracks) == {"Lead [tripleoscillator]", "Deep [lb302]", "Kick [audiofileprocessor]", "Pluck [sid]"}
    assert tracks["Lead [tripleoscillator]"].notes == [(69, 4.0, 1.0), (71, 5.0, 1.0)]
    assert tracks["Deep [lb302]"].notes == [(69, 0.0, 2.0)]  # key 45 on a base note of 45 sounds A4
    assert tracks["Pluck [sid]"].notes == [(76, 1.0, 0.5), (76, 5.0, 0.5)]  # looped into bar 2
    kick = tracks["Kick [audiofileprocessor]"]
    assert kick.is_drum and [o for _, o, _ in kick.notes] == [0.0, 2.0, 4.0, 6.0]
    assert not tracks["Pluck [sid]"].is_drum


def test_lmms_refuses_what_is_not_a_project() -> None:
    with pytest.raises(LmmsError):
        read_project(struct.pack(">I", 5) + b"not zlib", "x", "x")
    with pytest.raises(LmmsError, match="no song"):
        read_project(b"<other/>", "x", "x")


SCORE = """<?xml version="1.0" encoding="UTF-8"?>
<museScore version="3.01"><Score><Division>480</Division>
  <metaTag name="workTitle">Tiny Tune</metaTag>
  <Part><Staff id="1"/><trackName>Flute</trackName><Instrument><longName>Flute</longName>
    <Channel><program value="73"/></Channel></Instrument></Part>
  <Staff id="1">
    <Measure len="1/4"><voice><TimeSig><sigN>3</sigN><sigD>4</sigD></TimeSig><Tempo><tempo>1.5</tempo></Tempo>
      <Chord><durationType>quarter</durationType><Note><pitch>67</pitch></Note></Chord></voice></Measure>
    <Measure><voice><Harmony><root>14</root><name>ma7</name></Harmony>
      <Chord><durationType>half</durationType><Note><Spanner type="Tie"><next/></Spanner><pitch>72</pitch></Note></Chord>
      <location><fractions>-1/4</fractions></location><Harmony><root>19</root><name>mi7b5</name></Harmony>
      <location><fractions>1/4</fractions></location>
      <Chord><durationType>quarter</durationType><Note><Spanner type="Tie"><prev/></Spanner><pitch>72</pitch></Note></Chord>
      </voice></Measure>
    <Measure><voice><Tuplet><normalNotes>2</normalNotes><actualNotes>3</actualNotes></Tuplet>
      <Chord><durationType>eighth</durationType><Note><pitch>74</pitch></Note></Chord>
      <Chord><durationType>eighth</durationType><Note><pitch>76</pitch></Note></Chord>
      <Chord><durationType>eighth</durationType><Note><pitch>77</pitch></Note></Chord><endTuplet/>
      <Chord><acciaccatura/><durationType>eighth</durationType><Note><pitch>80</pitch></Note></Chord>
      <Chord><dots>1</dots><durationType>quarter</durationType><Note><pitch>79</pitch></Note></Chord>
      <Rest><durationType>eighth</durationType></Rest></voice></Measure>
  </Staff></Score></museScore>"""


def test_mscx_reads_pickup_ties_tuplets_and_chord_symbols() -> None:
    plain = read_score(SCORE.encode(), "tiny")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("META-INF/container.xml", "<container/>")
        archive.writestr("tiny.mscx", SCORE)
    assert read_score(zipped.getvalue(), "tiny") == plain
    assert (plain.title, plain.meter, plain.tempo_bpm, plain.pickup_q) == ("Tiny Tune", "3/4", 90.0, 1.0)
    (track,) = plain.tracks
    assert (track.name, track.program) == ("Flute", 73)
    # The pickup is right-aligned in bar 0 (2 quarters of padding); the tied C lasts three quarters.
    third = 1 / 3
    assert track.notes == [(67, 2.0, 1.0), (72, 3.0, 3.0), (74, 6.0, third), (76, 6.0 + third, third),
                           (77, 6.0 + 2 * third, third), (79, 7.0, 1.5)]
    assert [(h.onset_q, h.root_pc, h.quality) for h in plain.harmony] == [(3.0, 0, "ma7"), (4.0, 11, "mi7b5")]
