"""Is each style's groove heard in the written MIDI? The checks `motif eval` reports per style and
tests/test_grooves_heard.py asserts (issue 13, section 3).

Every check reads a piece back from its MIDI bytes (`composer.learn.analyze.read_midi`, music21's reader, not
the symusic writer), never from what the arranger meant to write: the style's drum signature (backbeat, four
on the floor, one drop, son clave, swung cymbals, bossa rim, samba surdo...), a chord part wherever the
request has a chord instrument, phrase-end fills that no more than two styles share, bar-to-bar variation in
every drum part, and a walking bass in swing and bebop. The review of 2026-12-01 found one tom fill in 16 of
17 drum styles and one repeated bar in 39 of 51 drum parts. Composing the suite's prompts is the caller's
(the prompt reader lives at the edge, outside `composer`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from composer.arrange.arranger import POLYPHONIC
from composer.arrange.feel import GRID_PER_QUARTER
from composer.learn.analyze import DRUM_CHANNEL_1BASED, HeardNote, MidiFacts, read_midi
from prompts.spec import Spec

KICKS, SNARES, TOMS = {35, 36}, {37, 38, 39, 40}, {41, 43, 45, 47, 48, 50}
CYMBALS = {42, 44, 46, 51, 53, 59}
CRASHES = (49, 57)
TOM_RUN = frozenset({47, 45, 43, 41})
"""The 16th-note tom run the review heard closing every fourth bar in 16 of 17 drum styles."""

SIGNATURE_MIN = 0.5
"""Share of the body's bars (the crash bar and the closing hit left out) that must play the signature."""
MAX_STYLES_PER_FILL = 2
MIN_STYLES_WITH_FILLS = 15
CHORD_BARS_MIN = 0.5
"""Share of bars in which some part strikes three or more notes together, where a chord instrument is asked."""
WALK_BEATS_MIN = 0.75
"""Share of the beats (the last bar left out) on which the lowest part starts a note, in a walking bass..."""
WALK_STEPS_MIN = 0.6
"""...and the share of its moves that are steps or small leaps (1 to 5 semitones)."""

Bar = dict[int, set[float]]
"""One bar of drums: GM note -> onsets in quarters from the bar line, on the grid (`on_grid`)."""


def on_grid(quarters: float) -> float:
    """A written onset read as the grid position it plays: the nearest point of the GRID_PER_QUARTER grid
    (sixteenths, eighth triplets, the swung off-beat). The band is humanised a few ms either way, never out of
    its cell (composer.arrange.feel), so every check that reads positions reads them here, and a hit a few ms
    before a bar line belongs to the bar it opens."""
    return round(quarters * GRID_PER_QUARTER) / GRID_PER_QUARTER


def _on(bar: Bar, notes: set[int], beats: set[float]) -> bool:
    return beats <= {t for n in notes for t in bar.get(n, set())}


def _share(items: Sequence, test: Callable) -> float:
    return sum(1 for item in items if test(item)) / max(1, len(items))


def backbeat(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, SNARES, {1.0, 3.0}))


def four_on_floor(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, KICKS, {0.0, 1.0, 2.0, 3.0}))


def one_drop(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, KICKS, {2.0}) and not _on(b, KICKS, {0.0}))


def son_clave(bars: list[Bar]) -> float:
    """The 2-3 or 3-2 son clave on the claves: (beats 2, 3) and (1, the and of 2, 4) in alternate bars."""
    sides = [frozenset(b.get(75, set())) for b in bars]
    two, three = frozenset({1.0, 2.0}), frozenset({0.0, 1.5, 3.0})
    return _share(list(zip(sides, sides[1:], strict=False)), lambda p: {p[0], p[1]} == {two, three})


def swung_cymbals(bars: list[Bar]) -> float:
    """A hat or ride on the swung off-beat (2/3 of a beat), none on the straight half beat."""
    def swung(b: Bar) -> bool:
        times = {t % 1 for n in CYMBALS for t in b.get(n, set())}
        return any(abs(t - 2 / 3) < 0.02 for t in times) and not any(abs(t - 0.5) < 0.02 for t in times)
    return _share(bars, swung)


