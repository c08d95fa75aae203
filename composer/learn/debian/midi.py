"""Standard MIDI files (OpenMSX, Planet Blupi, Freedoom's lumps) read into a `Song` with symusic.

Only what the lead extractor needs is kept: each track's name, program, drum flag and notes, the first tempo
and meter, and where that meter first changes (bars are counted only up to there).
"""

from __future__ import annotations

from composer.learn.debian.song import Song, Track, by_onset

DEFAULT_TEMPO_BPM = 120.0
DEFAULT_METER = "4/4"


class MidiReadError(ValueError):
    """Bytes that are not a readable MIDI file, or one with no notes."""


def read_midi_bytes(data: bytes, piece: str, title: str) -> Song:
    """The tracks, tempo and meter of one MIDI file given as bytes."""
    from symusic import Score

    try:
        score = Score.from_midi(data)
    except Exception as exc:  # noqa: BLE001 - symusic raises plain RuntimeErrors on malformed files
        raise MidiReadError(f"{piece}: not a MIDI file ({exc})") from exc
    tpq = float(score.ticks_per_quarter)
    end_q = max((n.time + n.duration for track in score.tracks for n in track.notes), default=0) / tpq
    meter, start_q, meter_end = _meter(score, tpq, end_q)
    tracks = [
        Track(str(track.name or ""), int(track.program), bool(track.is_drum),
              by_onset((int(n.pitch), n.time / tpq - start_q, n.duration / tpq) for n in track.notes
                       if n.duration > 0 and n.time / tpq >= start_q - 1e-9))
        for track in score.tracks
    ]
    tracks = [track for track in tracks if track.notes]
    if not tracks:
        raise MidiReadError(f"{piece}: no notes")
    tempo = float(score.tempos[0].qpm) if len(score.tempos) else DEFAULT_TEMPO_BPM
    return Song(piece, title, tempo, meter, tracks, meter_end_q=meter_end)


def _meter(score: object, tpq: float, end_q: float) -> tuple[str, float, float | None]:
    """The meter of the longest stretch in one time signature, where that stretch starts, and where it ends
    relative to its start (None when it runs to the end).

    Why the longest: some songs open with a bar or two in another meter; the notes are read from the
    stretch's start, so its bar lines fall at multiples of the bar length."""
    changes: list[tuple[float, str]] = []
    for ts in sorted(score.time_signatures, key=lambda ts: ts.time):
        meter = f"{ts.numerator}/{ts.denominator}"
        if not changes or changes[-1][1] != meter:
            changes.append((ts.time / tpq, meter))
    if not changes:
        return DEFAULT_METER, 0.0, None
    if changes[0][0] > 0:
        changes.insert(0, (0.0, DEFAULT_METER))
    stretches = [(start, changes[i + 1][0] if i + 1 < len(changes) else None, meter)
                 for i, (start, meter) in enumerate(changes)]
    start, end, meter = max(stretches, key=lambda s: ((s[1] if s[1] is not None else end_q) - s[0], -s[0]))
    return meter, start, (end - start if end is not None else None)
