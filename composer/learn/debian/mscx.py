"""MuseScore 3 scores (.mscx XML, .mscz = a zip holding one) read into a `Song`, chord symbols included.

music21 does not read MuseScore's own format, and the demos need only a little of it: each `<Staff>` of the
top `<Score>` holds `<Measure>`s (a `len="3/8"` attribute marks a short one, such as a pickup), each measure
one `<voice>` per voice, and a voice is a sequence of `<Chord>` (notes with `<pitch>`), `<Rest>`, `<Tuplet>`
(ratio normalNotes/actualNotes) ... `<endTuplet/>`, `<location>` (moves the cursor by `<fractions>` of a
whole note), `<Harmony>` (root as a tonal pitch class, `<name>` the quality text), `<TimeSig>` and
`<Tempo>` (quarters per second). A note whose `<Spanner type="Tie">` has a `<next>` is tied to the next
note of the same pitch. Parts (`<Part>`) name the staves and give their MIDI program.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

from composer.learn.debian.song import Harmony, NoteRow, Song, Track, by_onset

DURATION_QL: dict[str, Fraction] = {
    "long": Fraction(16), "breve": Fraction(8), "whole": Fraction(4), "half": Fraction(2), "quarter": Fraction(1),
    "eighth": Fraction(1, 2), "16th": Fraction(1, 4), "32nd": Fraction(1, 8), "64th": Fraction(1, 16),
    "128th": Fraction(1, 32),
}
GRACE_TAGS: tuple[str, ...] = ("acciaccatura", "appoggiatura", "grace4", "grace16", "grace32", "grace8after",
                               "grace16after", "grace32after")
DEFAULT_TEMPO_BPM = 120.0


class MscxError(ValueError):
    """Bytes that are not a MuseScore score."""


def score_xml(data: bytes) -> bytes:
    """The .mscx XML of a score file: as it is, or the one .mscx member of a .mscz zip."""
    if data[:2] != b"PK":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".mscx") and not n.startswith("META-INF"))
        if not names:
            raise MscxError("no .mscx inside the .mscz")
        return archive.read(names[0])


def read_score(data: bytes, piece: str, title: str | None = None) -> Song:
    """Every staff of a MuseScore score as a track, the chord symbols of all staves, first tempo and meter."""
    try:
        root = ET.fromstring(score_xml(data))
    except (ET.ParseError, zipfile.BadZipFile) as exc:
        raise MscxError(f"{piece}: not a MuseScore score ({exc})") from exc
    score = root.find("Score")
    if root.tag != "museScore" or score is None:
        raise MscxError(f"{piece}: no <Score>")
    names, programs, drums = _parts(score)
    tracks: list[Track] = []
    harmony: list[Harmony] = []
    reading = _Reading()
    for staff in score.findall("Staff"):
        staff_id = staff.get("id", "")
        notes = reading.staff(staff, harmony)
        tracks.append(Track(names.get(staff_id, f"staff {staff_id}"), programs.get(staff_id, -1),
                            drums.get(staff_id, False), notes))
    meta = {tag.get("name"): (tag.text or "") for tag in score.findall("metaTag")}
    return Song(piece, title or meta.get("workTitle") or piece, reading.tempo_bpm or DEFAULT_TEMPO_BPM,
                reading.meter or "4/4", [t for t in tracks if t.notes],
                harmony=sorted(harmony, key=lambda h: h.onset_q), meter_end_q=reading.meter_end_q,
                pickup_q=reading.pickup_q)


def _parts(score: ET.Element) -> tuple[dict[str, str], dict[str, int], dict[str, bool]]:
    """Per staff id: its part's name (with the staff's number inside a part), MIDI program, drum flag."""
    names, programs, drums = {}, {}, {}
    for part in score.findall("Part"):
        instrument = part.find("Instrument")
        name = (part.findtext("trackName") or (instrument.findtext("longName") if instrument is not None else "")
                or "").strip()
        program = instrument.find("Channel/program") if instrument is not None else None
        is_drum = instrument is not None and (instrument.findtext("useDrumset") == "1"
                                              or "drum" in (instrument.findtext("instrumentId") or ""))
        for number, staff in enumerate(part.findall("Staff"), 1):
            staff_id = staff.get("id", "")
            names[staff_id] = name if number == 1 else f"{name} {number}"
            programs[staff_id] = int(program.get("value", -1)) if program is not None else -1
            drums[staff_id] = bool(is_drum)
    return names, programs, drums


class _Reading:
    """The score-wide facts met while reading staves: first tempo, first meter and where it changes, the
    pickup's length. A pickup (a short first measure) is right-aligned in bar 0, as the corpus has it."""

    def __init__(self) -> None:
        self.tempo_bpm: float | None = None
        self.meter: str | None = None
        self.meter_end_q: float | None = None
        self.pickup_q = 0.0

    def staff(self, staff: ET.Element, harmony: list[Harmony]) -> list[NoteRow]:
        """The notes of one staff (ties merged); its chord symbols are added to `harmony`."""
        notes: list[list[float]] = []
        chords: list[Harmony] = []
        start = Fraction(0)
        bar = Fraction(4)
        pickup = Fraction(0)
        for number, measure in enumerate(staff.findall("Measure")):
            for voice in measure.findall("voice"):
                bar = self._voice(voice, start, bar, notes, chords)
            length = Fraction(measure.get("len")) * 4 if measure.get("len") else bar
            if number == 0 and length < bar:
                pickup = length
            start += length
        shift = float(bar - pickup) if pickup else 0.0
        self.pickup_q = self.pickup_q or float(pickup)
        harmony.extend(Harmony(h.onset_q + shift, h.root_pc, h.quality) for h in chords)
        return by_onset((int(p), o + shift, d) for p, o, d, _ in notes)

    def _voice(self, voice: ET.Element, start: Fraction, bar: Fraction, notes: list[list],
               harmony: list[Harmony]) -> Fraction:
        cursor, ratio = start, Fraction(1)
        for element in voice:
            tag = element.tag
            if tag == "TimeSig":
                bar = self._time_signature(element, cursor, bar)
            elif tag == "Tempo" and self.tempo_bpm is None and element.findtext("tempo"):
                self.tempo_bpm = round(float(element.findtext("tempo")) * 60.0, 2)
            elif tag == "Tuplet":
                ratio = Fraction(int(element.findtext("normalNotes") or 1), int(element.findtext("actualNotes") or 1))
            elif tag == "endTuplet":
                ratio = Fraction(1)
            elif tag == "location":
                cursor += Fraction(element.findtext("fractions") or "0") * 4
            elif tag == "Harmony" and element.findtext("root"):
                harmony.append(Harmony(float(cursor), _tpc_pc(int(element.findtext("root"))),
                                       (element.findtext("name") or "").strip()))
            elif tag in ("Chord", "Rest"):
                if any(element.find(grace) is not None for grace in GRACE_TAGS):
                    continue
                length = _length(element, bar) * ratio
                if tag == "Chord":
                    _add_chord(element, cursor, length, notes)
                cursor += length
        return bar

    def _time_signature(self, element: ET.Element, cursor: Fraction, bar: Fraction) -> Fraction:
        meter = f"{element.findtext('sigN')}/{element.findtext('sigD')}"
        if self.meter is None:
            self.meter = meter
        elif meter != self.meter and (self.meter_end_q is None or cursor < self.meter_end_q):
            self.meter_end_q = float(cursor)
        return Fraction(int(element.findtext("sigN")) * 4, int(element.findtext("sigD")))


