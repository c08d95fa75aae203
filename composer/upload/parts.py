"""The parsed upload (plain data from the worker) as a Piece and the Spec it implies.

Parts are split by track and channel (a format-0 file keeps everything in one track), quantised to the
twelfth of a quarter note (sixteenths and triplets survive), capped at 64 bars and 8 pitched parts, and
given roles: the highest part carries the melody (a chordal top part gives its skyline to the melody and
keeps the rest as accompaniment), the lowest the bass, the others chords. Key and mode come from music21's
Krumhansl analysis, as `composer.learn.analyze` judges Motif's own output.

This half runs outside the sandbox, on data the sandbox has already capped (notes, tracks, length), so
every step here is linear or n log n in those caps and in the program changes (which are not capped:
a 253 KB upload holds 109,000): a hostile upload costs about a second, not the minute it once did.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from composer.lines import infer_chords, line_indices
from composer.piece import Note, Piece, Track
from composer.upload.limits import MidiImportError
from prompts.limits import MAX_BARS, MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.music import DRUM_CHANNEL
from prompts.spec import TIME_SIGNATURES, Instrument, Spec
from prompts.words.instruments import gm_name
from prompts.words.keys import spell

QUANTUM = 1.0 / 12.0
MAX_PARTS = 8
DEFAULT_BPM = 120
KEY_SIGNATURE_MARGIN = 0.15
"""How far below music21's best key correlation the file's own key signature may be and still be believed."""
POLYPHONIC_SHARE = 0.1
"""A top part with more than this share of shared onsets is chordal: its skyline becomes the melody."""


@dataclass
class _Part:
    name: str
    program: int
    notes: list[Note] = field(default_factory=list)

    @property
    def mean_pitch(self) -> float:
        return sum(n.pitch for n in self.notes) / max(1, len(self.notes))


def _quantise(tick: int, tpq: int) -> float:
    return round(tick / tpq / QUANTUM) * QUANTUM


def read_tempo(tempos: list[list[int]], tpq: int, end_tick: int, max_seconds: float,
               warnings: list[str]) -> tuple[int, bool]:
    """(bpm, stated): the first tempo, clamped to what a Spec allows; refuses a zero tempo and a file that
    plays longer than `max_seconds`."""
    ordered = sorted(tempos)
    if any(us <= 0 for _, us in ordered):
        raise MidiImportError("the file sets a tempo of zero (a quarter note of 0 microseconds), which cannot be played")
    bpm = 60_000_000 / ordered[0][1] if ordered else float(DEFAULT_BPM)
    if len({us for _, us in ordered}) > 1:
        warnings.append(f"the file changes tempo; Motif keeps the first tempo ({round(bpm)} bpm)")
    clamped = min(MAX_TEMPO_BPM, max(MIN_TEMPO_BPM, round(bpm)))
    if clamped != round(bpm):
        warnings.append(f"tempo {bpm:.0f} bpm is outside {MIN_TEMPO_BPM}-{MAX_TEMPO_BPM}; using {clamped} bpm")
    seconds = _seconds(ordered, tpq, end_tick)
    if seconds > max_seconds:
        raise MidiImportError(f"the music lasts {seconds:.0f} s; Motif imports at most {max_seconds:.0f} s")
    return clamped, bool(ordered)


def _seconds(tempos: list[list[int]], tpq: int, end_tick: int) -> float:
    """Playing time up to `end_tick` under the tempo map (each tempo clamped as Motif would play it)."""
    fastest, slowest = 60_000_000 // MAX_TEMPO_BPM, 60_000_000 // MIN_TEMPO_BPM
    points = [(0, 60_000_000 // DEFAULT_BPM)] + [(t, us) for t, us in tempos]
    total = 0.0
    for (tick, us), (nxt, _) in zip(points, points[1:] + [(max(end_tick, points[-1][0]), 0)], strict=True):
        span = max(0, min(nxt, end_tick) - tick)
        total += span / tpq * min(slowest, max(fastest, us)) / 1e6
    return total


def read_meter(signatures: list[list[int]], warnings: list[str]) -> tuple[str, bool]:
    """(time signature, stated): the first one, or 4/4 when absent or one Motif does not write."""
    if not signatures:
        return "4/4", False
    _, num, power = sorted(signatures)[0]
    text = f"{num}/{2 ** power}" if power <= 6 else f"{num}/2^{power}"
    if text not in TIME_SIGNATURES:
        warnings.append(f"time signature {text} is not one Motif writes; reading the music in 4/4")
        return "4/4", False
    return text, True


@dataclass
class _Programs:
    """Program changes as (tick, program) lists sorted once, per (track, channel) and per channel across
    tracks, so each part's program is a bisection: a file of 120,000 program changes and 3,800 parts
    took a minute when every part sorted every change again."""

    by_track: dict[tuple[int, int], list[tuple[int, int]]]
    by_channel: dict[int, list[tuple[int, int]]]


def index_programs(raw: dict[str, Any]) -> _Programs:
    """Every track's program changes, grouped and sorted (one pass and one sort per group)."""
    by_track: dict[tuple[int, int], list[tuple[int, int]]] = {}
    by_channel: dict[int, list[tuple[int, int]]] = {}
    for index, track in enumerate(raw["tracks"]):
        for tick, channel, program in track["programs"]:
            by_track.setdefault((index, channel), []).append((tick, program))
            by_channel.setdefault(channel, []).append((tick, program))
    for changes in (*by_track.values(), *by_channel.values()):
        changes.sort()
    return _Programs(by_track, by_channel)


