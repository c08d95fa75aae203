"""Piece <-> Standard MIDI File bytes, with symusic.

MIDI is the artifact every other rendering starts from (audio is synthesised from it, remixes start from
the stored bytes), so it carries everything needed to read the piece back: tempo, meter, key signature (a new
one at each key change, `composer.harmony.form.section_keys`), track names, General MIDI programs, drums on
the GM percussion channel, the harmony plan as marker events (``chord <symbol> root=<pc> quality=<q> bass=<pc>``), a ``swing`` marker when the notes were
swung on writing, and an ``end`` marker exactly at the last bar line so players (and fluidsynth) keep
the full bar count even when the last bar ends in silence.
"""

from __future__ import annotations

import math
import re

import symusic

from composer.harmony.form import section_keys
from composer.piece import Chord, Note, Piece, Track
from prompts.spec import MAX_PARTS, Spec

MAX_MIDI_BYTES = 4 * 1024 * 1024
"""Untrusted MIDI larger than this is refused before parsing."""

MAX_NOTES = 200_000
"""A MIDI file with more notes than this is refused (it is not something a person plays back here)."""

SWING_RATIO = 2.0 / 3.0
"""Where a swung off-beat eighth lands within its beat (triplet feel)."""

END_MARKER = "end"
SWING_MARKER = "swing"
_CHORD_RE = re.compile(r"^chord (?P<symbol>\S+) root=(?P<root>\d+) quality=(?P<quality>\S+) bass=(?P<bass>-|\d+)$")
_LETTER_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
_EPS = 1e-6


class MidiError(ValueError):
    """The MIDI bytes cannot be read as a piece (malformed, too large, or empty)."""


def key_signature_sharps(tonic: str, minor: bool) -> int:
    """Sharps (positive) or flats (negative) of `tonic` major/minor, as a MIDI key-signature meta needs.

    Computed on the circle of fifths from the spelled tonic, so "Gb" gives 6 flats and "F#" 6 sharps;
    keys beyond 7 accidentals (e.g. "Db" minor) fall back to their enharmonic twin ("C#" minor).
    """
    fifths = _LETTER_FIFTHS[tonic[0]] + 7 * tonic.count("#") - 7 * tonic.count("b")
    if minor:
        fifths -= 3
    while fifths > 7:
        fifths -= 12
    while fifths < -7:
        fifths += 12
    return fifths


def swing_time(t: float, bar_quarters: float) -> float:
    """Move an off-beat eighth (half a beat after a beat, counted from its bar line) to 2/3 of the beat.

    Every other time, bar lines included, is left alone, so a swung note never crosses a bar line.
    """
    bar_start = math.floor(t / bar_quarters + _EPS) * bar_quarters
    in_bar = t - bar_start
    beat = math.floor(in_bar + _EPS)
    if abs(in_bar - beat - 0.5) < _EPS and abs(t - (bar_start + bar_quarters)) > _EPS:
        return bar_start + beat + SWING_RATIO
    return t


def unswing_time(t: float, bar_quarters: float) -> float:
    """Inverse of `swing_time`: a note at 2/3 of a beat goes back to the straight off-beat eighth."""
    bar_start = math.floor(t / bar_quarters + _EPS) * bar_quarters
    in_bar = t - bar_start
    beat = math.floor(in_bar + _EPS)
    if abs(in_bar - beat - SWING_RATIO) < 1.0 / 96:
        return bar_start + beat + 0.5
    return t


def _note_span(note: Note, piece: Piece) -> tuple[float, float] | None:
    """(start, end) in quarters after clipping to the piece and swinging; None if nothing is left."""
    total = piece.total_quarters
    start, end = max(0.0, note.start), min(note.end, total)
    if end - start <= _EPS:
        return None
    if piece.swing:
        new_start, new_end = swing_time(start, piece.bar_quarters), swing_time(end, piece.bar_quarters)
        if new_end - new_start <= _EPS:  # a sixteenth that the swung note swallowed: keep it audible
            new_end = min(new_start + (end - start), math.floor(new_start + 1 + _EPS), total)
        start, end = new_start, new_end
    return start, end


def _to_ticks(q: float, tpq: int) -> int:
    return int(round(q * tpq))


def _symusic_track(track: Track, piece: Piece, tpq: int) -> symusic.core.TrackTick:
    out = symusic.Track(track.name, 0 if track.is_drum else track.program, track.is_drum)
    for note in track.notes:
        span = _note_span(note, piece)
        if span is None:
            continue
        start, end = (_to_ticks(x, tpq) for x in span)
        if end <= start:
            end = start + 1
        pitch = min(127, max(0, int(note.pitch)))
        velocity = min(127, max(1, int(note.velocity)))
        out.notes.append(symusic.Note(start, end - start, pitch, velocity))
    out.notes.sort(key=lambda n: (n.time, n.pitch))
    return out


def _chord_marker(chord: Chord) -> str:
    bass = "-" if chord.bass_pc is None else str(chord.bass_pc)
    return f"chord {chord.symbol.replace(' ', '')} root={chord.root_pc} quality={chord.quality} bass={bass}"


