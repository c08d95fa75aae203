"""Reading facts back out of written MIDI, to check that what we wrote is what was asked.

The reader here is music21's low-level MIDI parser, deliberately not symusic (which writes our files), so the
checks do not share a blind spot with the writer. Used by the output tests and by `motif eval`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from composer.styles import style_for
from composer.theory import mode_pcs, pc_name, scale_pcs, tonic_pc
from prompts.music import DRUM_CHANNEL, MINOR_THIRD_MODES
from prompts.spec import Spec

DRUM_CHANNEL_1BASED = DRUM_CHANNEL + 1
"""The drum channel as music21 numbers channels, from one."""
MIN_IN_SCALE = 0.85
"""Share of notes that must lie in the mode for the mode to count as obeyed (styles with blue notes and
chromatic passing tones stay above it; a piece in the wrong mode falls far below)."""
MIN_IN_SCALE_CHROMATIC = 0.75
"""The same share in a style whose idiom is chromatic (`composer.styles.Style.allow_chromatic`: jazz, blues,
bossa nova): real jazz leads have 19.6% notes outside the mode (the Debian lead lines, `motif eval`'s
form_idiom), and the comping's altered tensions add more, so 0.85 would call real bebop out of its key. The
mode is still checked: music21 must name its family (a D minor jazz piece read as D major keeps 0.68-0.77 in
scale, and is named minor)."""


@dataclass(frozen=True)
class HeardNote:
    """A note as it is in the file: pitch, times in quarter notes, channel (1-16) and the program sounding."""

    pitch: int
    start_q: float
    end_q: float
    channel: int
    program: int


@dataclass
class MidiFacts:
    """What a MIDI file actually says, independent of what the code that wrote it believes."""

    ticks_per_quarter: int
    tempos_bpm: list[float]
    time_signatures: list[str]
    programs: list[int]
    notes: list[HeardNote] = field(default_factory=list)

    @property
    def tempo_bpm(self) -> float | None:
        return self.tempos_bpm[0] if self.tempos_bpm else None

    @property
    def time_signature(self) -> str | None:
        return self.time_signatures[0] if self.time_signatures else None

    @property
    def pitched(self) -> list[HeardNote]:
        return [n for n in self.notes if n.channel != DRUM_CHANNEL_1BASED]

    @property
    def drum_note_count(self) -> int:
        return sum(1 for n in self.notes if n.channel == DRUM_CHANNEL_1BASED)

    @property
    def end_q(self) -> float:
        return max((n.end_q for n in self.notes), default=0.0)

    def bar_quarters(self) -> float:
        num, den = (self.time_signature or "4/4").split("/")
        return int(num) * 4.0 / int(den)

    def bar_count(self) -> int:
        """Bars spanned by the notes: the bar holding the last note end (tolerant of rounding)."""
        return max(1, math.ceil(self.end_q / self.bar_quarters() - 1e-3))

    def last_bar_sounds(self) -> bool:
        """True when some note sounds inside the final bar (so the bar count is not padded silence)."""
        last_start = (self.bar_count() - 1) * self.bar_quarters()
        return any(n.end_q > last_start + 1e-3 for n in self.notes)

    def in_scale_ratio(self, tonic: str, mode: str) -> float:
        """Share of pitched notes whose pitch class lies in `tonic` `mode`."""
        pitched = self.pitched
        if not pitched:
            return 1.0
        scale = mode_pcs(tonic, mode)
        return sum(1 for n in pitched if n.pitch % 12 in scale) / len(pitched)

    def final_bass_pc(self) -> int | None:
        """Pitch class of the lowest pitched note sounding at the last onset: the finalis of the bass."""
        pitched = self.pitched
        if not pitched:
            return None
        last_onset = max(n.start_q for n in pitched)
        sounding = [n for n in pitched if n.start_q <= last_onset + 1e-6 and n.end_q > last_onset + 1e-6]
        return min(sounding or pitched, key=lambda n: n.pitch).pitch % 12

    def key(self) -> tuple[int, str] | None:
        """(tonic pitch class, "major"|"minor") by music21's Krumhansl-Schmuckler analysis of the pitched notes."""
        return analyse_key(self.pitched)