def _program(programs: _Programs, index: int, channel: int, first_tick: int) -> int:
    """The program sounding on a channel when its first note starts: this track's changes, then any track's
    (the last change at or before the note, else the first one after it)."""
    for changes in (programs.by_track.get((index, channel)), programs.by_channel.get(channel)):
        if changes:
            at = bisect_right(changes, (first_tick, 128))
            return changes[at - 1][1] if at else changes[0][1]
    return 0


def collect_parts(raw: dict[str, Any], tpq: int, end_q: float) -> tuple[list[_Part], list[Note]]:
    """(pitched parts by track and channel, drum notes), quantised and cut at `end_q`; one pass per track."""
    programs = index_programs(raw)
    parts: list[_Part] = []
    drums: list[Note] = []
    for index, track in enumerate(raw["tracks"]):
        by_channel: dict[int, list[list[int]]] = {}
        for note in track["notes"]:
            by_channel.setdefault(note[0], []).append(note)
        for channel in sorted(by_channel):
            notes = _part_notes(by_channel[channel], tpq, end_q)
            if channel == DRUM_CHANNEL:
                drums += notes
            elif notes:
                program = _program(programs, index, channel, min(note[2] for note in by_channel[channel]))
                name = track["name"] if track["name"] and len(by_channel) == 1 else ""
                parts.append(_Part(name or gm_name(program), program, notes))
    return parts, sorted(drums, key=lambda n: (n.start, n.pitch))


def _part_notes(raw_notes: list[list[int]], tpq: int, end_q: float) -> list[Note]:
    """One channel's notes, quantised, cut at `end_q`, in time order."""
    notes = []
    for _, pitch, start, end, velocity in raw_notes:
        begin = _quantise(start, tpq)
        if begin >= end_q - 1e-9:
            continue
        stop = min(end_q, max(_quantise(end, tpq), begin + QUANTUM))
        notes.append(Note(pitch, begin, stop - begin, min(127, max(1, velocity))))
    notes.sort(key=lambda n: (n.start, n.pitch))
    return notes


def limit_parts(parts: list[_Part], warnings: list[str]) -> list[_Part]:
    """At most MAX_PARTS parts: the busiest kept, each other merged into the kept part nearest in pitch.

    Mean pitches are kept as running sums and the merged notes sorted once per kept part, so thousands of
    parts (256 tracks x 16 channels) merge in linear time."""
    if len(parts) <= MAX_PARTS:
        return parts
    order = sorted(range(len(parts)), key=lambda i: (-len(parts[i].notes), i))
    kept = sorted(order[:MAX_PARTS])
    sums = {k: [sum(n.pitch for n in parts[k].notes), len(parts[k].notes)] for k in kept}
    for i in order[MAX_PARTS:]:
        mean = parts[i].mean_pitch
        target = min(kept, key=lambda k: (abs(sums[k][0] / max(1, sums[k][1]) - mean), k))
        parts[target].notes += parts[i].notes
        sums[target][0] += sum(n.pitch for n in parts[i].notes)
        sums[target][1] += len(parts[i].notes)
    for k in kept:
        parts[k].notes.sort(key=lambda n: (n.start, n.pitch))
    warnings.append(f"the file has {len(parts)} parts; Motif keeps {MAX_PARTS} and merged the rest into them")
    return [parts[k] for k in kept]


def _unique_names(parts: list[_Part]) -> None:
    seen: dict[str, int] = {}
    for part in parts:
        count = seen.get(part.name, 0) + 1
        seen[part.name] = count
        if count > 1:
            part.name = f"{part.name} {count}"


def _chordal(notes: list[Note]) -> bool:
    onsets = len({round(n.start, 6) for n in notes})
    return len(notes) - onsets > POLYPHONIC_SHARE * len(notes)


