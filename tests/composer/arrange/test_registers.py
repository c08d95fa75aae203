"""The lead stays heard: chord and pad parts sound under the lead, read from the written MIDI.

Why: the listening review heard the piano of a jazz ballad comp above the tenor sax, the synth lead of trap and
synthwave sit inside the pad's voicing, and the tin whistle of a celtic reel buried in the guitar's strumming. A
band keeps its accompaniment under the lead. The figure: of the lead's notes (its track's top line, as
`composer.learn.analyze.melody_notes` reads it), the share that start while a chord or pad part of another
instrument sounds a note as high or higher (`lead_covered`). The whole review suite over three seeds, with the
roles each prompt gets: `python -m tests.composer.arrange.test_registers [model|markov]`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable

import numpy as np
import pytest

from composer.arrange import arrange
from composer.arrange.registers import MIN_COMPING_SPAN, keep_under, lead_octave, tune_low, under_tune
from composer.files.midi import midi_bytes_to_piece, piece_to_midi_bytes
from composer.harmony.plan import plan_harmony
from composer.learn.analyze import COMP_BELOW_SEMITONES
from composer.piece import Note, Piece
from composer.ranges import instrument_range, role_window
from composer.styles import style_for
from prompts import parse
from prompts.spec import Instrument, Spec
from tests.composer.arrange.test_arrange import ChordToneMelody

COMPING_ROLES = ("chords", "pad")


def _read_back(piece: Piece) -> Piece:
    """The piece as its MIDI file has it; roles by track order (four choir tracks share one name)."""
    heard = midi_bytes_to_piece(piece_to_midi_bytes(piece), piece.spec)
    pitched = [t for t in heard.tracks if not t.is_drum]
    if len(pitched) == len(piece.spec.instruments):
        for track, inst in zip(pitched, piece.spec.instruments, strict=True):
            track.role = inst.role
    return heard


def top_line(notes: list[Note]) -> list[Note]:
    """A track's tune: notes that start while no higher note of the track sounds and lie within an octave of
    the tune's middle (the rule `melody_notes` reads the written file by)."""
    top = [n for n in notes if not any(o.pitch > n.pitch and o.start <= n.start + 1e-6 < o.end for o in notes)]
    if not top:
        return []
    median = sorted(n.pitch for n in top)[len(top) // 2]
    return [n for n in top if n.pitch > median - COMP_BELOW_SEMITONES]


def _sounding_top(notes: Iterable[Note], t: float) -> int | None:
    pitches = [n.pitch for n in notes if n.start <= t + 1e-6 < n.end - 1e-6]
    return max(pitches) if pitches else None


def lead_covered(piece: Piece) -> tuple[int, int, int]:
    """(lead notes, under a comping part's top note, at or under it) over the written MIDI of `piece`."""
    heard = _read_back(piece)
    lead = next((t for t in heard.tracks if t.role == "melody" and not t.is_drum), None)
    comping = [n for t in heard.tracks if t.role in COMPING_ROLES and t is not lead and not t.is_drum
               for n in t.notes]
    if lead is None or not comping:
        return 0, 0, 0
    under = at_or_under = 0
    tune = top_line(lead.notes)
    for note in tune:
        top = _sounding_top(comping, note.start)
        if top is not None:
            under += top > note.pitch
            at_or_under += top >= note.pitch
    return len(tune), under, at_or_under


def comping_motion(piece: Piece) -> tuple[int, int, int]:
    """(moves, semitones moved, leaps over a fifth) of the chord and pad parts' top voice from hit to hit in the
    written MIDI: what keeping under the lead costs the voice leading."""
    heard = _read_back(piece)
    moves = moved = leaps = 0
    for track in heard.tracks:
        if track.role not in COMPING_ROLES or track.is_drum:
            continue
        tops: dict[float, int] = {}
        for note in track.notes:
            key = round(note.start, 2)
            tops[key] = max(tops.get(key, 0), note.pitch)
        line = [tops[t] for t in sorted(tops)]
        for a, b in zip(line, line[1:], strict=False):
            moves, moved, leaps = moves + 1, moved + abs(b - a), leaps + (abs(b - a) > 7)
    return moves, moved, leaps


def review(engine: str = "model", seeds: tuple[int, ...] = (11, 12, 13)) -> dict[str, object]:
    """The review suite composed per seed: each prompt's roles and its covered share, and the suite's share."""
    from bot.cli.evaluation import REVIEW_SUITE
    from composer.generate import compose
    from tests.engines import melody_source

    rows: dict[str, object] = {}
    total = under = at_or_under = 0
    motion = [0, 0, 0]
    for _, key, prompt in REVIEW_SUITE:
        spec = parse(prompt)
        counts = [0, 0, 0]
        for seed in seeds:
            piece = compose(dataclasses.replace(spec, seed=seed), melody_source(engine))
            counts = [a + b for a, b in zip(counts, lead_covered(piece), strict=True)]
            motion = [a + b for a, b in zip(motion, comping_motion(piece), strict=True)]
        total, under, at_or_under = total + counts[0], under + counts[1], at_or_under + counts[2]
        rows[key] = {"roles": [f"{i.name}:{i.role}" for i in spec.instruments],
                     "lead_notes": counts[0], "under_comping": counts[1], "at_or_under": counts[2]}
        print(key, rows[key], file=sys.stderr, flush=True)
    rows["all"] = {"lead_notes": total, "under_comping_share": round(under / max(1, total), 4),
                   "at_or_under_share": round(at_or_under / max(1, total), 4),
                   "comping_top_voice_mean_move": round(motion[1] / max(1, motion[0]), 3),
                   "comping_top_voice_leaps_over_a_fifth": round(motion[2] / max(1, motion[0]), 4)}
    return rows


def test_a_hit_reaching_the_tune_drops_its_top_notes_an_octave() -> None:
    """The next inversion of the same chord under the tune: the pitch classes kept, no note as high as the tune
    sounding over the hit, nothing doubled, a hit with no room below keeping its lowest note."""
    tune = [Note(64, 0.0, 2.0, 80), Note(72, 2.0, 2.0, 80)]
    hits = [Note(p, 0.0, 2.0, 0) for p in (60, 64, 67, 72)] + [Note(p, 2.0, 2.0, 0) for p in (60, 64, 67, 72)]
    kept = keep_under(hits, tune, 48)
    first = sorted(n.pitch for n in kept if n.start == 0.0)
    second = sorted(n.pitch for n in kept if n.start == 2.0)
    assert max(first) < 64 and {p % 12 for p in first} == {0, 4, 7} and len(set(first)) == len(first)
    assert second == [60, 64, 67]  # C5 would double the tune's C5; the rest is already under it
    assert [n.pitch for n in keep_under([Note(70, 0.0, 2.0, 0)], [Note(60, 0.0, 2.0, 80)], 65)] == [70]


def test_the_window_lowers_under_the_tune_and_keeps_room_to_voice() -> None:
    tune = [Note(p, float(i), 1.0, 80) for i, p in enumerate([63, 65, 67, 70, 72, 75, 74, 72])]
    assert tune_low(tune) == 65
    low, high = under_tune(role_window(0, "chords"), 0, tune)
    assert high < 65 and high - low >= MIN_COMPING_SPAN and low >= instrument_range(0)[0]
    high_tune = [Note(p + 24, n.start, n.duration, 80) for n, p in zip(tune, [n.pitch for n in tune], strict=True)]
    assert under_tune(role_window(0, "chords"), 0, high_tune) == role_window(0, "chords")


def test_the_lead_moves_up_only_where_the_comping_has_no_room_and_the_instrument_reaches() -> None:
    low_tune = [Note(p, float(i), 1.0, 80) for i, p in enumerate([53, 55, 58, 60, 62, 63, 65, 67])]
    pad = [role_window(89, "pad")]
    assert lead_octave(low_tune, 81, pad) == 12  # a synth lead has the octave above
    assert lead_octave(low_tune, 66, pad) == 0  # a tenor sax does not (its top is 75)
    assert lead_octave([Note(p + 12, n.start, 1.0, 80) for n, p in zip(low_tune, [n.pitch for n in low_tune],
                                                                        strict=True)], 81, pad) == 0


def _band_piece(instruments: tuple[Instrument, ...], genre: str, seed: int) -> Piece:
    spec = Spec(genre=genre, instruments=instruments, drums=True, bars=8, tonic="Eb", seed=seed)
    style = style_for(genre)
    rng = np.random.default_rng(seed)
    chords = plan_harmony(spec, style, rng)
    melody = ChordToneMelody().generate(spec, chords, rng)
    return Piece(spec=spec, tracks=arrange(spec, style, chords, melody, rng), chords=chords, swing=style.swing)


@pytest.mark.parametrize(("genre", "instruments"), [
    ("jazz", (Instrument("Tenor Sax", 66, "melody"), Instrument("Piano", 0, "chords"), Instrument("Bass", 32, "bass"))),
    ("trap", (Instrument("Lead", 81, "melody"), Instrument("Pad", 89, "pad"), Instrument("808", 38, "bass"))),
    ("celtic", (Instrument("Whistle", 78, "melody"), Instrument("Fiddle", 40, "counter"),
                Instrument("Guitar", 25, "chords"))),
])
def test_the_lead_sounds_over_its_band_in_the_written_midi(genre: str, instruments: tuple[Instrument, ...]) -> None:
    """Whatever the tune does, no chord or pad note sounds as high as the lead note it sounds with (a few of
    the humanised hits may lean into the next note), and the band still plays its chords."""
    for seed in (1, 2):
        piece = _band_piece(instruments, genre, seed)
        notes, _, covered = lead_covered(piece)
        assert notes > 20 and covered <= 0.03 * notes, (genre, seed, notes, covered)
        comping = [t for t in piece.tracks if t.role in COMPING_ROLES]
        bq = piece.spec.bar_quarters
        assert comping and all(all(any(n.start < (b + 1) * bq and n.end > b * bq for n in t.notes)
                                   for b in range(piece.spec.bars)) for t in comping)


def test_a_tin_whistle_plays_in_its_own_octave() -> None:
    """Its lowest note is D5 (composer.ranges): the reel's tune no longer sits down in the guitar's strumming."""
    piece = _band_piece((Instrument("Whistle", 78, "melody"), Instrument("Guitar", 25, "chords")), "celtic", 1)
    lead = next(t for t in piece.tracks if t.role == "melody")
    assert min(n.pitch for n in lead.notes) >= instrument_range(78)[0] == 74


@pytest.mark.parametrize("key", ["jazz_ballad", "trap", "synthwave", "celtic_reel", "salsa"])
def test_review_leads_stay_on_top(key: str) -> None:
    """The review prompts that clashed (the Markov engine: the test does not hang on a checkpoint's notes)."""
    from bot.cli.evaluation import REVIEW_SUITE
    from composer.generate import compose
    from tests.engines import melody_source

    prompt = next(p for _, k, p in REVIEW_SUITE if k == key)
    piece = compose(dataclasses.replace(parse(prompt), seed=11), melody_source("markov"))
    notes, _, covered = lead_covered(piece)
    assert notes > 30 and covered <= 0.03 * notes, (notes, covered)


if __name__ == "__main__":
    import json

    print(json.dumps(review(*(sys.argv[1:2] or ["model"])), indent=1))