def read_midi(data: bytes) -> MidiFacts:
    """Parse MIDI bytes into `MidiFacts` with music21's raw MIDI reader."""
    from music21 import midi as m21midi

    mf = m21midi.MidiFile()
    mf.readstr(data)
    tpq = mf.ticksPerQuarterNote
    tempos: list[tuple[int, float]] = []
    signatures: list[tuple[int, str]] = []
    programs: set[int] = set()
    notes: list[HeardNote] = []
    for track in mf.tracks:
        _read_track(track, tpq, tempos, signatures, programs, notes)
    tempos.sort()
    signatures.sort()
    notes.sort(key=lambda n: (n.start_q, n.pitch))
    return MidiFacts(
        ticks_per_quarter=tpq,
        tempos_bpm=[bpm for _, bpm in tempos],
        time_signatures=[ts for _, ts in signatures],
        programs=sorted(programs),
        notes=notes,
    )


def _read_track(track, tpq: int, tempos, signatures, programs: set[int], notes: list[HeardNote]) -> None:
    """Walk one track's events, pairing note-ons with note-offs per (channel, pitch)."""
    from music21.midi import ChannelVoiceMessages, MetaEvents

    tick = 0
    program_by_channel: dict[int, int] = {}
    open_notes: dict[tuple[int, int], list[int]] = {}
    for event in track.events:
        if event.isDeltaTime():
            tick += event.time
            continue
        if event.type == MetaEvents.SET_TEMPO:
            micros = int.from_bytes(event.data[:3], "big")
            tempos.append((tick, round(60_000_000 / micros, 3)))
        elif event.type == MetaEvents.TIME_SIGNATURE:
            signatures.append((tick, f"{event.data[0]}/{2 ** event.data[1]}"))
        elif event.type == ChannelVoiceMessages.PROGRAM_CHANGE:
            program_by_channel[event.channel] = event.data
            if event.channel != DRUM_CHANNEL_1BASED:
                programs.add(int(event.data))
        elif event.type == ChannelVoiceMessages.NOTE_ON and event.velocity > 0:
            open_notes.setdefault((event.channel, event.pitch), []).append(tick)
        elif event.type in (ChannelVoiceMessages.NOTE_OFF, ChannelVoiceMessages.NOTE_ON):
            starts = open_notes.get((event.channel, event.pitch))
            if starts:
                start = starts.pop(0)
                notes.append(
                    HeardNote(
                        pitch=event.pitch,
                        start_q=start / tpq,
                        end_q=tick / tpq,
                        channel=event.channel,
                        program=int(program_by_channel.get(event.channel, 0)),
                    )
                )


def analyse_key(notes: list[HeardNote]) -> tuple[int, str] | None:
    """Key of a set of notes by music21's Krumhansl-Schmuckler analysis, durations as weights.

    Named explicitly: music21's default profile (Aarden-Essen, tuned on folk melodies) reads accompanied
    modal and pop textures worse (86.7% vs 97.7% of tonics on the obedience suite, measured by a script
    that ran every music21 key method over it).
    """
    if not notes:
        return None
    from music21 import note as m21note
    from music21 import stream

    part = stream.Stream()
    for n in notes:
        element = m21note.Note(n.pitch)
        element.quarterLength = max(0.25, round((n.end_q - n.start_q) * 4) / 4)
        part.insert(n.start_q, element)
    found = part.analyze("krumhansl")
    return found.tonic.pitchClass, found.mode


@dataclass(frozen=True)
class Check:
    """One explicit attribute checked against the file."""

    field: str
    expected: object
    found: object
    ok: bool


def check_explicit(spec: Spec, facts: MidiFacts) -> list[Check]:
    """Check every measurable field the user stated (`spec.explicit`) against the written MIDI."""
    checks: list[Check] = []
    for name in spec.explicit:
        check = _check_field(name, spec, facts)
        if check is not None:
            checks.append(check)
    return checks


def check_all(spec: Spec, facts: MidiFacts) -> list[Check]:
    """Check every measurable field of the Spec, stated or inferred (stricter than `check_explicit`)."""
    names = ("tonic", "mode", "tempo_bpm", "time_signature", "bars", "instruments", "drums")
    return [c for c in (_check_field(n, spec, facts) for n in names) if c is not None]


def _check_field(name: str, spec: Spec, facts: MidiFacts) -> Check | None:
    if name == "tempo_bpm":
        found = facts.tempo_bpm
        return Check(name, spec.tempo_bpm, found, found is not None and abs(found - spec.tempo_bpm) < 0.5)
    if name == "time_signature":
        return Check(name, spec.time_signature, facts.time_signature, facts.time_signature == spec.time_signature)
    if name == "bars":
        found = facts.bar_count()
        return Check(name, spec.bars, found, found == spec.bars and facts.last_bar_sounds())
    if name == "instruments":
        wanted = sorted({i.program for i in spec.instruments})
        return Check(name, wanted, facts.programs, facts.programs == wanted)
    if name == "drums":
        found = facts.drum_note_count > 0
        return Check(name, spec.drums, found, found == spec.drums)
    if name in ("tonic", "mode"):
        return _check_key(name, spec, facts)
    return None


