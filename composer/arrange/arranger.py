"""The arranger: the melody and the harmony plan rendered for the requested instruments.

One Track per requested instrument, in order, with its program, so the written MIDI plays exactly
what was asked for. Roles decide what each part plays (melody, counter, chords, pad, bass); a solo
keyboard or guitar also gets a left hand, and with no bass instrument the lowest chord instrument
plays the roots. The last bar is a held tonic chord, so every piece ends at home.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from composer.arrange.accompaniment import Context, realise_bass
from composer.arrange.comping import SELF_BASSED, realise_comping
from composer.arrange.counter import counter_melody
from composer.arrange.drums import drum_track
from composer.arrange.feel import FEELS, humanise, humanised
from composer.arrange.groove_play import BarPlan, groove_bass, groove_chords, plan_bars
from composer.arrange.grooves import GrooveSet, choose_grooves
from composer.arrange.registers import (
    SectionTime,
    joined_sections,
    keep_under,
    lead_octave,
    raised,
    under_tune,
)
from composer.harmony.form import section_spans
from composer.harmony.voicing import voice_chord
from composer.meter import meter_of
from composer.piece import Chord, Note, Track
from composer.ranges import best_octave_shift, instrument_range, role_window
from composer.styles import Style
from composer.theory import chord_pcs, fit_range, scale_pcs
from prompts.spec import Instrument, Spec

POLYPHONIC = frozenset(
    set(range(0, 22)) | set(range(24, 32)) | {46} | set(range(48, 56)) | {61, 62, 63}
    | set(range(88, 96)) | {104, 105, 106, 107, 108, 114}
)
"""GM programs that can play chords (keyboards, guitars, harp, ensembles, pads)."""

ROLE_LEVEL = {"melody": 6, "counter": -6, "chords": -10, "pad": -16, "bass": -2}
DEFAULT_INSTRUMENTS = (Instrument("Piano", 0, "melody"),)


class ArrangeError(ValueError):
    """Raised when the arrangement cannot be made (empty harmony plan, bad bar count)."""


def _bass_window(program: int) -> tuple[int, int]:
    low, high = instrument_range(program)
    bottom = max(low, 33)
    return bottom, min(high, bottom + 21)


def _melody_shift(melody: list[Note], program: int, register: int) -> int:
    """The whole-octave move that puts the melody in the instrument's melody register (plus `register`): none
    for a line already written there (the melody sources write around C5 plus `register` octaves), so the
    register is where the line is, not where its mean would be centred (composer.ranges.best_octave_shift)."""
    w_low, w_high = role_window(program, "melody")
    p_low, p_high = instrument_range(program)
    up = 12 * register
    return best_octave_shift([n.pitch - up for n in melody], w_low, w_high, (p_low - up, p_high - up))


def place_melody(melody: list[Note], program: int, register: int,
                 sections: list[SectionTime] | None = None) -> list[Note]:
    """The melody moved by whole octaves into the instrument's melody register (plus `register`), a section
    written an octave away from its neighbours moved back beside them (composer.arrange.registers
    .joined_sections); a note still outside the instrument's range is folded alone."""
    low, high = instrument_range(program)
    shift = _melody_shift(melody, program, register)
    block = joined_sections([Note(n.pitch + shift, n.start, n.duration, 0) for n in melody], sections or [], program)
    return [Note(fit_range(n.pitch, low, high), n.start, n.duration, 0) for n in block]


def section_times(spec: Spec) -> list[SectionTime]:
    """The sections the piece is played in (composer.harmony.form), in quarters: where the tune was written apart."""
    bq = spec.bar_quarters
    return [SectionTime(s.start_bar * bq, s.end_bar * bq, s.section.name) for s in section_spans(spec)]


def lead_instrument(spec: Spec) -> Instrument:
    """The instrument that plays the tune, as `arrange` picks it: the first with the melody role, else the first."""
    instruments = spec.instruments or DEFAULT_INSTRUMENTS
    return instruments[_roles(instruments).index("melody")]


