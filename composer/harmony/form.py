"""The form of a piece as the composer plays it: where each section starts and how it closes.

A Spec's `form` (the user's sections) is played when its bars add up to the piece's; otherwise (no form named,
or a remix that changed the length without touching the form) the style's default form for that length and
meter is (`composer.harmony.default_forms`), or none where the length fits no form of the style. Sections of one name are played alike, so each
distinct section closes one way: the section that ends the piece on the tonic (or on V when the user asked for
a half cadence or a loop), every other one on a half cadence, the V that leads into what follows. (A section
played twice in a row opens, then closes: `composer.melody.variation.time_closes` varies its cadence bar.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from composer.harmony.default_forms import default_form
from composer.harmony.plan import applied_dominant, half_close, spell_root
from composer.lines import transpose_chord
from composer.piece import Chord, Note, Track
from composer.styles import style_for
from composer.theory import MODE_INTERVALS, tonic_pc
from prompts.music import CHORD_SUFFIX
from prompts.spec import Section, Spec
from prompts.words.keys import spell


@dataclass(frozen=True)
class SectionSpan:
    """One section placed in the piece: the section, its first bar, and its close ("tonic" or "half")."""

    section: Section
    start_bar: int
    close: str

    @property
    def end_bar(self) -> int:
        return self.start_bar + self.section.bars


def user_form_played(spec: Spec) -> bool:
    """Whether the piece is played in the user's own form (named, and its bars add up to the piece's)."""
    return bool(spec.form) and sum(s.bars for s in spec.form) == spec.bars


def played_form(spec: Spec) -> tuple[Section, ...]:
    """The sections the piece is laid out in: the user's form, else the style's default (maybe none)."""
    return spec.form if user_form_played(spec) else default_form(spec)


def section_spans(spec: Spec) -> list[SectionSpan]:
    """The sections the piece is played as, in order; empty when it is composed through (no form of the
    user's or the style's fits, and an ordinary ending)."""
    form = played_form(spec)
    if not form and spec.ending == "tonic":
        return []
    form = form or (Section("A", spec.bars),)
    last = form[-1].name
    spans: list[SectionSpan] = []
    bar = 0
    for section in form:
        close = "tonic" if section.name == last and spec.ending == "tonic" else "half"
        spans.append(SectionSpan(section, bar, close))
        bar += section.bars
    return spans


def section_spec(spec: Spec, section: Section) -> Spec:
    """The Spec one section is composed from: its bars, its own chords (else the piece's, from their start)."""
    return replace(spec, bars=section.bars, chords=section.chords or spec.chords, form=(), ending="tonic")


def dominant(spec: Spec, start: float, duration: float, seventh: bool) -> Chord:
    """The key's V (major, as a half cadence needs its leading tone, in minor keys too)."""
    shift = 7 - MODE_INTERVALS[spec.mode][4]
    quality = "7" if seventh else "maj"
    root = (tonic_pc(spec.tonic) + 7) % 12
    symbol = spell_root(spec.tonic, spec.mode, 4, shift) + CHORD_SUFFIX.get(quality, quality)
    return Chord(start, duration, root, quality, symbol)


def close_on_half(chords: list[Chord], spec: Spec, seventh: bool) -> list[Chord]:
    """The plan with its last bar on V (or the chord the style's table rests an open close on in its mode,
    `composer.harmony.plan.half_close`: freygish's minor vii, not a foreign A7): chords that start in the last
    bar give way to it, one that runs into it is cut at the bar line."""
    last_bar = (spec.bars - 1) * spec.bar_quarters
    kept = [c for c in chords if c.start < last_bar - 1e-9]
    kept = [replace(c, duration=min(c.duration, last_bar - c.start)) for c in kept]
    style = style_for(spec.genre)
    rest = half_close(spec, style, last_bar, spec.bar_quarters)
    if kept and rest is None:
        kept[-1] = applied_dominant(spec, style, kept[-1])
    return [*kept, rest or dominant(spec, last_bar, spec.bar_quarters, seventh)]


def shift_chords(chords: list[Chord], offset: float) -> list[Chord]:
    return [replace(c, start=c.start + offset) for c in chords]


def shift_notes(notes: list[Note], offset: float) -> list[Note]:
    return [Note(n.pitch, n.start + offset, n.duration, n.velocity) for n in notes]


def key_tonic(spec: Spec, shift: int) -> str:
    """The tonic of the key `shift` semitones above the piece's, as that key is written (`prompts.words.keys.spell`:
    C major up a semitone is Db major, A minor up a semitone Bb minor); the piece's own tonic as the user spelled it."""
    return spec.tonic if shift % 12 == 0 else spell(tonic_pc(spec.tonic) + shift, spec.mode)


def section_keys(spec: Spec) -> list[tuple[int, str]]:
    """(first bar, tonic) of the key the piece starts in and of each key change after it (`Section.shift`), for
    the key signatures of the MIDI file and the score; one entry when the piece stays in its key."""
    keys = [(0, key_tonic(spec, 0))]
    for span in section_spans(spec):
        tonic = key_tonic(spec, span.section.shift)
        if span.start_bar == 0:
            keys = [(0, tonic)]
        elif tonic != keys[-1][1]:
            keys.append((span.start_bar, tonic))
    return keys


def change_key(spec: Spec, tracks: list[Track], chords: list[Chord]) -> tuple[list[Track], list[Chord]]:
    """The piece with each section's key change played (`Section.shift`): every pitched note that starts in a
    moved section, and its chords, transposed. The whole arrangement moves together (a modulation by
    transposition, the pop lift into a last chorus), so melody, counter line, bass and comping stay in one key
    with each other; the drums do not move; the moved chords are spelled in the new key (F# in D major, Gb in
    Db). Unchanged when no section moves."""
    moved = [(s.start_bar * spec.bar_quarters, s.end_bar * spec.bar_quarters, s.section.shift)
             for s in section_spans(spec) if s.section.shift]
    if not moved:
        return tracks, chords

    def shift_at(t: float) -> int:
        return next((k for a, b, k in moved if a - 1e-9 <= t < b - 1e-9), 0)

    for track in tracks:
        if not track.is_drum:
            track.notes = [replace(n, pitch=min(127, max(0, n.pitch + shift_at(n.start)))) for n in track.notes]
    return tracks, [transpose_chord(c, k, replace(spec, tonic=key_tonic(spec, k))) if (k := shift_at(c.start)) else c
                    for c in chords]


def section_starts(spec: Spec) -> list[tuple[int, str]]:
    """(first bar, rehearsal mark) of each section of the user's form, for the score; empty for the style's.

    Why not the style's default too: it is worked out from the Spec, and the remixes that keep the parent's
    bars (continue, a new take of some bars, new chords under the kept tune) do not recompose the piece in
    the form the new Spec implies, so its marks could name sections nobody played; the user's form is laid
    out by every path that keeps it (`composer.remix.form`)."""
    return [(s.start_bar, s.section.label) for s in section_spans(spec)] if user_form_played(spec) else []


__all__ = ["SectionSpan", "change_key", "close_on_half", "key_tonic", "played_form", "section_keys",
           "section_spans", "section_spec", "section_starts", "shift_chords", "shift_notes", "user_form_played"]
