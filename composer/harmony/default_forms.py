"""The form each style plays when the user names none: AABA standards, verse-chorus songs, AABB dance tunes,
12-bar blues choruses, the chorale's bar form, ternary art music, electronic loops, through-composed drones.

Why a form at all: a piece whose opening never returns has no hook (the listening review of 2026-12-01
measured 5% of melody bars repeating an earlier bar's intervals, against 24-34% in real folk tunes). A
section heard again is played with the same harmony and tune, but for a new cadence bar where its close
changes (`composer.generate.compose_sections`), so choosing a form is what makes the music repeat where a
musician would repeat it.

The table is data, one entry per style family (`FAMILIES`) and one family per genre id (`STYLE_FAMILIES`,
`composer.styles.STYLES` keys; a genre not listed, and no genre, is a song: verse-chorus). A family lays out
over a bar count by the first of its layouts whose sections come out a phrase long (`Layout.unit_bars`)
and at least `MIN_SECTION_QUARTERS` long in the piece's meter; a count that fits none (a 16-bar blues,
8 bars of AABA) gets no form, the unsectioned shape. The Spec is left alone: `Spec.form` stays the user's
(empty when they named none) and the default is worked out again wherever the piece is laid out, from the
same genre, bars and meter, so it is the same every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.spec import Section, Spec

MIN_SECTION_QUARTERS = 8.0
"""The shortest section (in quarter notes) that is heard as a section and not as a fragment: two bars of
4/4, four of 2/4; a section of six quarter notes (two bars of 3/4) is a motif, not a part of a form."""


@dataclass(frozen=True)
class Layout:
    """One way a form family lays out: its sections as (name, length in units), laid out as many as
    `max_rounds` times in a row (a 32-bar song is verse-chorus twice), with a unit (bars) among `unit_bars`,
    the phrase lengths of this music, the longest preferred."""

    sections: tuple[tuple[str, int], ...]
    unit_bars: tuple[int, ...]
    max_rounds: int = 2


Family = tuple[Layout, ...]
"""A default form family: its layouts, tried in order."""

_A, _B = ("A", 1), ("B", 1)

FAMILIES: dict[str, Family] = {
    # Standards: the 32-bar song form, 8+8+8+8 (a 16-bar tune, 4 each).
    "aaba": (Layout((_A, _A, _B, _A), (8, 4)),),
    # Songs: 16 bars are a verse of 8 and a 4-bar chorus hook sung twice; 32 are verse-chorus twice, 8 each.
    "verse_chorus": (Layout((("verse", 2), ("chorus", 1), ("chorus", 1)), (4,), max_rounds=1),
                     Layout((("verse", 1), ("chorus", 1)), (8,))),
    # Dance tunes: two strains, each played twice (a 32-bar reel is 8+8+8+8).
    "aabb": (Layout((_A, _A, _B, _B), (8, 4)),),
    # Baroque dances: two strains of eight bars (a minuet's strains are not four-bar tags), each played twice
    # where the piece is long enough.
    "binary": (Layout((_A, _A, _B, _B), (8,)), Layout((_A, _B), (8, 4))),
    # Blues: one 12-bar chorus after another (the AAB of its lines is inside the 12-bar plan).
    "blues": (Layout((_A,), (12,), max_rounds=8),),
    # Chorales: bar form, two Stollen and an Abgesang as long as both.
    "bar_form": (Layout((_A, _A, ("B", 2)), (4, 2)),),
    # Art music: ternary ABA, else the rounded binary AABA.
    "ternary": (Layout((_A, _B, _A), (8, 4)), Layout((_A, _A, _B, _A), (8, 4))),
    # Electronic: a 4- or 8-bar loop that returns around one contrasting B, or simply repeats.
    "loop": (Layout((_A, _A, _B, _A), (8, 4)), Layout((_A, _A), (8, 4))),
    # Ambient and drones: through-composed, nothing returns.
    "through": (),
}
"""How each family lays out (a section name is a letter or a `prompts.spec.SECTION_NAMES` name)."""

STYLE_FAMILIES: dict[str, str] = {
    "jazz": "aaba", "swing": "aaba", "jazz_waltz": "aaba", "bossa_nova": "aaba", "lullaby": "aaba",
    "blues": "blues",
    "pop": "verse_chorus", "rock": "verse_chorus", "metal": "verse_chorus", "neo_soul": "verse_chorus",
    "gospel": "verse_chorus", "reggae": "verse_chorus", "latin": "verse_chorus", "sea_shanty": "verse_chorus",
    "folk": "aabb", "celtic": "aabb", "reel": "aabb", "jig": "aabb", "hornpipe": "aabb", "polka": "aabb",
    "waltz": "aabb", "march": "aabb", "klezmer": "aabb", "baroque": "binary", "ragtime": "aabb", "tango": "aabb",
    "medieval": "aabb",
    "chorale": "bar_form",
    "classical": "ternary", "romantic": "ternary", "cinematic": "ternary",
    "house": "loop", "techno": "loop", "trap": "loop", "lofi": "loop", "synthwave": "loop", "edm": "loop",
    "hip_hop": "loop", "chiptune": "loop", "funk": "loop", "flamenco": "loop",
    "ambient": "through",
}
"""Genre id -> its form family (baroque dances such as the minuet are binary: eight-bar strains, each played
twice where the piece is long enough for that, AABB; sixteen bars are the two strains once, AB)."""

SONG_FAMILY = "verse_chorus"
"""The family of a genre not in the table and of no genre (the default style is a pop song)."""


def family_for(genre: str | None) -> Family:
    """The form family a genre plays when the user names no form."""
    return FAMILIES[STYLE_FAMILIES.get(genre or "", SONG_FAMILY)]


def lay_out(family: Family, bars: int, bar_quarters: float) -> tuple[Section, ...]:
    """The family's form over `bars` bars: the first layout and round count (fewest rounds first, then the
    longest unit) whose sections are whole phrases; () when none fits or the form would be a single section
    (nothing returns, so the piece is simply composed through)."""
    for layout in family:
        units = sum(n for _, n in layout.sections)
        shortest = min(n for _, n in layout.sections)
        for rounds in range(1, layout.max_rounds + 1):
            for unit in layout.unit_bars:
                if unit * units * rounds != bars or unit * shortest * bar_quarters < MIN_SECTION_QUARTERS:
                    continue
                sections = tuple(Section(name, unit * n) for name, n in layout.sections) * rounds
                return sections if len(sections) > 1 else ()
    return ()


def default_form(spec: Spec) -> tuple[Section, ...]:
    """The style's form for this piece (its genre, bars and meter), or () for the unsectioned shape.

    The user's own progression is kept looping through the piece as they gave it: a default form is used
    with it only where the progression's cycle fits every section a whole number of times (each section
    starts the progression again), else the piece is left unsectioned."""
    form = lay_out(family_for(spec.genre), spec.bars, spec.bar_quarters)
    if form and spec.chords:
        cycle = len(spec.chords) / spec.chords_per_bar
        if any(abs(s.bars / cycle - round(s.bars / cycle)) > 1e-9 or s.bars < cycle for s in form):
            return ()
    return form


__all__ = ["FAMILIES", "MIN_SECTION_QUARTERS", "STYLE_FAMILIES", "Family", "Layout", "default_form", "family_for",
           "lay_out"]