def melody_bounds(melody: list[Note], program: int, register: int) -> tuple[int, int]:
    """The pitches a line like `melody` may hold for `place_melody` to move it as one block and fold none of its
    notes alone (a note folded an octave turns the steps on both sides of it): a remix that refits a tune's
    pitches (composer.remix.refit) chooses inside them. The instrument's range less the block's move (a
    parent's tune comes with its sections already joined, so no section of it moves apart)."""
    low, high = instrument_range(program)
    shift = _melody_shift(melody, program, register)
    return low - shift, high - shift


def counter_line(melody: list[Note], ctx: Context, program: int) -> list[Note]:
    """A harmony line a diatonic third (or sixth, where the third clashes) below the melody, note for note: what a
    remix's "add a harmony" asks for (composer.remix.voices). A counter part plays `counter_melody`, a line of
    its own."""
    scale = scale_pcs(ctx.spec.tonic, ctx.spec.mode)
    low, high = role_window(program, "counter")
    kept = [n for n in melody if n.duration >= 0.5 or abs(n.start - round(n.start)) < 1e-9]
    notes = []
    for i, note in enumerate(kept):
        end = kept[i + 1].start if i + 1 < len(kept) else note.end
        pc = note.pitch % 12
        index = scale.index(pc) if pc in scale else min(range(7), key=lambda k: (pc - scale[k]) % 12)
        tones = chord_pcs(ctx.chord_at(note.start).root_pc, ctx.chord_at(note.start).quality)
        third, sixth = scale[(index - 2) % 7], scale[(index - 5) % 7]
        pick = sixth if third not in tones and sixth in tones else third
        if ctx.spec.chords and pick not in tones[:3]:
            pick = _chord_tone_below(note.pitch, tones[:3])
        pitch = note.pitch - ((note.pitch - pick) % 12 or 12)
        notes.append(Note(fit_range(pitch, low, high), note.start, max(0.25, end - note.start) * 0.95, -4))
    return notes


def _chord_tone_below(pitch: int, tones: tuple[int, ...]) -> int:
    """The pitch class of the nearest chord tone at least a third under `pitch` (a second line over a user's
    chords sounds their triad, not a diatonic third that falls outside it: F under A over A7)."""
    return min(tones, key=lambda pc: (pitch - pc - 3) % 12)


@dataclass(frozen=True)
class _Band:
    """The groove a piece plays (None: the hand-written patterns) and its bar plan."""

    grooves: GrooveSet | None
    plans: list[BarPlan]
    bassed: bool = False
    """Someone plays the bass role (a left hand then keeps to chords)."""


def _comping(ctx: Context, style: Style, program: int, role: str, bars: range, band: _Band,
             tune: list[Note]) -> list[Note]:
    """A chord or pad part: the groove's hits or the style's pattern, voiced under the lead's `tune`."""
    pattern = "pad_sustain" if role == "pad" else style.comping
    size = 1 if program not in POLYPHONIC else 3 if pattern == "chorale_voices" else 4
    if size == 4 and style.vocabulary == "extended":
        size = 5
    window = _comping_window(program, role, tune)
    if band.grooves is not None and (role != "pad" or band.grooves.main.part("pad") is not None):
        part = "pad" if role == "pad" else "chords"
        return groove_chords(ctx, band.grooves, band.plans, window, size, part, style.swing, program)
    if pattern in SELF_BASSED:
        window = under_tune(role_window(program, "left_hand"), program, tune)
    if size == 1 and pattern in SELF_BASSED:
        pattern = "block"
    return realise_comping(ctx, pattern, window, size, bars, _bass_window(program))


def _comping_window(program: int, role: str, tune: list[Note]) -> tuple[int, int]:
    """Where a chord or pad part voices: its role's window, under the lead (composer.arrange.registers)."""
    return under_tune(role_window(program, "pad" if role == "pad" else "chords"), program, tune)


