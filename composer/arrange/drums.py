"""Drum grooves on General MIDI percussion notes, for every meter, with fills, crashes and an ending.

A groove is data (`Groove`): where the kick and snare fall relative to the meter's beat groups and
which instrument keeps time. Deriving hits from beat groups rather than from fixed 4/4 grids is what
lets one groove play in 5/4 (3+2) or 7/8 (2+2+3); a few grooves add their 4/4 signature figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer.arrange.groove_play import groove_drums, plan_bars
from composer.arrange.grooves import GrooveSet, choose_grooves
from composer.harmony.form import SectionSpan, section_spans
from composer.meter import Meter, meter_of
from composer.piece import Note, Track
from composer.styles import Style
from prompts.spec import Spec

KICK, SNARE, RIM, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 38, 37, 39, 42, 44, 46
CRASH, RIDE, CRASH_2, TAMBOURINE, COWBELL, SHAKER, CLAVE = 49, 51, 57, 54, 56, 70, 75
TOMS = (50, 48, 47, 45, 43, 41)
Hit = tuple[float, int, int]
"""(offset in quarters from the bar line, GM drum note, velocity)."""


class DrumError(ValueError):
    """Raised for a groove id no style defines."""


@dataclass(frozen=True)
class Groove:
    """Where the parts of a kit fall, relative to the meter's groups and units.

    kick: "groups" (each group start), "units" (every unit: four on the floor), "downbeat",
    "syncopated" (groups plus the eighth before each later group), "none".
    snare: "backbeat", "middle" (half-time, one hit mid-bar), "offbeats" (polka "pah"), "none".
    `keeper` is the time-keeping instrument played `keeper_div` times per unit; `signature` names a
    4/4 figure layered on top (bossa, clave, funk, trap, bulgar, swing). `fill` is the phrase-end figure
    (`FILLS`): a tom run, a hat roll, a snare roll, rim clicks, palmas, brushes, timbales.
    """

    kick: str = "groups"
    snare: str = "backbeat"
    snare_note: int = SNARE
    keeper: int | None = CLOSED_HAT
    keeper_div: int = 2
    open_hat_offbeats: bool = False
    signature: str = ""
    fills: bool = True
    fill: str = "toms"
    crash: int = CRASH
    velocity: int = 90


GROOVES: dict[str, Groove] = {
    "rock": Groove(),
    "pop": Groove(kick="syncopated", velocity=84),
    "metal": Groove(kick="units", keeper=CLOSED_HAT, keeper_div=2, signature="double_kick", velocity=104),
    "funk": Groove(keeper_div=4, signature="funk", velocity=92),
    "hip_hop": Groove(kick="syncopated", velocity=86, fill="hat_roll"),
    "trap": Groove(kick="downbeat", snare="middle", snare_note=CLAP, keeper_div=2, signature="trap",
                   fill="hat_roll"),
    "four_on_floor": Groove(kick="units", snare_note=CLAP, keeper_div=2, open_hat_offbeats=True, fill="riser"),
    "synthwave": Groove(snare_note=SNARE, keeper_div=2, velocity=96),
    "chiptune": Groove(keeper_div=2, velocity=88),
    "swing": Groove(kick="none", snare="none", keeper=RIDE, keeper_div=1, signature="swing", velocity=72,
                    fill="brushes"),
    "jazz_waltz": Groove(kick="none", snare="none", keeper=RIDE, keeper_div=1, signature="swing",
                         velocity=70),
    "shuffle": Groove(keeper_div=2, velocity=84),
    "bossa": Groove(kick="none", snare="none", keeper=CLOSED_HAT, keeper_div=2, signature="bossa",
                    velocity=70),
    "latin": Groove(kick="none", snare="none", keeper=COWBELL, keeper_div=1, signature="clave", velocity=86,
                    fill="timbales"),
    "tango": Groove(snare_note=RIM, keeper=None, fills=False, velocity=88),
    "one_drop": Groove(kick="none", snare="middle", snare_note=RIM, signature="one_drop", velocity=80,
                       fill="rim"),
    "march": Groove(keeper=SNARE, keeper_div=2, snare="none", velocity=84, fill="snare_roll"),
    "polka": Groove(kick="units", snare="offbeats", keeper=None, velocity=86),
    "waltz": Groove(kick="downbeat", snare="none", keeper=PEDAL_HAT, keeper_div=1, fills=False, velocity=70),
    "folk": Groove(snare="backbeat", snare_note=RIM, keeper=TAMBOURINE, keeper_div=1, velocity=80),
    "shanty": Groove(snare_note=CLAP, keeper=None, velocity=92),
    "bulgar": Groove(kick="downbeat", snare="none", keeper=CLOSED_HAT, keeper_div=1, signature="bulgar",
                     fill="snare_roll"),
    "medieval": Groove(snare="none", keeper=TAMBOURINE, keeper_div=1, fills=False, crash=TAMBOURINE,
                       velocity=72),
    "flamenco": Groove(snare_note=RIM, keeper=CLAP, keeper_div=1, velocity=86, fill="palmas"),
    "ambient": Groove(kick="downbeat", snare="none", keeper=SHAKER, keeper_div=2, fills=False, crash=RIDE,
                      velocity=54),
    "cinematic": Groove(snare="middle", keeper=None, signature="toms", velocity=96),
}


def groove_for(groove_id: str) -> Groove:
    """The Groove for a style's groove id."""
    try:
        return GROOVES[groove_id]
    except KeyError:
        raise DrumError(f"unknown groove {groove_id!r}; expected one of {sorted(GROOVES)}") from None