def _check_key(name: str, spec: Spec, facts: MidiFacts) -> Check:
    """Key by music21's analysis, with the tonal centre confirmed by the finalis where profiles cannot tell.

    Profile-based key finding (music21's default) names the relative key of a modal collection (F phrygian
    is heard as Db major) and can hesitate between relative keys in short pieces. So the tonic counts as
    obeyed when music21 names it, or when music21 names a key with exactly the requested pitch collection
    and the final bass note is the requested tonic. The mode counts as obeyed when the notes keep to the
    mode (in-scale ratio) and either music21's major/minor family matches or that same collection rule holds.
    """
    found = facts.key()
    family = "minor" if spec.mode in MINOR_THIRD_MODES else "major"
    if found is None:
        return Check(name, spec.tonic if name == "tonic" else spec.mode, None, False)
    found_pc, found_mode = found
    same_collection = _same_collection(found_pc, found_mode, spec) and facts.final_bass_pc() == tonic_pc(spec.tonic)
    if name == "tonic":
        ok = found_pc == tonic_pc(spec.tonic) or same_collection
        return Check(name, tonic_pc(spec.tonic), f"{found_pc} {found_mode}, final bass {facts.final_bass_pc()}", ok)
    ratio = facts.in_scale_ratio(spec.tonic, spec.mode)
    floor = MIN_IN_SCALE_CHROMATIC if style_for(spec.genre).allow_chromatic else MIN_IN_SCALE
    ok = (found_mode == family or same_collection) and ratio >= floor
    return Check(name, f"{spec.mode} ({family})", f"{found_mode}, in-scale {ratio:.2f}", ok)


def _same_collection(found_pc: int, found_mode: str, spec: Spec) -> bool:
    """True when music21's key has exactly the seven pitch classes of the requested mode."""
    found_scale = set(scale_pcs(pc_name(found_pc), "minor" if found_mode == "minor" else "major"))
    return found_scale == set(scale_pcs(spec.tonic, spec.mode))


def track_notes(data: bytes) -> dict[str, list[HeardNote]]:
    """The notes of each named track of a MIDI file (the same reader as `read_midi`), by track name: how a
    check finds the melody among the parts (`melody_notes`)."""
    from music21 import midi as m21midi
    from music21.midi import MetaEvents

    mf = m21midi.MidiFile()
    mf.readstr(data)
    tracks: dict[str, list[HeardNote]] = {}
    for number, track in enumerate(mf.tracks):
        names = [e.data for e in track.events if e.type == MetaEvents.SEQUENCE_TRACK_NAME]
        name = names[0].decode("utf-8", "replace") if names else f"track {number}"
        notes: list[HeardNote] = []
        _read_track(track, mf.ticksPerQuarterNote, [], [], set(), notes)
        if notes:
            tracks.setdefault(name, []).extend(sorted(notes, key=lambda n: (n.start_q, n.pitch)))
    return tracks


COMP_BELOW_SEMITONES = 12
"""A note this far under the tune's median pitch, in the melody's own track, is the lead player's comping."""


def melody_notes(data: bytes, spec: Spec) -> list[HeardNote]:
    """The melody as written in the file: the track named after the Spec's melody instrument (else the first
    pitched track), read as its top line. A keyboard that leads a band also comps under its tune in the same
    track, so a note that starts while a higher one sounds is not the tune, nor is one an octave or more
    under the tune's median pitch (the comping heard through the tune's rests)."""
    tracks = track_notes(data)
    wanted = next((i.name for i in spec.instruments if i.role == "melody"), None)
    notes = tracks.get(wanted or "") or next(
        (t for t in tracks.values() if all(n.channel != DRUM_CHANNEL_1BASED for n in t)), [])
    top = [n for n in notes if not any(o.pitch > n.pitch and o.start_q <= n.start_q + 1e-6 < o.end_q
                                       for o in notes)]
    if not top:
        return []
    median = sorted(n.pitch for n in top)[len(top) // 2]
    line: dict[float, HeardNote] = {}
    for note in top:
        if note.pitch > median - COMP_BELOW_SEMITONES:
            line[note.start_q] = note
    return [line[start] for start in sorted(line)]
