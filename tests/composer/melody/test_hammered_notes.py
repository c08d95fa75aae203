"""A line does not hammer one note: after RUN_FREE strikes of a pitch in a row, striking it again costs
RUN_PENALTY (`composer.melody.constraints`), read from the mask and from the written MIDI of the committed
model's tunes.

Why: the learned lines ran one pitch four times or more in 67% of the review's folk pieces (real folk tunes of
the corpus, first 16 bars: 27%), blues 83% (22%), electronic 73% (32%); the listening review heard the reel's
F#F#F#F#, six F#s opening a folk song, six repeated G's opening the reggae tune and the chiptune's bars of Cs.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bot.studio import load_melody_source
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose_original
from composer.learn.analyze import melody_notes
from composer.melody.constraints import RUN_FREE, RUN_PENALTY, Constraints
from composer.melody.sample import melody_request
from composer.melody.tokens import MotifTokenizer
from composer.piece import Chord
from prompts import parse
from prompts.spec import Spec

SPEC = Spec(prompt="x", tonic="C", mode="major", time_signature="4/4", bars=4, genre="reel")
CHORDS = [Chord(i * 4.0, 4.0, root, "maj", "C") for i, root in enumerate((0, 5, 7, 0))]
FOLK = ("a lively celtic reel in D for tin whistle and fiddle, 16 bars", "a folk song in E minor, 16 bars",
        "a gentle waltz in F, 16 bars", "a triumphant march in Bb with brass and drums, 16 bars")


def pitch_logits(constraints: Constraints, tokenizer: MotifTokenizer, pitches: list[int]) -> dict[int, float]:
    """The mask's value for each allowed pitch after a line of quarter notes on `pitches`, at the next beat
    (after three, the bar's fourth: weak, no chord-tone bonus; after two, its third: strong)."""
    line = [(p, float(i), 1.0) for i, p in enumerate(pitches)] + [(pitches[-1], float(len(pitches)), 1.0)]
    ids = tokenizer.encode_notes(line, SPEC.time_signature)
    row = constraints.new_row()
    for token in ids[:-2]:  # up to the last note's Position: a Pitch comes next
        constraints.advance(row, token)
    mask = constraints.mask(row)
    return {int(tokenizer.id_to_token[i].split("_")[1]): float(mask[i])
            for i in constraints.pitch_ids if mask[i] > -1e8}


def test_the_fourth_strike_of_one_pitch_costs_the_run_penalty() -> None:
    tokenizer = MotifTokenizer()
    constraints = Constraints(tokenizer, melody_request(SPEC, CHORDS, 0, False))
    hammered = pitch_logits(constraints, tokenizer, [64] * RUN_FREE)
    moving = pitch_logits(constraints, tokenizer, [62] + [64] * (RUN_FREE - 1))
    assert hammered and hammered.keys() == moving.keys()
    assert np.isclose(moving[64] - hammered[64], RUN_PENALTY)
    assert all(np.isclose(moving[p], hammered[p]) for p in hammered if p != 64), "only the hammered pitch pays"


def _longest_run(pitches: list[int]) -> int:
    best = run = 1
    for a, b in zip(pitches, pitches[1:], strict=False):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


def test_folk_tunes_hammer_a_note_about_as_often_as_real_ones() -> None:
    """Four folk prompts x seeds 1-3, from the written MIDI: a run of five or more of one pitch in 4 of the 12
    pieces without the penalty, 2 with it (real folk tunes: 10% of pieces); four or more in 8 and 7 (real 27%)."""
    source = load_melody_source("model")
    runs = []
    for prompt in FOLK:
        for seed in (1, 2, 3):
            spec = dataclasses.replace(parse(prompt), seed=seed)
            piece = compose_original(spec, source).piece
            notes = sorted(melody_notes(piece_to_midi_bytes(piece), spec), key=lambda n: n.start_q)
            runs.append(_longest_run([n.pitch for n in notes]))
    assert sum(r >= 5 for r in runs) <= 2, runs