def _left_hand(ctx: Context, style: Style, program: int, bars: range, band: _Band) -> list[Note]:
    """Accompaniment for a lone keyboard/guitar: the groove's chords and bass low where a groove plays, else the
    comping pattern low, plus roots unless self-bassed."""
    if band.grooves is not None:
        low, high = role_window(program, "chords")
        window = (low, min(high, low + 22)) if band.bassed else role_window(program, "left_hand")
        chords = groove_chords(ctx, band.grooves, band.plans, window, 3, "chords", style.swing, program)
        if band.bassed:  # the bass player has the low end: the comping sits around middle C, out of the mud
            return chords
        return chords + groove_bass(ctx, band.grooves, band.plans, _bass_window(program), style.swing,
                                  style.allow_chromatic)
    notes = realise_comping(ctx, style.comping, role_window(program, "left_hand"), 3, bars,
                            _bass_window(program))
    notes = [n for n in notes if n.pitch < 67]
    if style.comping not in SELF_BASSED and not band.bassed:
        notes += realise_bass(ctx, style.bass, *_bass_window(program), bars)
    return notes


def _ending(track: Track, chord: Chord, ctx: Context, role: str, window: tuple[int, int], size: int) -> None:
    """Replace the last bar of an accompaniment part with a held tonic chord (or root, for the bass)."""
    bq = ctx.meter.bar_quarters
    last = _ending_start(ctx)
    kept = [n for n in track.notes if n.start < last - 1e-9]
    for n in kept:
        n.duration = min(n.duration, last - n.start)
    low, high = window
    if role == "bass":
        root = chord.root_pc if chord.bass_pc is None else chord.bass_pc
        pitches = [fit_range(low + (root - low) % 12, low, high)]
    else:
        pitches = voice_chord(chord, size, low, high, None, bool(ctx.spec.chords))
    track.notes = kept + [Note(p, last, ctx.spec.bars * bq - last, 4) for p in pitches]


def _ending_start(ctx: Context) -> float:
    """Where the held closing chord starts: the last bar line, or later when the last chord starts later (a
    user's two chords in the last bar: the first keeps its half)."""
    last_bar = (ctx.spec.bars - 1) * ctx.meter.bar_quarters
    return max(last_bar, ctx.chords[-1].start) if ctx.spec.chords else last_bar


def _dynamics(notes: list[Note], spec: Spec, style: Style, level: int, rng: np.random.Generator) -> None:
    """Turn accent offsets into velocities: style level, role level, a 4-bar swell, downbeat accents."""
    phrase = 4 * spec.bar_quarters
    for note in notes:
        phase = (note.start % phrase) / phrase
        swell = style.dynamics * (math.sin(math.pi * phase) - 0.5)
        downbeat = 4 if abs(note.start / spec.bar_quarters - round(note.start / spec.bar_quarters)) < 1e-6 else 0
        value = style.velocity + level + note.velocity + swell + downbeat + rng.normal(0.0, 2.5)
        note.velocity = int(np.clip(round(value), 1, 127))


def _clip(notes: list[Note], total: float) -> list[Note]:
    kept = [n for n in notes if 0 <= n.start < total - 1e-9]
    for n in kept:
        n.duration = max(1e-3, min(n.duration, total - n.start))
    return sorted(kept, key=lambda n: (n.start, n.pitch))


def _roles(instruments: tuple[Instrument, ...]) -> list[str]:
    roles = [inst.role for inst in instruments]
    if "melody" not in roles:
        roles[0] = "melody"
    return roles


def _band_roles(instruments: tuple[Instrument, ...], roles: list[str]) -> list[str]:
    """In a band (a groove plays), a chord instrument named as a second voice comps instead when nobody else
    does: the piano of a jazz trio behind a sax plays the chords, not parallel thirds."""
    if any(r in ("chords", "pad") for r in roles):
        return roles
    second = next((i for i, r in enumerate(roles) if r == "counter" and instruments[i].program in POLYPHONIC), None)
    return roles if second is None else [("chords" if i == second else r) for i, r in enumerate(roles)]


def _needs_left_hand(instruments: tuple[Instrument, ...], roles: list[str], index: int, band: bool) -> bool:
    """A lone keyboard or guitar accompanies itself; in a band (a groove or drums play) so does a leading one
    when no one else plays chords (the piano of "piano, bass and drums" comps under its tune)."""
    accompanied = any(r in ("chords", "pad") for r in roles) or (not band and "bass" in roles)
    first_melody = roles.index("melody") == index
    return not accompanied and first_melody and instruments[index].program in POLYPHONIC


