"""Which groove a prompt's free words choose (issue 13): the nearest MMA groove, weighed against the style's own.

Words the rules do not know ("smoky late-night lounge") pick the groove whose own words are nearest
(`composer.arrange.grooves.nearest_grooves`, the prompt's embedding passed in: composer never loads the
encoder). When the prompt names its style, though, the words mostly repeat it ("tight funk groove ... with
slap bass" is near every funk groove because it says funk), so the nearest groove replaces the style's own
choice only where it is clearly nearer than the best of the grooves that style would play (`STYLE_MARGIN`),
and never where the user named the sub-style by its word (disco, bebop, country): the rules read that exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer.arrange.grooves import (
    GROOVE_TEXTS_PATH,
    GROOVES_PATH,
    GrooveMatch,
    nearest_grooves,
    style_grooves,
)
from prompts.spec import Spec

GROOVE_MIN_SIMILARITY = 0.40
"""How close (cosine) a groove's own words must come to the prompt's for its free words to choose it; below,
the style's table chooses as it would without them. Measured over 16 free-word prompts (tests/test_nearest_groove.py
and the issue 13 report): the grooves taken score 0.41-0.68 ("sunday morning church" Hymn 0.43, "a dusty
spaghetti western ride" WesternSwing 0.48); the best of those refused 0.25-0.38 (an arcade, a warehouse rave)."""

STYLE_MARGIN = 0.16
"""How far (in ranking score: similarity plus the tempo preference) the nearest groove must come ahead of the
best groove of the named style's own row to replace it. Measured over the 14 prompts of a 54-prompt set that
name a style, have free words, and whose nearest groove lies outside a row the rules chose without a sub-style
word (the issue 13 report; tests/composer/arrange/test_nearest_groove_style.py keeps some): the nearest was the
worse choice at gaps up to 0.14 ("upbeat jazz for a sunny brunch" MellowJazz over Swing1Walk 0.14, "latin
music for a carnival in rio" Bolero 0.12, "heavy rock anthem for a stadium" RockBallad 0.07) and as good or
better from 0.17 ("blues at a smoky juke joint at midnight" SlowBlues 0.17, "jazz in a smoky late-night lounge"
MellowJazz over Swing2 0.18, "lazy blues on a hot afternoon" SlowBlues 0.29)."""


@dataclass(frozen=True)
class GrooveChoice:
    """What the free words chose: `groove` for Spec.groove (None: the style's table chooses), `note` saying why
    for the Spec's notes (None where nothing came near enough to mention), and the two grooves weighed."""

    groove: str | None
    note: str | None
    nearest: GrooveMatch | None = None
    style_best: GrooveMatch | None = None


def choose_nearest_groove(query: np.ndarray, spec: Spec, named: bool, path: Path = GROOVES_PATH,
                          texts_path: Path = GROOVE_TEXTS_PATH) -> GrooveChoice:
    """The groove a prompt's embedding `query` chooses for `spec`. `named`: the rules read the Spec's genre from
    the prompt's own words (not the encoder from its free words), so the style's own choice stands unless the
    nearest groove beats the best of it by `STYLE_MARGIN`. Without a named style the nearest groove wins
    whenever it comes within GROOVE_MIN_SIMILARITY."""
    found = nearest_grooves(query, spec, k=1, path=path, texts_path=texts_path)
    if not found or found[0].similarity < GROOVE_MIN_SIMILARITY:
        return GrooveChoice(None, None, found[0] if found else None)
    match = found[0]
    plays = f"'{spec.prompt}' plays MMA's {match.name} groove ({match.family}, similarity {match.similarity:.2f})"
    if not named or spec.genre is None:
        return GrooveChoice(match.name, plays, match)
    genre = spec.genre.replace("_", " ")
    own = style_grooves(spec, path)
    if own is None:
        return GrooveChoice(None, f"{genre} plays its own patterns, as the prompt names it: no groove of its table "
                                  f"fits here, and the nearest, {match.name} ({match.similarity:.2f}), does not "
                                  "replace a named style", match)
    fit, names = own
    if match.name in names:
        return GrooveChoice(None, None, match)  # the words agree with the style's own choice: nothing to say
    said = next((word.strip() for word in fit.words if word in f" {spec.prompt.lower()} "), None)
    if said is not None:
        return GrooveChoice(None, f"{genre} plays its own grooves for '{said}', the word the prompt names them by "
                                  f"(the nearest, {match.name} {match.similarity:.2f}, is not one of them)", match)
    ranked = nearest_grooves(query, spec, k=1, path=path, texts_path=texts_path, among=names)
    if not ranked:
        return GrooveChoice(match.name, plays, match)
    best = ranked[0]
    gap = match.score - best.score
    if gap >= STYLE_MARGIN:
        return GrooveChoice(match.name, f"{plays}: nearer the words than {genre}'s own {best.name} "
                                        f"({best.similarity:.2f}) by {gap:.2f}", match, best)
    return GrooveChoice(None, f"{genre} plays its own grooves: the nearest, {match.name} ({match.similarity:.2f}), "
                              f"is not ahead of their best, {best.name} ({best.similarity:.2f}), by {STYLE_MARGIN}",
                        match, best)
