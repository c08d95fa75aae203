"""Meter as the accompaniment feels it: counting units, beat groups and beats for every time signature.

Bass lines, comping and drum grooves are written against beats, not against "4/4", so one pattern works
in 5/4 (3+2), 7/8 (2+2+3) or 12/8 (four dotted quarters).
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.spec import Spec


@dataclass(frozen=True)
class Meter:
    """A bar as `groups` of counting `unit`s (quarters in x/4 and x/2, eighths in x/8)."""

    bar_quarters: float
    unit: float
    groups: tuple[int, ...]

    @property
    def compound(self) -> bool:
        """True when the beat is a group of eighths (6/8, 9/8, 12/8, 7/8)."""
        return self.unit < 1.0

    def group_starts(self) -> list[float]:
        """Onsets (in quarters from the bar line) of each beat group."""
        starts, t = [], 0.0
        for size in self.groups:
            starts.append(t)
            t += size * self.unit
        return starts

    def unit_starts(self) -> list[float]:
        """Onsets of every counting unit in the bar."""
        count = sum(self.groups)
        return [i * self.unit for i in range(count)]

    def beats(self) -> list[tuple[float, float]]:
        """(onset, length) of each felt beat: quarters in simple meters, groups in compound ones."""
        if not self.compound:
            return [(t, self.unit) for t in self.unit_starts()]
        return [(start, size * self.unit) for start, size in zip(self.group_starts(), self.groups, strict=True)]


def _groups(count: int) -> tuple[int, ...]:
    if count % 3 == 0 and count > 3:
        return (3,) * (count // 3)
    if count <= 3:
        return (count,)
    twos, rest = divmod(count, 2)
    if rest == 0:
        return (2,) * twos
    return (2,) * (twos - 1) + (3,) if count != 5 else (3, 2)


def meter_of(spec: Spec) -> Meter:
    """The Meter of a spec's time signature (2/2 counts in quarters, like 4/4)."""
    num, den = spec.meter
    if den == 8:
        return Meter(spec.bar_quarters, 0.5, _groups(num))
    units = round(spec.bar_quarters)
    return Meter(spec.bar_quarters, 1.0, _groups(units) if units != 6 else (3, 3))


def split_point(bar_quarters: float, numerator: int, denominator: int) -> float:
    """Where a bar with two chords changes chord: the middle, or the meter's main group boundary."""
    eighths = round(bar_quarters * 2)
    if denominator == 8 and numerator in (7, 5):
        return 2.0 if numerator == 7 else 1.5
    if denominator == 8 and numerator == 9:
        return 3.0
    if denominator in (4, 2) and numerator in (3, 5, 7):
        return float((numerator + 1) // 2) * 4.0 / denominator
    return eighths / 4.0