def assign_roles(parts: list[_Part]) -> list[Track]:
    """Tracks with roles: highest part melody (its skyline, if chordal), lowest bass, the rest chords."""
    if not parts:
        return []
    by_pitch = sorted(range(len(parts)), key=lambda i: (parts[i].mean_pitch, i))
    roles = ["chords"] * len(parts)
    roles[by_pitch[-1]] = "melody"
    if len(parts) > 1:
        roles[by_pitch[0]] = "bass"
    tracks: list[Track] = []
    for part, role in zip(parts, roles, strict=True):
        track = Track(part.name, part.program, role, part.notes)
        if role == "melody" and _chordal(part.notes) and len(parts) < MAX_PARTS:
            line = line_indices(track)
            rest = [n for i, n in enumerate(part.notes) if i not in line]
            track.notes = [n for i, n in enumerate(part.notes) if i in line]
            tracks.append(track)
            if rest:
                tracks.append(Track(f"{part.name} accompaniment", part.program, "chords", rest))
            continue
        tracks.append(track)
    return tracks


def read_key(tracks: list[Track], signatures: list[list[int]]) -> tuple[str, str] | None:
    """(tonic, "major"|"minor") by Krumhansl analysis of the pitched notes, or None without any.

    The file's key signature wins when music21 rates it nearly as well as its best guess (a passage
    that cadences on the dominant should not rename the key), except the C-major signature sequencers
    write by default.
    """
    notes = [n for t in tracks if not t.is_drum for n in t.notes]
    if not notes:
        return None
    from music21 import note as m21note
    from music21 import stream

    weights = [0.0] * 12  # Krumhansl reads only duration per pitch class: one note per class is the same
    for n in notes:      # distribution as 20,000 notes, at a fraction of music21's cost
        weights[n.pitch % 12] += max(0.25, round(n.duration * 4) / 4)
    part = stream.Stream()
    for pitch_class, weight in enumerate(weights):
        if weight:
            element = m21note.Note(60 + pitch_class)
            element.quarterLength = weight
            part.append(element)
    found = part.analyze("krumhansl")
    best = (found.tonic.pitchClass, found.mode)
    stated = _signature_key(signatures)
    if stated is not None and stated != best:
        for alternative in found.alternateInterpretations:
            close = alternative.correlationCoefficient >= found.correlationCoefficient - KEY_SIGNATURE_MARGIN
            if close and (alternative.tonic.pitchClass, alternative.mode) == stated:
                best = stated
    mode = "minor" if best[1] == "minor" else "major"
    return spell(best[0], mode), mode


def _signature_key(signatures: list[list[int]]) -> tuple[int, str] | None:
    """The (tonic pitch class, mode) a key-signature meta names; None for none or the default C major."""
    if not signatures:
        return None
    _, sharps, minor = sorted(signatures)[0]
    if not -7 <= sharps <= 7 or (sharps == 0 and not minor):
        return None
    major_pc = (7 * sharps) % 12
    return ((major_pc + 9) % 12, "minor") if minor else (major_pc, "major")


def _clean_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    return printable[:100] or "upload.mid"


def build_import(raw: dict[str, Any], filename: str, max_seconds: float) -> tuple[Piece, list[str]]:
    """The Piece and its Spec (inside `Piece.spec`) for a parsed upload, with warnings for what changed."""
    warnings = list(raw.get("warnings", []))
    tpq = int(raw["tpq"])
    ends = [note[3] for t in raw["tracks"] for note in t["notes"]]
    if not ends:
        raise MidiImportError("the file contains no notes")
    bpm, tempo_stated = read_tempo(raw["tempos"], tpq, max(ends), max_seconds, warnings)
    meter, meter_stated = read_meter(raw["time_signatures"], warnings)
    bar_q = Spec(time_signature=meter).bar_quarters
    bars = max(1, math.ceil(_quantise(max(ends), tpq) / bar_q - 1e-6))
    if bars > MAX_BARS:
        warnings.append(f"the file is {bars} bars long; Motif keeps the first {MAX_BARS}")
        bars = MAX_BARS
    parts, drum_notes = collect_parts(raw, tpq, bars * bar_q)
    parts = limit_parts(parts, warnings)
    _unique_names(parts)
    tracks = assign_roles(parts)
    key = read_key(tracks, raw.get("key_signatures", []))
    if key is None:
        warnings.append("no pitched notes to find a key from; using C major")
    tonic, mode = key or ("C", "major")
    if drum_notes:
        tracks.append(Track("Drums", 0, "drums", drum_notes, is_drum=True))
    explicit = ["tonic", "mode", "bars", "instruments", "drums"]
    explicit += ["tempo_bpm"] * tempo_stated + ["time_signature"] * meter_stated
    spec = Spec(
        prompt=f"imported: {_clean_name(filename)}", tonic=tonic, mode=mode, tempo_bpm=bpm, time_signature=meter,
        bars=bars, instruments=tuple(Instrument(t.name, t.program, t.role) for t in tracks if not t.is_drum),
        drums=bool(drum_notes), explicit=tuple(f for f in ("tonic", "mode", "tempo_bpm", "time_signature", "bars",
                                                            "instruments", "drums") if f in explicit),
        notes=tuple(warnings),
    )
    return Piece(spec, tracks, infer_chords(tracks, spec), swing=False, engine="import"), warnings