def _kick_hits(g: Groove, m: Meter) -> list[float]:
    starts = m.group_starts()
    if g.kick == "groups":
        return starts if not m.compound else starts[::2]
    if g.kick == "units":
        return m.unit_starts() if not m.compound else starts
    if g.kick == "downbeat":
        return [0.0]
    if g.kick == "syncopated":
        return starts + [s - 0.5 for s in starts[1:] if s >= 1.5 and not m.compound]
    return []


def _snare_hits(g: Groove, m: Meter) -> list[float]:
    starts = m.group_starts()
    if g.snare == "backbeat":
        if m.compound:
            return starts[1::2]
        return [s + (size - 1) * m.unit for s, size in zip(starts, m.groups, strict=True)]
    if g.snare == "middle":
        units = m.unit_starts()
        return [min(units[1:] or units, key=lambda t: abs(t - m.bar_quarters / 2))]
    if g.snare == "offbeats":
        return [t + m.unit / 2 for t in m.unit_starts()] if not m.compound else \
            [t for t in m.unit_starts() if t not in starts]
    return []


def _keeper_hits(g: Groove, m: Meter) -> list[Hit]:
    if g.keeper is None:
        return []
    step = m.unit / g.keeper_div
    count = round(m.bar_quarters / step)
    hits: list[Hit] = []
    for i in range(count):
        t = i * step
        on_unit = i % g.keeper_div == 0
        note = OPEN_HAT if g.open_hat_offbeats and not on_unit and abs(t % 1.0 - 0.5) < 1e-9 else g.keeper
        hits.append((t, note, 0 if on_unit else -14))
    return hits


def _signature_hits(g: Groove, m: Meter, bar: int, rng: np.random.Generator) -> list[Hit]:
    """The groove's characteristic figure; 4/4-shaped figures only where the bar is 2+2 quarters."""
    four = m.groups == (2, 2) and not m.compound
    if g.signature == "swing":
        return [(t + 0.5, RIDE, -18) for t in m.unit_starts()[1::2] if not m.compound] + \
            [(s + (size - 1) * m.unit, PEDAL_HAT, -20) for s, size in zip(m.group_starts(), m.groups,
                                                                            strict=True)]
    if g.signature == "bossa" and four:
        rim = (0.0, 1.5, 3.0) if bar % 2 == 0 else (1.0, 2.5)
        return [(t, KICK, -10) for t in (0.0, 1.5, 2.0, 3.5)] + [(t, RIM, -6) for t in rim]
    if g.signature == "clave" and four:
        clave = (0.0, 1.5, 3.0) if bar % 2 == 0 else (1.0, 2.0)
        return [(t, CLAVE, 0) for t in clave] + [(1.5, KICK, -8), (3.0, KICK, -8), (3.0, 63, -6),
                                                 (3.5, 63, -6), (1.0, 62, -12)]
    if g.signature == "funk" and four:
        return [(0.75, KICK, -10), (2.5, KICK, -4), (1.75, SNARE, -50), (2.25, SNARE, -50), (3.75, SNARE, -45)]
    if g.signature == "trap" and four:
        start = float(rng.choice([1.5, 3.0, 3.5]))
        return [(0.75, KICK, -8), (2.5, KICK, -6)] + [(start + i / 6, CLOSED_HAT, -20) for i in range(3)]
    if g.signature == "bulgar" and four:
        return [(1.5, SNARE, -6), (3.0, SNARE, 0), (2.0, KICK, -10)]
    if g.signature == "double_kick":
        return [(t + m.unit / 2, KICK, -16) for t in m.unit_starts()]
    if g.signature == "one_drop":
        return [(m.bar_quarters / 2 if four else m.group_starts()[-1], KICK, 0)]
    if g.signature == "toms":
        return [(t + m.unit / 2, 45, -16) for t in m.unit_starts()[-2:]]
    return []


