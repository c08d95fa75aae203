"""LMMS projects (.mmp plain XML, .mmpz compressed) read into a `Song`, beat/bassline patterns expanded.

The format, as LMMS 1.x writes it: `.mmpz` is Qt's qCompress (a 4-byte big-endian length, then zlib) of the
`.mmp` XML. Times are ticks, 48 per quarter (192 per 4/4 bar). The song's `<track>`s are instrument tracks
(type 0: `<pattern pos>` holding `<note pos len key>`) and beat/bassline tracks (type 1: clips `<bbtco pos
len>` that play the BB pattern of that track's index, looped). All BB tracks share one inner container whose
instrument tracks hold one pattern per BB index, at pos = index * 192; one loop of BB index k lasts as long
as the longest of those patterns. A note's sounding pitch is its key moved by the track's base note (LMMS's
default base note 57 is A4, MIDI 69), so MIDI pitch = key + 12 - (basenote - 57).
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from composer.learn.debian.song import NoteRow, Song, Track, by_onset

TICKS_PER_QUARTER = 48
TICKS_PER_BAR = 192
DEFAULT_BASE_NOTE = 57
STEP_NOTE_TICKS = 12
"""A step note (stored with a negative length) sounds for one sixteenth here."""
DRUM_WORDS: tuple[str, ...] = (
    "kick", "bd ", "bassdrum", "snare", "hat", "clap", "cymbal", "crash", "ride", "tom", "perc", "drum",
    "shaker", "rim", "cowbell", "tamb", "conga", "bongo", "808", "909", "kik", "snr", " hh", "_hh",
)
"""Words in a track's name that mark it as percussion (LMMS has no drum channel)."""
SAMPLE_DRUM_FOLDERS: tuple[str, ...] = ("drums/", "percussion/", "beats/", "drumsynth/")
"""Sample folders of percussion; DrumSynth (.ds) patches are percussion too."""
PROJECT_TAGS: tuple[str, ...] = ("lmms-project", "multimedia-project")
"""The root element of LMMS 1.x projects, and of 0.4 ones."""


class LmmsError(ValueError):
    """Bytes that are not an LMMS project."""


@dataclass
class _Voice:
    """An instrument track while it is read: its identity and notes in ticks."""

    name: str
    is_drum: bool
    base_note: int
    notes: list[tuple[int, int, int]] = field(default_factory=list)


def project_xml(data: bytes) -> bytes:
    """The XML of a project file: as it is for .mmp, uncompressed for .mmpz."""
    if data.lstrip()[:1] == b"<":
        return data
    if len(data) < 5:
        raise LmmsError("too short for a compressed LMMS project")
    (length,) = struct.unpack(">I", data[:4])
    try:
        xml = zlib.decompress(data[4:])
    except zlib.error as exc:
        raise LmmsError(f"not a compressed LMMS project ({exc})") from exc
    if length and len(xml) != length:
        raise LmmsError(f"uncompressed {len(xml)} bytes, header says {length}")
    return xml


def read_project(data: bytes, piece: str, title: str) -> Song:
    """The pitched and drum tracks of an LMMS project, every clip placed and every BB clip expanded."""
    try:
        root = ET.fromstring(project_xml(data))
    except ET.ParseError as exc:
        raise LmmsError(f"{piece}: not LMMS XML ({exc})") from exc
    song = root.find("song/trackcontainer")
    if root.tag not in PROJECT_TAGS or song is None:
        raise LmmsError(f"{piece}: no song in the project")
    head = root.find("head")
    num, den = _meter(head)
    voices: list[_Voice] = []
    bb_tracks = [t for t in song.findall("track") if t.get("type") == "1" and t.get("muted") != "1"]
    all_bb = [t for t in song.findall("track") if t.get("type") == "1"]
    for track in song.findall("track"):
        if track.get("type") == "0" and track.get("muted") != "1":
            voice = _voice(track)
            for pattern in track.findall("pattern"):
                if pattern.get("muted") != "1":
                    voice.notes.extend(_pattern_notes(pattern, int(float(pattern.get("pos", 0)))))
            voices.append(voice)
    container = next((t.find("bbtrack/trackcontainer") for t in all_bb if t.find("bbtrack/trackcontainer")
                      is not None), None)
    if container is not None:
        voices.extend(_expand_bb(container, [(all_bb.index(t), t) for t in bb_tracks]))
    tracks = [Track(v.name, -1, v.is_drum, _rows(v)) for v in voices]
    tracks = [t for t in tracks if t.notes]
    return Song(piece, title, _tempo_bpm(head), f"{num}/{den}", tracks)