def piece_to_midi_bytes(piece: Piece, ticks_per_quarter: int = 480) -> bytes:
    """Write `piece` as a type-1 Standard MIDI File and return its bytes.

    Pitched tracks get their own channels (symusic skips channel 9), drum tracks play on channel 9 (GM
    channel 10). Swing is applied here, at performance time, so the Piece and the score stay straight.
    """
    spec = piece.spec
    pitched = sum(1 for t in piece.tracks if not t.is_drum)
    if pitched > MAX_PARTS:
        raise MidiError(f"a MIDI file holds at most {MAX_PARTS} pitched tracks (one per channel); got {pitched}")
    score = symusic.Score(ticks_per_quarter)
    num, den = spec.meter
    score.tempos.append(symusic.Tempo(0, qpm=float(spec.tempo_bpm)))
    score.time_signatures.append(symusic.TimeSignature(0, num, den))
    minor = spec.is_minor_family
    for bar, tonic in section_keys(spec):  # the key, and a new signature where a section changes key
        tick = _to_ticks(bar * piece.bar_quarters, ticks_per_quarter)
        score.key_signatures.append(symusic.KeySignature(tick, key_signature_sharps(tonic, minor), int(minor)))
    if piece.swing:
        score.markers.append(symusic.TextMeta(0, SWING_MARKER))
    for chord in piece.chords:
        if 0 <= chord.start < piece.total_quarters:
            score.markers.append(symusic.TextMeta(_to_ticks(chord.start, ticks_per_quarter), _chord_marker(chord)))
    score.markers.append(symusic.TextMeta(_to_ticks(piece.total_quarters, ticks_per_quarter), END_MARKER))
    for track in piece.tracks:
        score.tracks.append(_symusic_track(track, piece, ticks_per_quarter))
    return bytes(score.dumps_midi())


def _parse_score(data: bytes) -> symusic.core.ScoreTick:
    if len(data) > MAX_MIDI_BYTES:
        raise MidiError(f"MIDI file is {len(data)} bytes; the limit is {MAX_MIDI_BYTES}")
    if not data.startswith(b"MThd"):
        raise MidiError("not a Standard MIDI File (it does not start with 'MThd')")
    try:
        score = symusic.Score.from_midi(data)
    except (RuntimeError, ValueError) as exc:
        raise MidiError(f"malformed MIDI file: {exc}") from exc
    if score.ticks_per_quarter <= 0:
        raise MidiError("MIDI file uses SMPTE time division, which is not supported")
    notes = score.note_num()
    if notes == 0:
        raise MidiError("MIDI file contains no notes")
    if notes > MAX_NOTES:
        raise MidiError(f"MIDI file has {notes} notes; the limit is {MAX_NOTES}")
    return score


def _median_pitch(track: Track) -> float:
    pitches = sorted(n.pitch for n in track.notes)
    return float(pitches[len(pitches) // 2]) if pitches else 60.0


def _is_monophonic(track: Track) -> bool:
    return len({n.start for n in track.notes}) >= 0.9 * max(1, len(track.notes))


def _assign_roles(tracks: list[Track], spec: Spec) -> None:
    """Give read-back tracks roles: the Spec's instrument with the same name or program, else by texture.

    The lowest part of several is the bass, the highest single line the melody, other lines counter
    melodies and chordal parts chords.
    """
    pending = []
    for track in tracks:
        match = next((i for i in spec.instruments if i.name == track.name), None) or next(
            (i for i in spec.instruments if i.program == track.program and not track.is_drum), None)
        if track.is_drum:
            track.role = "chords"
        elif match is not None:
            track.role = match.role
        else:
            pending.append(track)
    by_pitch = sorted(pending, key=_median_pitch)
    if len(by_pitch) > 1 and _median_pitch(by_pitch[0]) < 60:
        by_pitch.pop(0).role = "bass"
    has_melody = any(t.role == "melody" for t in tracks if t not in pending)
    for track in reversed(by_pitch):
        if _is_monophonic(track):
            track.role = "counter" if has_melody else "melody"
            has_melody = True
        else:
            track.role = "chords"


def _read_chords(score: symusic.core.ScoreTick) -> tuple[list[Chord], bool]:
    tpq = score.ticks_per_quarter
    starts: list[tuple[float, str, int, str, int | None]] = []
    swing = False
    for marker in score.markers:
        text = marker.text.strip()
        if text == SWING_MARKER:
            swing = True
        match = _CHORD_RE.match(text)
        if match:
            bass = None if match["bass"] == "-" else int(match["bass"]) % 12
            starts.append((marker.time / tpq, match["symbol"], int(match["root"]) % 12, match["quality"], bass))
    end_q = max((m.time / tpq for m in score.markers if m.text.strip() == END_MARKER), default=score.end() / tpq)
    chords = []
    for i, (start, symbol, root, quality, bass) in enumerate(starts):
        nxt = starts[i + 1][0] if i + 1 < len(starts) else end_q
        if nxt > start:
            chords.append(Chord(start, nxt - start, root, quality, symbol, bass))
    return chords, swing


def midi_bytes_to_piece(data: bytes, spec: Spec) -> Piece:
    """Read MIDI bytes (ours or a user's) back into a Piece so a remix starts from what was heard.

    Times become quarter notes; Motif's own chord and swing markers restore the harmony plan and undo
    the swing, so writing the result again gives the same MIDI. Raises `MidiError` on bad input.
    """
    score = _parse_score(data)
    tpq = score.ticks_per_quarter
    chords, swing = _read_chords(score)
    tracks: list[Track] = []
    for st in score.tracks:
        if len(st.notes) == 0:
            continue
        notes = []
        for n in st.notes:
            start, end = n.time / tpq, (n.time + n.duration) / tpq
            if swing:
                start, end = unswing_time(start, spec.bar_quarters), unswing_time(end, spec.bar_quarters)
            notes.append(Note(int(n.pitch), start, max(end - start, 1.0 / tpq), int(n.velocity)))
        name = st.name or ("Drums" if st.is_drum else f"Track {len(tracks) + 1}")
        tracks.append(Track(name, 0 if st.is_drum else int(st.program), "chords", notes, bool(st.is_drum)))
    _assign_roles(tracks, spec)
    return Piece(spec=spec, tracks=tracks, chords=chords, swing=swing, engine="midi")