def _bar_hits(g: Groove, m: Meter, bar: int, rng: np.random.Generator) -> list[Hit]:
    hits: list[Hit] = [(t, KICK, 0) for t in _kick_hits(g, m)]
    hits += [(t, g.snare_note, -2) for t in _snare_hits(g, m)]
    hits += _keeper_hits(g, m)
    hits += _signature_hits(g, m, bar, rng)
    return [(t, note, vel) for t, note, vel in hits if 0 <= t < m.bar_quarters - 1e-9]


FILLS: dict[str, tuple[tuple[int, ...], float]] = {
    "toms": ((SNARE, SNARE, *TOMS), 0.25),
    "hat_roll": ((CLOSED_HAT, CLOSED_HAT, CLOSED_HAT, OPEN_HAT), 1 / 6),
    "snare_roll": ((SNARE,), 0.125),
    "riser": ((SNARE, SNARE, CLAP), 0.25),
    "rim": ((RIM, RIM, 50), 1 / 3),
    "palmas": ((CLAP, RIM), 0.5),
    "brushes": ((SNARE, PEDAL_HAT), 1 / 3),
    "timbales": ((65, 66), 0.25),
}
"""Phrase-end fills: the voices in order (spread over the fill) and the step between hits, in quarters."""


def _fill(m: Meter, long: bool, kind: str = "toms") -> tuple[float, list[Hit]]:
    """The groove's fill over the last group (two groups for an eight-bar phrase end), voices in order,
    growing louder: a tom run, a hat roll in triplets, a snare roll in 32nds, palmas, brushes..."""
    voices, step = FILLS[kind]
    starts = m.group_starts()
    begin = starts[-2] if long and len(starts) > 1 else starts[-1]
    count = round((m.bar_quarters - begin) / step)
    quiet = -34 if kind == "brushes" else -20
    hits = [(begin + i * step, voices[min(len(voices) - 1, i * len(voices) // max(1, count))], quiet + 2 * i)
            for i in range(count)]
    return begin, hits


def _humanise(hits: list[Hit], base: int, rng: np.random.Generator, start: float) -> list[Note]:
    notes = []
    seen: set[tuple[float, int]] = set()
    for t, note, accent in sorted(hits, key=lambda h: (h[0], h[1], -h[2])):
        if (round(t, 6), note) in seen:
            continue
        seen.add((round(t, 6), note))
        vel = int(np.clip(round(base + accent + rng.normal(0.0, 5.0)), 20, 127))
        notes.append(Note(note, start + t, 0.25 if note not in (CRASH, CRASH_2, RIDE) else 1.0, vel))
    return notes


def _section_bar_notes(g: Groove, m: Meter, bar: int, section: tuple[int, int],
                       rng: np.random.Generator) -> list[Hit]:
    """A bar of a piece in sections (first bar, bars of the one it is in): a fill closes every section (a
    long one where the section is four bars or more, a short one even in grooves that keep fills out of their
    phrases), phrases inside a section end as usual, and a crash opens each section."""
    hits = _bar_hits(g, m, bar, rng)
    start, length = section
    place = bar - start
    closes = place == length - 1
    if closes or (g.fills and (place + 1) % 4 == 0):
        begin, fill = _fill(m, g.fills and (closes and length >= 4 or (place + 1) % 8 == 0), g.fill)
        hits = [h for h in hits if h[0] < begin or (h[1] == KICK and h[0] == begin)] + fill
    if place == 0 or (g.fills and place % 4 == 0):
        hits = [h for h in hits if h[1] not in (CLOSED_HAT, RIDE, OPEN_HAT) or h[0] > 0] + [(0.0, g.crash, 8)]
    return hits


def _bar_notes(spec: Spec, g: Groove, m: Meter, bar: int, rng: np.random.Generator) -> list[Hit]:
    hits = _bar_hits(g, m, bar, rng)
    phrase_end = (bar + 1) % 4 == 0
    if g.fills and phrase_end:
        begin, fill = _fill(m, (bar + 1) % 8 == 0, g.fill)
        hits = [h for h in hits if h[0] < begin or (h[1] == KICK and h[0] == begin)] + fill
    if bar == 0 or (g.fills and bar % 4 == 0 and bar < spec.bars - 1):
        hits = [h for h in hits if h[1] not in (CLOSED_HAT, RIDE, OPEN_HAT) or h[0] > 0] + [(0.0, g.crash, 8)]
    return hits


class _Variation:
    """A bar that would repeat the one before gets a soft pickup on the last off-beat, every other time, so a
    one-bar groove is not one bar looped (the review found 39 of 51 drum parts doing that)."""

    def __init__(self, g: Groove, m: Meter) -> None:
        self.pickup: Hit = (m.bar_quarters - m.unit / 2, g.snare_note, -30)
        self.previous: frozenset = frozenset()
        self.varied = False

    def __call__(self, hits: list[Hit]) -> list[Hit]:
        pattern = frozenset((round(t, 4), note) for t, note, _ in hits if note not in (CRASH, CRASH_2))
        self.varied = pattern == self.previous and not self.varied
        self.previous = pattern
        return hits + [self.pickup] if self.varied else hits


def drum_track(spec: Spec, style: Style, rng: np.random.Generator, grooves: GrooveSet | None = None) -> Track:
    """The drum part: the MMA groove that fits the style (composer.arrange.grooves) where one does, else the
    style's hand-written groove: crash on bar 1, fills at phrase ends, a final hit.

    Humanised velocities come from `rng`, so the same seed gives the same part.
    """
    grooves = grooves or choose_grooves(spec)
    if grooves is not None:
        return groove_drums(spec, grooves, plan_bars(spec, grooves), style.swing, rng)
    return pattern_drum_track(spec, style, rng)


def pattern_drum_track(spec: Spec, style: Style, rng: np.random.Generator) -> Track:
    """The style's hand-written drum groove (where no MMA groove fits): crash on bar 1, fills at phrase ends."""
    g = groove_for(style.groove)
    m = meter_of(spec)
    spans = section_spans(spec)
    if spans:
        return _section_track(spec, g, m, spans, rng)
    notes: list[Note] = []
    vary = _Variation(g, m)
    for bar in range(spec.bars - 1):
        notes += _humanise(vary(_bar_notes(spec, g, m, bar, rng)), g.velocity, rng, bar * m.bar_quarters)
    last = (spec.bars - 1) * m.bar_quarters
    ending = [(0.0, KICK, 12), (0.0, g.crash, 14)] + ([(0.0, CRASH_2, 6)] if g.fills else [])
    for note in _humanise(ending, g.velocity, rng, last):
        notes.append(Note(note.pitch, note.start, m.bar_quarters, note.velocity))
    return Track("Drums", 0, "drums", notes, is_drum=True)


def _section_track(spec: Spec, g: Groove, m: Meter, spans: list[SectionSpan], rng: np.random.Generator) -> Track:
    """The drum part of a piece in sections: fills at section ends; a loop keeps playing through its last bar
    (its fill leads back to the top) where any other piece ends on a held hit."""
    notes: list[Note] = []
    played = spec.bars if spec.ending == "loop" else spec.bars - 1
    vary = _Variation(g, m)
    for span in spans:
        for bar in range(span.start_bar, min(span.end_bar, played)):
            hits = _section_bar_notes(g, m, bar, (span.start_bar, span.section.bars), rng)
            notes += _humanise(vary(hits), g.velocity, rng, bar * m.bar_quarters)
    if played < spec.bars:
        last = (spec.bars - 1) * m.bar_quarters
        ending = [(0.0, KICK, 12), (0.0, g.crash, 14)] + ([(0.0, CRASH_2, 6)] if g.fills else [])
        for note in _humanise(ending, g.velocity, rng, last):
            notes.append(Note(note.pitch, note.start, m.bar_quarters, note.velocity))
    return Track("Drums", 0, "drums", notes, is_drum=True)