def _voice(track: ET.Element) -> _Voice:
    """An instrument track's name (with its instrument's, which says lb302 bass or kicker drum) and role."""
    inst_track = track.find("instrumenttrack")
    instrument = inst_track.find("instrument") if inst_track is not None else None
    kind = instrument.get("name", "") if instrument is not None else ""
    sample = ""
    if instrument is not None and (afp := instrument.find("audiofileprocessor")) is not None:
        sample = afp.get("src", "")
    name = f"{track.get('name', '')} [{kind}]"
    lowered = f" {track.get('name', '').lower()} "
    is_drum = (any(word in lowered for word in DRUM_WORDS) or sample.lower().startswith(SAMPLE_DRUM_FOLDERS)
               or sample.lower().endswith(".ds"))
    base = int(float(inst_track.get("basenote", DEFAULT_BASE_NOTE))) if inst_track is not None else DEFAULT_BASE_NOTE
    return _Voice(name, is_drum, base)


def _pattern_notes(pattern: ET.Element, start: int, limit: int | None = None) -> list[tuple[int, int, int]]:
    """(key, tick, length) of a pattern's notes placed at `start`; notes at or past `limit` dropped."""
    out = []
    for note in pattern.findall("note"):
        pos, length = int(float(note.get("pos", 0))), int(float(note.get("len", 0)))
        if limit is not None and pos >= limit:
            continue
        out.append((int(float(note.get("key", 0))), start + pos, length if length > 0 else STEP_NOTE_TICKS))
    return out


def _expand_bb(container: ET.Element, bb_tracks: list[tuple[int, ET.Element]]) -> list[_Voice]:
    """The BB container's instrument tracks with every BB clip of the song looped out into notes."""
    inner = [t for t in container.findall("track") if t.get("type") == "0" and t.get("muted") != "1"]
    patterns: list[dict[int, ET.Element]] = []
    for track in inner:
        by_index = {int(float(p.get("pos", 0))) // TICKS_PER_BAR: p for p in track.findall("pattern")
                    if p.get("muted") != "1"}
        patterns.append(by_index)
    loop_ticks: dict[int, int] = defaultdict(lambda: TICKS_PER_BAR)
    for by_index in patterns:
        for index, pattern in by_index.items():
            loop_ticks[index] = max(loop_ticks[index], _pattern_ticks(pattern))
    voices = []
    for track, by_index in zip(inner, patterns, strict=True):
        voice = _voice(track)
        for index, bb_track in bb_tracks:
            if index not in by_index:
                continue
            period = loop_ticks[index]
            for clip in bb_track.findall("bbtco"):
                if clip.get("muted") == "1":
                    continue
                pos, length = int(float(clip.get("pos", 0))), int(float(clip.get("len", period)))
                for loop_start in range(pos, pos + length, period):
                    limit = min(period, pos + length - loop_start)
                    voice.notes.extend(_pattern_notes(by_index[index], loop_start, limit))
        voices.append(voice)
    return voices


def _pattern_ticks(pattern: ET.Element) -> int:
    """A pattern's length: its stored length or its notes' end, rounded up to whole bars."""
    stored = int(float(pattern.get("len", 0)))
    ends = [int(float(n.get("pos", 0))) + max(0, int(float(n.get("len", 0)))) for n in pattern.findall("note")]
    ticks = max([stored, TICKS_PER_BAR, *ends])
    return -(-ticks // TICKS_PER_BAR) * TICKS_PER_BAR


def _rows(voice: _Voice) -> list[NoteRow]:
    shift = 12 - (voice.base_note - DEFAULT_BASE_NOTE)
    rows = {(min(127, max(0, key + shift)), tick / TICKS_PER_QUARTER, length / TICKS_PER_QUARTER)
            for key, tick, length in voice.notes}
    return by_onset(rows)


def _meter(head: ET.Element | None) -> tuple[int, int]:
    """The project's time signature; a whole-note denominator (1/1) is written as the same bar in quarters."""
    if head is None:
        return 4, 4
    num, den = int(_head_value(head, "timesig_numerator", 4)), int(_head_value(head, "timesig_denominator", 4))
    return (num * 4 // den, 4) if den < 4 else (num, den)


def _tempo_bpm(head: ET.Element | None) -> float:
    return float(_head_value(head, "bpm", 140)) if head is not None else 140.0


def _head_value(head: ET.Element, name: str, default: float) -> float:
    """A head setting, stored as an attribute or (automated) as a child element's value."""
    if name in head.attrib:
        return float(head.get(name))
    child = head.find(name)
    return float(child.get("value", default)) if child is not None else default