def bossa_rim(bars: list[Bar]) -> float:
    """Side stick (or rim) on off-beats: the bossa's syncopated cross-stick figure."""
    return _share(bars, lambda b: any(t % 1 == 0.5 or t in (1.5, 2.5) for t in b.get(37, set()) | b.get(75, set())))


def samba_surdo(bars: list[Bar]) -> float:
    """The low drum on 1 and 3 (2/4's two beats, the second the strong one) under a running shaker, no clave."""
    return _share(bars, lambda b: _on(b, KICKS | {41, 43}, {0.0, 2.0}) and len(b.get(82, set()) | b.get(70, set()) |
                                                                          b.get(69, set())) >= 4 and not b.get(75))


def oom_pah(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, KICKS | {28}, {0.0}) and _on(b, SNARES | {42}, {1.0}))


def waltz_beat(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, KICKS | {42, 44, 81}, {0.0}) and _on(b, SNARES | {42, 44}, {1.0, 2.0}))


def march_beat(bars: list[Bar]) -> float:
    """The snare or the bass drum on every downbeat (MMA's marches accent 1 and 3 of a 4/4 bar, so a 2/4 march
    has them on each bar's one, the band's chords answering on two)."""
    return _share(bars, lambda b: _on(b, {38} | KICKS, {0.0}))


def tango_marcato(bars: list[Bar]) -> float:
    return _share(bars, lambda b: _on(b, KICKS | SNARES, {0.0, 1.0, 2.0, 3.0}))


Signature = Callable[[list[Bar]], float]
GROOVE_SUITE: dict[str, tuple[str, Signature | None]] = {
    "jazz_ballad": ("a slow romantic jazz ballad in Eb for tenor sax and piano trio with drums, 16 bars", None),
    "bebop": ("fast bebop in F with alto sax, walking bass and drums, 16 bars", swung_cymbals),
    "swing": ("a big band swing tune in Bb with trumpet, piano, bass and drums, 16 bars", swung_cymbals),
    "blues": ("a 12-bar blues in G with electric guitar, bass and drums, 12 bars", backbeat),
    "bossa": ("bossa nova in Bb at 130 bpm with nylon guitar and drums, 16 bars", bossa_rim),
    "samba": ("an energetic samba in D with flute, guitar and percussion, 16 bars", samba_surdo),
    "salsa": ("salsa in C minor with piano montuno, trumpet and drums, 16 bars", son_clave),
    "tango": ("a dramatic tango in A minor for bandoneon, violin, piano, bass and drums, 16 bars", tango_marcato),
    "pop": ("an upbeat pop song in C with piano, bass and drums, 16 bars", backbeat),
    "rock": ("an energetic rock song in E with distorted guitar, bass and drums, 16 bars", backbeat),
    "metal": ("heavy metal in E minor with distorted guitar, bass and drums, 16 bars", backbeat),
    "funk": ("tight funk groove in E minor with slap bass, clavinet and drums, 16 bars", backbeat),
    "soul": ("a soul song in F with electric piano, bass and drums, 16 bars", backbeat),
    "hip_hop": ("boom bap hip hop in C minor with rhodes, bass and drums, 16 bars", backbeat),
    "house": ("deep house at 124 bpm in A minor with piano chords, synth bass and drums, 16 bars", four_on_floor),
    "techno": ("techno at 130 bpm in A minor with synth, synth bass and drums, 16 bars", four_on_floor),
    "reggae": ("a laid-back reggae tune in G with organ, bass and drums, 16 bars", one_drop),
    "ska": ("a ska tune in C with trumpet, guitar, bass and drums, 16 bars", None),
    "waltz": ("a gentle waltz in F with violin, piano, bass and drums, 16 bars", waltz_beat),
    "march": ("a triumphant march in Bb with brass, tuba and drums, 16 bars", march_beat),
    "polka": ("a polka in F with accordion, tuba and drums, 16 bars", oom_pah),
    "gospel": ("a joyful gospel song in Ab with organ, bass and drums, 16 bars", backbeat),
    "country": ("a country song in G with guitar, bass and drums, 16 bars", None),
    "ragtime": ("a ragtime tune in C with piano, bass and drums, 16 bars", None),
    "trap": ("dark trap beat in C minor with 808 and synth lead, 16 bars", None),
    "klezmer": ("a klezmer tune in D with clarinet, violin, accordion, bass and drums, 16 bars", None),
}
"""Style key -> (the prompt that asks for it, its drum signature or None where it has no one figure)."""
WALKING: tuple[str, ...] = ("bebop", "swing")
SEEDS: tuple[int, ...] = (1, 2, 3)