def _length(element: ET.Element, bar: Fraction) -> Fraction:
    """A chord's or rest's length in quarters: its type and dots, or a whole measure's stated duration."""
    kind = element.findtext("durationType") or "quarter"
    if kind == "measure":
        stated = element.findtext("duration")
        return Fraction(stated) * 4 if stated else bar
    base = DURATION_QL.get(kind, Fraction(1))
    dots = int(element.findtext("dots") or 0)
    return base * (2 - Fraction(1, 2 ** dots))


def _add_chord(element: ET.Element, cursor: Fraction, length: Fraction, notes: list[list]) -> None:
    """Append a chord's notes; a note continuing a tie from the same pitch lengthens that note instead."""
    for note in element.findall("Note"):
        pitch = int(note.findtext("pitch") or 0)
        tied_on = any(s.get("type") == "Tie" and s.find("next") is not None for s in note.findall("Spanner"))
        previous = next((row for row in reversed(notes) if row[0] == pitch), None)
        if previous is not None and previous[3] and abs(previous[1] + previous[2] - float(cursor)) < 1e-6:
            previous[2] += float(length)
            previous[3] = tied_on
            continue
        notes.append([pitch, float(cursor), float(length), tied_on])


def _tpc_pc(tpc: int) -> int:
    """Pitch class of a MuseScore tonal pitch class (14 = C, each step up is a fifth: 15 = G, 13 = F)."""
    return ((tpc - 14) * 7) % 12