def _root_player(instruments: tuple[Instrument, ...], roles: list[str]) -> int | None:
    """The lowest chords/pad instrument, which plays the roots when nobody has the bass role."""
    if "bass" in roles:
        return None
    candidates = [i for i, r in enumerate(roles) if r in ("chords", "pad")]
    return min(candidates, key=lambda i: instrument_range(instruments[i].program)[0]) if candidates else None


def arrange(spec: Spec, style: Style, chords: list[Chord], melody: list[Note],
            rng: np.random.Generator) -> list[Track]:
    """One Track per requested instrument (in order), plus a drum track iff `spec.drums`.

    Notes stay straight (the MIDI writer swings them) and inside [0, bars * bar_quarters].
    """
    if not chords:
        raise ArrangeError("the harmony plan is empty")
    instruments = spec.instruments or DEFAULT_INSTRUMENTS
    ctx = Context(spec, meter_of(spec), chords, rng)
    grooves = choose_grooves(spec, rng)
    roles = _roles(instruments)
    band = _Band(grooves, plan_bars(spec, grooves) if grooves is not None else [], "bass" in roles)
    if grooves is not None:
        roles = _band_roles(instruments, roles)
    root_player = _root_player(instruments, roles)
    lead = instruments[roles.index("melody")]
    tune = _lead_tune(melody, lead, instruments, roles, spec)
    hands: list[list[Note]] = []
    tracks = [_part(ctx, style, inst, role, melody, index == root_player,
                    _needs_left_hand(instruments, roles, index, grooves is not None or spec.drums), band,
                    (tune, lead), hands)
              for index, (inst, role) in enumerate(zip(instruments, roles, strict=True))]
    if spec.drums:
        tracks.append(drum_track(spec, style, rng, grooves))
    if grooves is not None and humanised(spec.genre):
        _play_by_hand(tracks, hands, ctx, style.swing)
    return tracks


def _lead_tune(melody: list[Note], lead: Instrument, instruments: tuple[Instrument, ...], roles: list[str],
               spec: Spec) -> list[Note]:
    """The melody as the lead plays it: in its melody register, an octave higher where the chord and pad parts
    would have no room under it (composer.arrange.registers.lead_octave), unless the user asked for the register."""
    tune = place_melody(melody, lead.program, spec.register, section_times(spec))
    if "register" in spec.explicit:
        return tune
    windows = [role_window(inst.program, "pad" if role == "pad" else "chords")
               for inst, role in zip(instruments, roles, strict=True) if role in ("chords", "pad") and inst is not lead]
    return raised(tune, lead_octave(tune, lead.program, windows))


def _play_by_hand(tracks: list[Track], hands: list[list[Note]], ctx: Context, swung: bool) -> None:
    """The groove's parts with MMA's humanised feel (composer.arrange.feel): each accompaniment part and the drums;
    a lead's left hand in velocity only (its onsets stay with the tune's, so the tune is still read as the top line
    of its track: the originality guard and remixes read it so); the melody and a counter line stay as written.
    Its own generator, so the feel does not change what anything else draws."""
    rng = ctx.rng.spawn(1)[0]
    total = ctx.spec.bars * ctx.meter.bar_quarters
    for track, hand in zip(tracks, hands + [[]] * (len(tracks) - len(hands)), strict=True):
        role = "drums" if track.is_drum else track.role
        notes = track.notes if role in FEELS else hand
        feel = FEELS.get(role, FEELS["hand"])
        if notes:
            humanise(notes, feel, ctx.meter.bar_quarters, total, swung, rng)
            track.notes.sort(key=lambda n: (n.start, n.pitch))


def _bass_line(ctx: Context, style: Style, pattern: str, window: tuple[int, int], bars: range,
               band: _Band) -> list[Note]:
    """The groove's bass line where a groove plays, else the style's hand-written pattern."""
    if band.grooves is not None and pattern != "root_sustain":
        return groove_bass(ctx, band.grooves, band.plans, window, style.swing, style.allow_chromatic)
    return realise_bass(ctx, pattern, *window, bars)


