"""Piece -> music21 Score -> MusicXML, for people who read or edit the music (and for the score picture).

The Piece is notated straight (swing is a performance matter, as on jazz charts). Each track is sliced
into measures by `composer.files.measures` (one beat grid per beat, spelled notes, ties, the drum staff);
this module assembles them into parts with clefs, key, meter, tempo and chord symbols, braces two-handed
parts on a grand staff, and writes the MusicXML.

music21 keeps scratch files in ``<user cache dir>/motif/music21`` (see `configure_music21`), not /tmp.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import platformdirs
from music21 import (
    clef,
    duration,
    expressions,
    harmony,
    instrument,
    key,
    layout,
    meter,
    stream,
    tempo,
)
from music21.musicxml.m21ToXml import GeneralObjectExporter

from composer.files.measures import (
    EPS,
    BeatGrid,
    Span,
    Speller,
    drum_measures,
    m21_tonic,
    pitched_measures,
    track_spans,
)
from composer.harmony.form import section_keys, section_starts
from composer.piece import Chord, Piece, Track
from composer.theory import CHORD_INTERVALS, PITCH_CLASSES, pc_name
from prompts.music import split_chord_symbol

_CHORD_KINDS = {
    "maj": "major", "min": "minor", "dim": "diminished", "aug": "augmented", "sus2": "suspended-second",
    "sus4": "suspended-fourth", "5": "power", "6": "major-sixth", "m6": "minor-sixth", "7": "dominant",
    "maj7": "major-seventh", "m7": "minor-seventh", "m7b5": "half-diminished", "dim7": "diminished-seventh",
    "mmaj7": "major-minor", "9": "dominant-ninth", "maj9": "major-ninth", "m9": "minor-ninth",
    "7sus4": "suspended-fourth", "add9": "major", "m11": "minor-11th", "13": "dominant-13th",
    "aug7": "augmented-seventh", "7b9": "dominant", "7#9": "dominant", "69": "major-sixth", "madd9": "minor",
    "11": "dominant-11th",
}
_CHORD_DEGREES: dict[str, tuple[int, int]] = {"7b9": (9, -1), "7#9": (9, 1), "69": (9, 0), "madd9": (9, 0)}
"""(degree, alteration) added to a kind that has no name of its own in MusicXML (C7#9: dominant, add #9)."""

_configured = False


def configure_music21(scratch_dir: Path | None = None) -> Path:
    """Point music21's scratch directory at a private folder (default: the user cache dir) and return it.

    music21 otherwise writes temporary files under /tmp/music21; this keeps them with Motif's own cache
    and changes only the in-memory environment (no ~/.music21rc is written).
    """
    from music21 import environment

    global _configured
    target = scratch_dir or Path(platformdirs.user_cache_dir("motif")) / "music21"
    target.mkdir(parents=True, exist_ok=True)
    environment.Environment()["directoryScratch"] = str(target)
    _configured = True
    return target


def _spelling(chord: Chord, prefer_flats: bool) -> tuple[str, str | None]:
    """Root and bass names as the chord's symbol spells them (a user's Bb7#5 stays Bb in E major), or by the
    key's preference when the symbol does not name them."""
    root, bass = pc_name(chord.root_pc, prefer_flats), None
    if chord.bass_pc is not None:
        bass = pc_name(chord.bass_pc, prefer_flats)
    try:
        named_root, _, named_bass = split_chord_symbol(chord.symbol)
    except ValueError:
        return root, bass
    if PITCH_CLASSES[named_root] == chord.root_pc:
        root = named_root
    if named_bass is not None and chord.bass_pc is not None and PITCH_CLASSES[named_bass] == chord.bass_pc:
        bass = named_bass
    return root, bass


def _chord_symbol(chord: Chord, prefer_flats: bool) -> harmony.ChordSymbol:
    kind = _CHORD_KINDS.get(chord.quality, "major")
    root_name, bass_name = _spelling(chord, prefer_flats)
    bass = m21_tonic(bass_name) if bass_name is not None else None
    symbol = harmony.ChordSymbol(root=m21_tonic(root_name), bass=bass, kind=kind)
    if chord.quality in _CHORD_DEGREES:
        degree, alter = _CHORD_DEGREES[chord.quality]
        symbol.addChordStepModification(harmony.ChordStepModification("add", degree, alter), updatePitches=False)
    suffix = chord.symbol[len(root_name):].split("/")[0]
    if chord.quality in CHORD_INTERVALS and chord.symbol.startswith(root_name):
        symbol.chordKindStr = suffix
    symbol.writeAsChord = False
    return symbol


def _add_chord_symbols(measures: list[stream.Measure], chords: list[Chord], bar_q: float,
                       flats: list[bool]) -> None:
    """Chord symbols above the measures, a symbol that names no spelling spelled by its bar's key (`flats`)."""
    grid = BeatGrid([chord.start for chord in chords])
    for chord in chords:
        start = grid.snap(chord.start)
        index = int((start + EPS) // bar_q)
        if 0 <= index < len(measures):
            measures[index].insert(start - index * bar_q, _chord_symbol(chord, flats[index]))


def bar_signatures(piece: Piece) -> list[key.Key]:
    """The key signature of each bar: the piece's key, and from each key change on
    (`composer.harmony.form.section_keys`) the new key's, one shared object per key."""
    spec = piece.spec
    bars = max(1, int(round(piece.total_quarters / piece.bar_quarters)))
    signatures: list[key.Key] = []
    changes = dict(section_keys(spec))
    for bar in range(bars):
        if bar in changes:
            current = key.Key(m21_tonic(changes[bar]), spec.mode)
        signatures.append(current)
    return signatures


GUITAR_PROGRAMS = frozenset(range(24, 32))
"""Guitars are written in the treble clef an octave above their sound (the clef with an 8 below), so a solo
guitar's bass line and melody share one readable staff."""


def _clef_for(track: Track, spans: list[Span]) -> clef.Clef:
    if track.is_drum:
        return clef.PercussionClef()
    if track.program in GUITAR_PROGRAMS:
        return clef.Treble8vbClef()
    pitches = sorted(s.pitch for s in spans)
    median = pitches[len(pitches) // 2] if pitches else 60
    return clef.BassClef() if median < 60 else clef.TrebleClef()


GRAND_STAFF_PROGRAMS = frozenset(range(0, 8)) | {16, 17, 18, 19, 20, 21, 46, 52, 53}
"""Pianos, organs, accordion, harp and choir: written on a braced pair of staves when they span both clefs."""
GRAND_STAFF_SPLIT = 60
MIN_SIDE_SHARE = 0.1


def grand_staff(track: Track) -> tuple[Track, Track] | None:
    """The upper (middle C and above) and lower halves of a two-handed part, or None for a one-staff part."""
    if track.is_drum or track.program not in GRAND_STAFF_PROGRAMS or not track.notes:
        return None
    upper = [n for n in track.notes if n.pitch >= GRAND_STAFF_SPLIT]
    lower = [n for n in track.notes if n.pitch < GRAND_STAFF_SPLIT]
    if min(len(upper), len(lower)) < MIN_SIDE_SHARE * len(track.notes):
        return None
    return dataclasses.replace(track, notes=upper), dataclasses.replace(track, notes=lower)


def _make_part(track: Track, piece: Piece, is_first: bool, with_chords: bool,
               staff: str | None = None) -> stream.Part:
    """One staff: a whole part, or the "upper"/"lower" staff of a grand staff (a PartStaff)."""
    spec = piece.spec
    total, bar_q = piece.total_quarters, piece.bar_quarters
    spans = track_spans(track, total)
    signatures = bar_signatures(piece)
    signature = signatures[0]
    if track.is_drum:
        measures = drum_measures(spans, bar_q, total)
    else:
        spellers = {id(s): Speller(s) for s in signatures}
        measures = pitched_measures(spans, bar_q, total, [spellers[id(s)] for s in signatures])
    part = (stream.PartStaff if staff else stream.Part)(id=f"P{track.name}{staff or ''}")
    inst = instrument.UnpitchedPercussion() if track.is_drum else instrument.Instrument()
    inst.partName = inst.instrumentName = track.name
    inst.partAbbreviation = inst.instrumentAbbreviation = None
    inst.midiProgram = None if track.is_drum else track.program
    part.insert(0, inst)
    first = measures[0]
    clefs = {"upper": clef.TrebleClef, "lower": clef.BassClef}
    first.insert(0, clefs[staff]() if staff else _clef_for(track, spans))
    if not track.is_drum:
        first.insert(0, signature)
        for bar in range(1, len(measures)):
            if signatures[bar] is not signatures[bar - 1]:  # a key change: its new signature
                measures[bar].insert(0, signatures[bar])
    first.insert(0, meter.TimeSignature(spec.time_signature))
    if is_first:
        first.insert(0, tempo.MetronomeMark(number=spec.tempo_bpm, referent=duration.Duration(1.0)))
        for bar, label in section_starts(spec):
            if bar < len(measures):
                measures[bar].insert(0, expressions.RehearsalMark(label))
    if with_chords:
        _add_chord_symbols(measures, piece.chords, bar_q, [s.sharps < 0 for s in signatures])
    measures[-1].rightBarline = "final"
    part.append(measures)
    return part


def piece_to_score(piece: Piece) -> stream.Score:
    """Notate a Piece as a music21 Score: one part per track, explicit clefs, key, meter and tempo.

    Chord symbols ride above the melody part; two-handed parts (piano, organ, harp, choir) spanning both
    clefs get a braced grand staff; drums get a percussion staff at the bottom.
    """
    if not _configured:
        configure_music21()
    score = stream.Score()
    ordered = [t for t in piece.tracks if not t.is_drum] + [t for t in piece.tracks if t.is_drum]
    melody = piece.melody()
    for i, track in enumerate(ordered):
        halves = grand_staff(track)
        if halves is None:
            score.insert(0, _make_part(track, piece, i == 0, track is melody))
            continue
        staves = [_make_part(half, piece, i == 0 and side == "upper", track is melody and side == "upper", side)
                  for half, side in zip(halves, ("upper", "lower"), strict=True)]
        for staff in staves:
            score.insert(0, staff)
        score.insert(0, layout.StaffGroup(staves, name=track.name, symbol="brace"))
    if piece.spec.prompt:
        from music21 import metadata

        score.insert(0, metadata.Metadata(title=piece.spec.prompt[:60]))
    return score


def score_to_musicxml_bytes(score: stream.Score) -> bytes:
    """Serialise a Score to MusicXML bytes (the engraver reads these without touching disk)."""
    return GeneralObjectExporter(score).parse()


def write_musicxml(piece: Piece, path: Path) -> Path:
    """Write `piece` as an uncompressed MusicXML file at `path` and return the path."""
    path = Path(path)
    path.write_bytes(score_to_musicxml_bytes(piece_to_score(piece)))
    return path
