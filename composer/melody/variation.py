"""How a section returns: the same, with a new cadence (A'), as a sequence a step away, or with its rhythm kept
and new pitches; each the way a musician varies a repeat, drawn from the melody source, not copied blindly.

Why: with the style's form, a section heard again replayed its melody note for note (composer.generate's
compose_sections), so an AABA tune's last A ended exactly as the first did, a bridge said nothing twice, and a
second verse was the first again. Where each variation goes is a rule of the form (`variation_kinds`):

- new cadence (A'): a return that closes another way than the section's first time (the second ending of an
  AABB strain, AABA's A2 into the bridge) keeps all but its cadence bar, which is drawn again by infilling: the
  notes before are the context the model continues from (`MelodySource.generate`'s `context`) over the
  return's own chords (`vary_ending`). A source that cannot condition on context (the Markov chain) still writes
  the new closing bar over the new chords.
- sequence: a contrasting section (the bridge, a B strain, a chorale's Abgesang) answers its first half with
  the same figure a scale step away (`answer_in_sequence`), up or down the way its harmony moves, fitted to
  the chords under it; its cadence bar is drawn anew as in A'.
- rhythm kept, new pitches: a verse that comes back, or a chorus of a blues sung again straight after itself,
  keeps its rhythm note for note and takes its pitches from the melody source over the same chords
  (`keep_rhythm`): of RHYTHM_CANDIDATES fresh lines, the one whose onsets match the kept rhythm best, read at
  each kept onset. (The source API takes no onsets to keep, so the rhythm is chosen, not imposed.)
- replay: a recapitulation (the A after a bridge, a chorus hook) is the section as first heard (with its A'
  ending where it closes that way): the hook is what makes a form heard.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer.harmony.form import SectionSpan
from composer.melody.markov import meter_grid
from composer.melody.source import MelodySource, chord_at
from composer.piece import Chord, Note
from composer.theory import MODE_INTERVALS, chord_pcs, mode_pcs, tonic_pc
from prompts.spec import Spec

EPS = 1e-6
TRIES = 3
"""Draws of the new ending at most, looking for one that is not the old ending again."""
RHYTHM_CANDIDATES = 3
"""Fresh lines drawn for a rhythm-kept return, the best-matching rhythm taken."""
FIT_SEMITONES = 2
"""How far a sequenced strong-beat note may move to reach a tone of the chord under it."""
CONTRASTING = frozenset({"B", "C", "D", "bridge"})
"""Section names that answer in sequence (the first section's name, verses and choruses state, not answer)."""


def time_closes(spans: list[SectionSpan]) -> list[str]:
    """How each time through a section closes ("tonic" or "half"), span by span (see the module docstring):
    a section of two bars or more played again straight after opens on a half cadence; the time after such an
    opening closes on the tonic unless it ends the piece, where the piece's own ending (`SectionSpan.close`:
    a loop or a half cadence the user asked for) holds; every other time closes as the form says."""
    closes: list[str] = []
    for i, span in enumerate(spans):
        name, close = span.section.name, span.close
        repeated = span.section.bars >= 2
        after = spans[i + 1].section.name if i + 1 < len(spans) else None
        before = spans[i - 1].section.name if i else None
        if repeated and after == name:
            close = "half"
        elif repeated and before == name and after is not None:
            close = "tonic"
        closes.append(close)
    return closes


def variation_kinds(spans: list[SectionSpan], closes: list[str]) -> list[str]:
    """What each time through a section plays (the module docstring's rules), span by span: "new" (its first
    time), "sequence" (a contrasting section's first time, its second half answering its first), "cadence"
    (a return closing another way: A'), "rhythm" (a verse back, or a section sung again straight after itself
    with the same close) or "replay"."""
    kinds: list[str] = []
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    first = spans[0].section.name if spans else ""
    for i, (span, close) in enumerate(zip(spans, closes, strict=True)):
        name, bars = span.section.name, span.section.bars
        before = spans[i - 1].section.name if i else None
        if name not in names:
            answers = name != first and name in CONTRASTING and bars >= 4 and bars % 2 == 0
            kinds.append("sequence" if answers else "new")
        elif (name, close) not in seen:
            kinds.append("cadence")
        elif bars >= 2 and (name == "verse" or before == name):
            kinds.append("rhythm")
        else:
            kinds.append("replay")
        seen.add((name, close))
        names.add(name)
    return kinds


def vary_ending(source: MelodySource, spec: Spec, chords: list[Chord], line: list[Note], rng: np.random.Generator,
                bars: int = 1, allow_chromatic: bool = False, section: str | None = None) -> list[Note]:
    """`line` (a section's melody, `spec.bars` bars from 0) with its last `bars` bars written again over `chords`
    (the returning section's plan, the whole section), continuing from the notes kept before them.

    The kept notes are the section's own, a note held into the new bars cut at their first bar line; the new
    bars close the way the source closes a melody over those chords (the tonic held to the bar line, or V's
    root over a half cadence). When every draw repeats the old ending, the last draw is kept (a one-bar
    section, or one whose chords allow one close only). `section` names the varied return for the learned
    model's form tokens (A', chorus').
    """
    bars = max(1, min(bars, spec.bars - 1)) if spec.bars > 1 else 1
    cut = (spec.bars - bars) * spec.bar_quarters
    kept = [replace(n, duration=min(n.duration, cut - n.start)) for n in line if n.start < cut - EPS]
    kept = [n for n in kept if n.duration > EPS]
    context = [replace(n, start=n.start - cut) for n in kept]
    tail_spec = replace(spec, bars=bars, form=(), ending="tonic")
    tail_chords = [replace(c, start=max(c.start, cut) - cut, duration=c.end - max(c.start, cut))
                   for c in chords if c.end > cut + EPS]
    old = _shape([n for n in line if n.start >= cut - EPS], cut)
    new: list[Note] = []
    for _ in range(TRIES):
        new = source.generate(tail_spec, tail_chords, rng, allow_chromatic=allow_chromatic, context=context,
                              section=section)
        if _shape(new, 0.0) != old:
            break
    return kept + [replace(n, start=n.start + cut) for n in new]


def answer_in_sequence(source: MelodySource, spec: Spec, chords: list[Chord], line: list[Note],
                       rng: np.random.Generator, allow_chromatic: bool = False,
                       section: str | None = None) -> list[Note]:
    """`line` (a section of `spec.bars` bars, an even number) with its second half the first half's figure a
    scale step away (`sequence_step` chooses up or down), each strong-beat note fitted to the chord under it
    (`fit_to_chords`), and its cadence bar drawn again over `chords` as A''s is (`vary_ending`)."""
    half = spec.bars // 2 * spec.bar_quarters
    opening = [replace(n, duration=min(n.duration, half - n.start)) for n in line if n.start < half - EPS]
    step = sequence_step(spec, chords, opening, half)
    answer = fit_to_chords(spec, chords, [replace(n, pitch=scale_step(spec, n.pitch, step), start=n.start + half)
                                          for n in opening])
    return vary_ending(source, spec, chords, opening + answer, rng, allow_chromatic=allow_chromatic, section=section)


def sequence_step(spec: Spec, chords: list[Chord], opening: list[Note], half: float) -> int:
    """+1 or -1 scale step: the way the harmony moves from the first half to the second where its roots move by
    a step bar for bar (most bars agreeing), else the way that leaves fewer strong-beat notes off the chords
    (a falling sequence, the bridge's usual answer, on a tie)."""
    moves = []
    for bar in range(int(round(half / spec.bar_quarters))):
        a, b = chord_at(chords, bar * spec.bar_quarters + EPS), chord_at(chords, bar * spec.bar_quarters + half + EPS)
        if a is not None and b is not None:
            moves.append((b.root_pc - a.root_pc) % 12)
    ups, downs = sum(m in (1, 2) for m in moves), sum(m in (10, 11) for m in moves)
    if max(ups, downs) * 2 > len(moves) and ups != downs:
        return 1 if ups > downs else -1
    misses = {step: off_chord([replace(n, pitch=scale_step(spec, n.pitch, step), start=n.start + half)
                                for n in opening], spec, chords) for step in (-1, 1)}
    return 1 if misses[1] < misses[-1] else -1


def scale_step(spec: Spec, pitch: int, steps: int) -> int:
    """`pitch` moved `steps` degrees along the Spec's scale (a chromatic note keeps its offset from the scale
    note below it): a diatonic sequence, whose steps are the key's, not a transposition into another key.

    A note of the key's own vocabulary stays in it: minor's raised 7th (D# in E minor) moved up a step would
    keep its offset onto E#, a note a style without chromatic notes never writes; it takes the plain scale
    note (E) instead. Found in a folk song in E minor whose sequence wrote F naturals over B major."""
    scale = [(tonic_pc(spec.tonic) + i) % 12 for i in MODE_INTERVALS[spec.mode]]
    below = next(pitch - k for k in range(12) if (pitch - k) % 12 in scale)
    moved = _degree_pitch(scale, below, steps)
    vocabulary = mode_pcs(spec.tonic, spec.mode)
    kept = moved + (pitch - below)
    return moved if pitch % 12 in vocabulary and kept % 12 not in vocabulary else kept


def _degree_pitch(scale: list[int], base: int, steps: int) -> int:
    """The scale note `steps` degrees from the scale note `base` (a MIDI pitch)."""
    pitch = base
    for _ in range(abs(steps)):
        pitch += 1 if steps > 0 else -1
        while pitch % 12 not in scale:
            pitch += 1 if steps > 0 else -1
    return pitch


def fit_to_chords(spec: Spec, chords: list[Chord], notes: list[Note]) -> list[Note]:
    """Each note on a strong beat (the downbeat or a beat group's start) that is not a tone of the chord under it
    moved to the nearest one within FIT_SEMITONES (a step down preferred on a tie), so the sequenced figure
    sounds the new harmony where the ear checks it; other notes keep their step."""
    grid = meter_grid(spec.time_signature)
    out = []
    for note in notes:
        chord = chord_at(chords, note.start)
        if chord is not None and grid.metric_class(note.start) <= 1:
            tones = chord_pcs(chord.root_pc, chord.quality)
            if note.pitch % 12 not in tones:
                near = [note.pitch + d for d in (-1, 1, -2, 2)[:2 * FIT_SEMITONES] if (note.pitch + d) % 12 in tones]
                note = replace(note, pitch=near[0]) if near else note
        out.append(note)
    return out


def off_chord(notes: list[Note], spec: Spec, chords: list[Chord]) -> int:
    """Strong-beat notes that are not tones of the chord under them."""
    grid = meter_grid(spec.time_signature)
    return sum(1 for n in notes if grid.metric_class(n.start) <= 1 and (c := chord_at(chords, n.start)) is not None
               and n.pitch % 12 not in chord_pcs(c.root_pc, c.quality))


def keep_rhythm(source: MelodySource, spec: Spec, chords: list[Chord], line: list[Note], rng: np.random.Generator,
                allow_chromatic: bool = False, section: str | None = None) -> list[Note]:
    """`line`'s rhythm (onsets and lengths, note for note) with new pitches from the melody source over `chords`:
    RHYTHM_CANDIDATES lines drawn afresh, the one sharing most onsets with `line` chosen, and each kept note
    takes the pitch that line sounds at its onset (the next note's over a rest); the last note takes the
    line's own close, so the return still cadences as the source closed it."""
    rhythm = sorted(line, key=lambda n: n.start)
    onsets = {round(n.start, 3) for n in rhythm}
    best: list[Note] = []
    best_match = -1.0
    for _ in range(RHYTHM_CANDIDATES):
        drawn = sorted(source.generate(spec, chords, rng, allow_chromatic=allow_chromatic, section=section),
                       key=lambda n: n.start)
        theirs = {round(n.start, 3) for n in drawn}
        match = len(onsets & theirs) / max(1, len(onsets | theirs))
        if drawn and match > best_match:
            best, best_match = drawn, match
    if not best:
        return line
    out = [replace(n, pitch=_pitch_at(best, n.start)) for n in rhythm]
    return [*out[:-1], replace(out[-1], pitch=best[-1].pitch)] if out else out


def _pitch_at(line: list[Note], onset: float) -> int:
    """The pitch `line` (sorted) sounds at `onset`, else the next note's after a rest, else its last note's."""
    for note in line:
        if note.start <= onset + EPS < note.start + note.duration or note.start >= onset - EPS:
            return note.pitch
    return line[-1].pitch


def _shape(notes: list[Note], origin: float) -> tuple[tuple[int, float, float], ...]:
    """Pitches, onsets (from `origin`) and durations, rounded: what makes two endings the same ending."""
    return tuple((n.pitch, round(n.start - origin, 3), round(n.duration, 3)) for n in sorted(notes, key=lambda n: n.start))