def _part(ctx: Context, style: Style, inst: Instrument, role: str, melody: list[Note],
          plays_roots: bool, left_hand: bool, band: _Band, led: tuple[list[Note], Instrument],
          hands: list[list[Note]]) -> Track:
    """One instrument's part; `led` is the melody as the lead plays it and the lead (a counter line moves under the
    tune, chords and pads voice under it). A lead's left-hand notes are appended to `hands` (one list per part,
    empty for the others)."""
    spec, program = ctx.spec, inst.program
    tune, lead = led
    bars = range(spec.bars)
    total = spec.bars * spec.bar_quarters
    hand: list[Note] = []
    if role == "melody":
        notes = raised(tune, 0) if inst is lead else place_melody(melody, program, spec.register, section_times(spec))
        if left_hand:
            hand = keep_under(_left_hand_with_cadence(ctx, style, inst, bars, band), notes,
                              role_window(program, "left_hand")[0])  # the hand under the tune, as a pianist plays
            notes += hand
    elif role == "counter":
        notes = counter_melody(tune, ctx, program)
    elif role == "bass":
        notes = _bass_line(ctx, style, style.bass, role_window(program, "bass"), bars, band)
    else:
        notes = _comping(ctx, style, program, role, bars, band, tune)
        if plays_roots and program in POLYPHONIC:
            notes += _bass_line(ctx, style, "root_sustain" if role == "pad" else style.bass,
                                _bass_window(program), bars, band)
    track = Track(inst.name, program, role, notes)
    if role in ("chords", "pad", "bass") and spec.bars > 1:
        window = role_window(program, "bass") if role == "bass" else _comping_window(program, "chords", tune)
        _ending(track, ctx.chords[-1], ctx, role, window, 1 if program not in POLYPHONIC else 4)
        if plays_roots and program in POLYPHONIC:
            last = _ending_start(ctx)
            track.notes.append(Note(_bass_root(ctx.chords[-1], program, bool(spec.chords)), last, total - last, 4))
    if role in ("chords", "pad"):
        track.notes = keep_under(track.notes, tune, _comping_window(program, role, tune)[0])
    track.notes = _clip(track.notes, total)
    _sustain_last_bar(track, total, spec.bar_quarters)
    _dynamics(track.notes, spec, style, ROLE_LEVEL.get(role, 0), ctx.rng)
    kept = {id(n) for n in track.notes}
    hands.append([n for n in hand if id(n) in kept])
    return track


def _left_hand_with_cadence(ctx: Context, style: Style, inst: Instrument, bars: range, band: _Band) -> list[Note]:
    """A solo player's accompaniment, ending like every accompaniment part: a held tonic chord over its root,
    so the piece closes with the tonic in the bass (a left-hand pattern would otherwise stop on any beat)."""
    hand = Track(inst.name, inst.program, "chords", _left_hand(ctx, style, inst.program, bars, band))
    if ctx.spec.bars > 1:
        _ending(hand, ctx.chords[-1], ctx, "chords", _bass_window(inst.program), 3)
        last = _ending_start(ctx)
        hand.notes.append(Note(_bass_root(ctx.chords[-1], inst.program, bool(ctx.spec.chords)), last,
                               ctx.spec.bars * ctx.spec.bar_quarters - last, 4))
    return hand.notes


def _bass_root(chord: Chord, program: int, given: bool = False) -> int:
    low, high = _bass_window(program)
    root = chord.bass_pc if given and chord.bass_pc is not None else chord.root_pc
    return fit_range(low + (root - low) % 12, low, high)


def _sustain_last_bar(track: Track, total: float, bar_quarters: float) -> None:
    """Make sure the part sounds in the last bar: extend its final note to the end if needed."""
    if track.notes and max(n.end for n in track.notes) <= total - bar_quarters + 1e-9:
        last = max(track.notes, key=lambda n: n.start)
        last.duration = total - last.start