@dataclass
class HeardGroove:
    """One written piece of the suite, read back from its MIDI bytes."""

    key: str
    seed: int
    midi: bytes
    facts: MidiFacts
    bar_quarters: float
    bars: int
    has_chord_instrument: bool

    def drum_bars(self) -> list[Bar]:
        bars: list[Bar] = [{} for _ in range(self.bars)]
        for n in self.facts.notes:
            if n.channel == DRUM_CHANNEL_1BASED:
                t = on_grid(n.start_q)
                index = int(t // self.bar_quarters + 1e-6)
                if index < self.bars:
                    bars[index].setdefault(n.pitch, set()).add(round(t - index * self.bar_quarters, 3))
        return bars

    def body(self) -> list[Bar]:
        """The drum bars between the first (a crash) and the last (the closing hit)."""
        return self.drum_bars()[1:-1]

    def by_channel(self) -> dict[int, list[HeardNote]]:
        parts: dict[int, list[HeardNote]] = {}
        for n in self.facts.pitched:
            parts.setdefault(n.channel, []).append(n)
        return parts


def heard_groove(key: str, seed: int, midi: bytes, spec: Spec) -> HeardGroove:
    """A written piece read back, with what its Spec asked for (its bars and whether a chord player is in it)."""
    chord_players = [i for i in spec.instruments if i.program in POLYPHONIC]
    return HeardGroove(key, seed, midi, read_midi(midi), spec.bar_quarters, spec.bars, bool(chord_players))


def signature_share(piece: HeardGroove) -> float | None:
    """Share of the body's bars playing the style's drum signature (None: the style has none)."""
    signature = GROOVE_SUITE[piece.key][1]
    return None if signature is None else signature(piece.body())


def fill_bar(piece: HeardGroove) -> frozenset | None:
    """The drums of the bar closing the first eight-bar phrase, when they differ from the bar before."""
    bars = piece.drum_bars()
    if len(bars) < 9 or not bars[7]:
        return None
    figure = frozenset((n, t) for n, times in bars[7].items() for t in times)
    before = frozenset((n, t) for n, times in bars[6].items() for t in times)
    return figure if figure != before else None


def repeats_one_bar(piece: HeardGroove) -> bool | None:
    """Whether the drums play one bar over and over inside the four-bar phrases (their second and third bars,
    away from the crash that opens a phrase and the fill that closes it; crashes aside). None: no drums."""
    bars = [frozenset((n, t) for n, times in b.items() for t in times if n not in CRASHES)
            for index, b in enumerate(piece.drum_bars()[:-1]) if index % 4 in (1, 2)]
    if not any(bars):
        return None
    return len(set(bars)) < 2


def chord_bar_share(piece: HeardGroove) -> float | None:
    """Share of bars in which some part strikes three or more notes together (None: no chord instrument)."""
    if not piece.has_chord_instrument:
        return None
    chorded: set[int] = set()
    for notes in piece.by_channel().values():
        onsets = Counter(on_grid(n.start_q) for n in notes)
        chorded |= {int(t // piece.bar_quarters) for t, count in onsets.items() if count >= 3}
    return len(chorded) / piece.bars


def walking_bass(piece: HeardGroove) -> tuple[float, float]:
    """(beats on which the lowest part starts a note over the beats before the last bar, share of its moves of
    1-5 semitones); the first can pass 1.0, since the last bar's beats count too, as the test has always read it."""
    lowest = min(piece.by_channel().values(), key=lambda ns: sum(n.pitch for n in ns) / len(ns))
    beats = {t for t in (on_grid(n.start_q) for n in lowest) if t == round(t)}
    total = int(piece.bars * piece.bar_quarters) - int(piece.bar_quarters)
    pitches = [n.pitch for n in sorted(lowest, key=lambda n: n.start_q)]
    moves = [abs(a - b) for a, b in zip(pitches, pitches[1:], strict=False)]
    return len(beats) / max(1, total), sum(1 for m in moves if 0 < m <= 5) / max(1, len(moves))


@dataclass(frozen=True)
class FillFigures:
    """The phrase-end fills over the suite: how many figures, in how many styles, and the most shared."""

    figures: int
    styles_with_fills: int
    most_shared: int
    shared_too_widely: list[list[str]]
    tom_run_phrases: int
    phrases: int

    @property
    def ok(self) -> bool:
        return self.styles_with_fills >= MIN_STYLES_WITH_FILLS and self.most_shared <= MAX_STYLES_PER_FILL


def fill_figures(pieces: Sequence[HeardGroove]) -> FillFigures:
    owners: dict[frozenset, set[str]] = {}
    tom_runs = 0
    for piece in pieces:
        fill = fill_bar(piece)
        if fill is not None:
            owners.setdefault(fill, set()).add(piece.key)
            tom_runs += TOM_RUN <= {n for n, _ in fill}
    return FillFigures(
        figures=len(owners), styles_with_fills=len({k for keys in owners.values() for k in keys}),
        most_shared=max((len(keys) for keys in owners.values()), default=0),
        shared_too_widely=[sorted(keys) for keys in owners.values() if len(keys) > MAX_STYLES_PER_FILL],
        tom_run_phrases=tom_runs, phrases=len(pieces))


def groove_report(pieces: Sequence[HeardGroove]) -> dict[str, Any]:
    """Every check per style (the worst seed for each share, since the test asks it of every seed) and over the
    suite, with whether it passes the thresholds above."""
    styles: dict[str, Any] = {}
    for key in dict.fromkeys(p.key for p in pieces):
        mine = [p for p in pieces if p.key == key]
        row: dict[str, Any] = {"seeds": len(mine)}
        shares = [s for s in (signature_share(p) for p in mine) if s is not None]
        if shares:
            row["signature"] = {"name": GROOVE_SUITE[key][1].__name__, "min_share": round(min(shares), 3),
                                "ok": min(shares) >= SIGNATURE_MIN}
        chords = [c for c in (chord_bar_share(p) for p in mine) if c is not None]
        if chords:
            row["chord_bars"] = {"min_share": round(min(chords), 3), "ok": min(chords) >= CHORD_BARS_MIN}
        repeats = [r for r in (repeats_one_bar(p) for p in mine) if r is not None]
        if repeats:
            row["drums_repeat_one_bar"] = {"parts": sum(repeats), "of": len(repeats), "ok": not any(repeats)}
        if key in WALKING:
            walks = [walking_bass(p) for p in mine]
            beats, steps = min(w[0] for w in walks), min(w[1] for w in walks)
            row["walking_bass"] = {"min_beats": round(beats, 3), "min_steps": round(steps, 3),
                                   "ok": beats >= WALK_BEATS_MIN and steps >= WALK_STEPS_MIN}
        row["ok"] = all(v["ok"] for v in row.values() if isinstance(v, dict))
        styles[key] = row
    fills = fill_figures(pieces)
    failing = sorted(k for k, row in styles.items() if not row["ok"])
    return {"styles": styles, "fills": {**fills.__dict__, "ok": fills.ok}, "failing_styles": failing,
            "ok": not failing and fills.ok,
            "thresholds": {"signature": SIGNATURE_MIN, "chord_bars": CHORD_BARS_MIN,
                           "max_styles_per_fill": MAX_STYLES_PER_FILL, "min_styles_with_fills": MIN_STYLES_WITH_FILLS,
                           "walk_beats": WALK_BEATS_MIN, "walk_steps": WALK_STEPS_MIN}}
