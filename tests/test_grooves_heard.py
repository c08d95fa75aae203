"""Each style plays its own groove, heard in the written MIDI over 26 styles x 3 seeds.

Prompts go the real way (parse -> compose -> MIDI bytes) and the file is read back by composer.learn.analyze's
reader, never by asking the arranger what it meant to write. Checked: the style's drum signature (backbeat,
four on the floor, one drop, son clave, swung cymbals, bossa rim, samba surdo...), a chord part wherever the
request has a chord instrument beside the lead, no phrase-end fill shared by more than two styles,
bar-to-bar variation in every drum part, and a walking bass in swing and bebop. The review of 2026-12-01
found one tom fill in 16 of 17 drum styles and one repeated bar in 39 of 51 drum parts; the figures print
with `pytest -s`. Failing pieces are written to tests/_artifacts/.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from composer.arrange.arranger import POLYPHONIC
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.learn.analyze import DRUM_CHANNEL_1BASED, HeardNote, MidiFacts, read_midi
from prompts import parse

ARTIFACTS = Path(__file__).parent / "_artifacts"
SEEDS = (1, 2, 3)
KICKS, SNARES, TOMS = {35, 36}, {37, 38, 39, 40}, {41, 43, 45, 47, 48, 50}
CYMBALS = {42, 44, 46, 51, 53, 59}

Bar = dict[int, set[float]]
"""One bar of drums: GM note -> onsets in quarters from the bar line."""


def _on(bar: Bar, notes: set[int], beats: set[float]) -> bool:
    return beats <= {t for n in notes for t in bar.get(n, set())}


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


def _share(items: list, test: Callable) -> float:
    return sum(1 for item in items if test(item)) / max(1, len(items))


SUITE: dict[str, tuple[str, Callable[[list[Bar]], float] | None]] = {
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
WALKING = ("bebop", "swing")


@dataclasses.dataclass
class Heard:
    """One written piece, read back."""

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
                index = int(n.start_q // self.bar_quarters + 1e-6)
                if index < self.bars:
                    bars[index].setdefault(n.pitch, set()).add(round(n.start_q - index * self.bar_quarters, 3))
        return bars

    def by_program(self) -> dict[int, list[HeardNote]]:
        parts: dict[int, list[HeardNote]] = {}
        for n in self.facts.pitched:
            parts.setdefault(n.channel, []).append(n)
        return parts


@cache
def heard(key: str, seed: int) -> Heard:
    spec = dataclasses.replace(parse(SUITE[key][0]), seed=seed)
    midi = piece_to_midi_bytes(compose(spec))
    chord_players = [i for i in spec.instruments if i.program in POLYPHONIC]
    return Heard(key, seed, midi, read_midi(midi), spec.bar_quarters, spec.bars, bool(chord_players))


def _keep(piece: Heard, what: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"grooves_{what}_{piece.key}_{piece.seed}.mid"
    path.write_bytes(piece.midi)
    return str(path)


def _body(piece: Heard) -> list[Bar]:
    """The drum bars between the first (a crash) and the last (the closing hit)."""
    return piece.drum_bars()[1:-1]


@pytest.mark.parametrize("key", [k for k, (_, sig) in SUITE.items() if sig is not None])
def test_each_style_plays_its_drum_signature(key: str) -> None:
    signature = SUITE[key][1]
    assert signature is not None
    for seed in SEEDS:
        piece = heard(key, seed)
        share = signature(_body(piece))
        assert share >= 0.5, f"{key} seed {seed}: {signature.__name__} in {share:.0%} of bars ({_keep(piece, 'sig')})"


def _fill_bar(piece: Heard) -> frozenset | None:
    """The drums of the bar closing the first eight-bar phrase, when they differ from the bar before."""
    bars = piece.drum_bars()
    if len(bars) < 9 or not bars[7]:
        return None
    figure = frozenset((n, t) for n, times in bars[7].items() for t in times)
    before = frozenset((n, t) for n, times in bars[6].items() for t in times)
    return figure if figure != before else None


def test_no_fill_is_shared_by_more_than_two_styles() -> None:
    owners: dict[frozenset, set[str]] = {}
    tom_runs = 0
    styles_with_fills = set()
    for key in SUITE:
        for seed in SEEDS:
            fill = _fill_bar(heard(key, seed))
            if fill is not None:
                owners.setdefault(fill, set()).add(key)
                styles_with_fills.add(key)
                tom_runs += {47, 45, 43, 41} <= {n for n, _ in fill}
    shared = max(len(keys) for keys in owners.values())
    print(f"\nfills: {len(owners)} distinct figures in {len(styles_with_fills)} styles; the most shared is played by "
          f"{shared} styles; the 47-45-43-41 tom run closes {tom_runs} of {len(SUITE) * len(SEEDS)} phrases")
    assert len(styles_with_fills) >= 15
    assert shared <= 2, [sorted(keys) for keys in owners.values() if len(keys) > 2]


def test_every_drum_part_varies_from_bar_to_bar() -> None:
    """Inside each four-bar phrase (its second and third bars: away from the crash that opens it and the fill
    that closes it), crash cymbals aside, no drum part plays one bar over and over; the review's count, 39 of
    its 51 drum parts, is reproduced by this reading of the old hand-written patterns."""
    repeated = []
    parts = 0
    for key in SUITE:
        for seed in SEEDS:
            piece = heard(key, seed)
            bars = [frozenset((n, t) for n, times in b.items() for t in times if n not in (49, 57))
                    for index, b in enumerate(piece.drum_bars()[:-1]) if index % 4 in (1, 2)]
            if not any(bars):
                continue
            parts += 1
            if len(set(bars)) < 2:
                repeated.append(f"{key}/{seed} ({_keep(piece, 'repeat')})")
    print(f"\ndrum parts repeating one bar inside their phrases: {len(repeated)} of {parts}")
    assert parts >= 60 and not repeated, repeated


def test_band_styles_have_a_chord_part() -> None:
    """Wherever the request has an instrument that can play chords (keyboards, guitars, organs, pads), some
    part plays chords (three or more notes struck together) in half the bars or more; the review found none in 11 of 26
    prompts (a request of lead, bass and drums alone has no one to play them: see the closing note)."""
    missing, counted, unnamed = [], 0, set()
    for key in SUITE:
        for seed in SEEDS:
            piece = heard(key, seed)
            if not piece.has_chord_instrument:
                unnamed.add(key)
                continue
            counted += 1
            chorded = set()
            for notes in piece.by_program().values():
                onsets = Counter(round(n.start_q, 2) for n in notes)
                chorded |= {int(t // piece.bar_quarters) for t, count in onsets.items() if count >= 3}
            if len(chorded) < 0.5 * piece.bars:
                missing.append(f"{key}/{seed} ({_keep(piece, 'chords')})")
    print(f"\nchord parts: {counted - len(missing)} of {counted} pieces with a chord instrument; no chord "
          f"instrument in the request: {sorted(unnamed)}")
    assert counted >= 20 and not missing, missing


@pytest.mark.parametrize("key", WALKING)
def test_swing_and_bebop_walk_the_bass(key: str) -> None:
    for seed in SEEDS:
        piece = heard(key, seed)
        lowest = min(piece.by_program().values(), key=lambda ns: sum(n.pitch for n in ns) / len(ns))
        beats = {round(n.start_q, 3) for n in lowest if abs(n.start_q - round(n.start_q)) < 1e-3}
        total = int(piece.bars * piece.bar_quarters) - int(piece.bar_quarters)
        pitches = [n.pitch for n in sorted(lowest, key=lambda n: n.start_q)]
        moves = [abs(a - b) for a, b in zip(pitches, pitches[1:], strict=False)]
        assert len(beats) >= 0.75 * total, f"{key}/{seed}: {len(beats)} of {total} beats ({_keep(piece, 'walk')})"
        assert sum(1 for m in moves if 0 < m <= 5) >= 0.6 * len(moves), f"{key}/{seed} does not walk"
