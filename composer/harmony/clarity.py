"""Does a harmony plan establish the key it was asked for?

A progression drawn from a style's templates can lean so hard on its dominant (a ii-V every other bar) or
its mediant that a listener, and a key finder, hears another key. This scores a plan the way the output
checks hear the piece, with the Krumhansl-Kessler key profiles over its chord tones (roots and bass notes
weighted as the arrangement sounds them), so `compose` can prefer a plan that says the requested key.
"""

from __future__ import annotations

import numpy as np

from composer.piece import Chord, Piece
from composer.theory import chord_pcs, scale_pcs, tonic_pc
from prompts.music import MINOR_THIRD_MODES, MODE_INTERVALS
from prompts.spec import Spec

MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
ROOT_WEIGHT = 1.5
BASS_WEIGHT = 1.0


def chord_weights(chords: list[Chord]) -> np.ndarray:
    """Duration-weighted pitch-class weights of a plan: every chord tone, plus extra for root and bass."""
    weights = np.zeros(12)
    for chord in chords:
        for pc in chord_pcs(chord.root_pc, chord.quality):
            weights[pc % 12] += chord.duration
        weights[chord.root_pc % 12] += ROOT_WEIGHT * chord.duration
        bass = chord.root_pc if chord.bass_pc is None else chord.bass_pc
        weights[bass % 12] += BASS_WEIGHT * chord.duration
    return weights


def key_correlations(weights: np.ndarray) -> dict[tuple[int, str], float]:
    """Pearson correlation of the weights with each of the 24 rotated key profiles."""
    scores = {}
    for pc in range(12):
        for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            scores[(pc, mode)] = float(np.corrcoef(weights, np.roll(profile, pc))[0, 1])
    return scores


def says_key(found: tuple[int, str], spec: Spec) -> bool:
    """The same rule the output checks use: the requested tonic and family, or a key with exactly the
    requested mode's pitch collection (a modal piece heard through major/minor profiles)."""
    family = "minor" if spec.mode in MINOR_THIRD_MODES else "major"
    if found == (tonic_pc(spec.tonic), family):
        return True
    found_scale = {(found[0] + step) % 12 for step in MODE_INTERVALS["minor" if found[1] == "minor" else "major"]}
    return found_scale == set(scale_pcs(spec.tonic, spec.mode))


def weights_say_key(weights: np.ndarray, spec: Spec) -> bool:
    """Does the key that best fits these pitch-class weights say the requested key (see `says_key`)?"""
    scores = key_correlations(weights)
    return says_key(max(scores, key=scores.get), spec)


def piece_says_key(piece: Piece) -> bool:
    """Does the whole arranged piece, heard the way the output checks hear it (every pitched note weighted by
    its duration in sixteenths, at least one), say the key it was asked for? A harmony plan can say the key
    and a melody can still pull the ear to the relative key or the dominant."""
    weights = np.zeros(12)
    for track in piece.tracks:
        if not track.is_drum:
            for note in track.notes:
                weights[note.pitch % 12] += max(0.25, round(note.duration * 4) / 4)
    return not weights.any() or weights_say_key(weights, piece.spec)


def clarity(chords: list[Chord], spec: Spec) -> tuple[bool, float]:
    """(does the plan's best key say the requested key, margin of the requested key over the best other)."""
    scores = key_correlations(chord_weights(chords))
    best = max(scores, key=scores.get)
    family = "minor" if spec.mode in MINOR_THIRD_MODES else "major"
    wanted = scores[(tonic_pc(spec.tonic), family)]
    others = max(v for k, v in scores.items() if k != (tonic_pc(spec.tonic), family))
    return says_key(best, spec), wanted - others
