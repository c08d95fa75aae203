"""The originality guard against the real index of the corpus melodies Motif learned from."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from composer.generate import OriginalityError, compose_original
from composer.melody.corpus import load_melodies
from composer.melody.source import load_default_melody_source
from composer.originality import DEFAULT_THRESHOLD_NOTES, OriginalityIndex, tune_of
from composer.piece import Chord, Note, Piece, Track
from prompts.spec import Instrument, Spec


@pytest.fixture(scope="module")
def index() -> OriginalityIndex:
    return OriginalityIndex.load()


@pytest.fixture(scope="module")
def tune():
    """A real corpus melody with enough notes to quote."""
    return next(m for m in load_melodies() if len(m.notes) >= 40 and m.meter == "4/4" and m.mode == "major")


def test_a_transposed_quote_is_found_with_its_length_and_source(index: OriginalityIndex, tune) -> None:
    quote = [(p + 5, o + 3.0, d) for p, o, d in tune.notes[10:24]]
    report = index.check(quote)
    assert report.longest_match_notes >= 14 and report.source == tune.id and not report.passed


@pytest.mark.parametrize("source", ["openmsx", "freedoom", "lmms", "blupi"])
def test_a_quote_of_a_lead_line_is_found_too(index: OriginalityIndex, source: str) -> None:
    """The model learned from the Debian lead lines as well, so the guard checks against them (they are read
    from their own files when the index loads; the committed corpus index alone does not know them)."""
    from composer.originality import LEADS_DIR

    lead = max((m for m in load_melodies(LEADS_DIR) if m.source == source), key=lambda m: len(m.notes))
    quote = [(p - 3, o + 1.0, d) for p, o, d in lead.notes[:16]]
    report = index.check(quote)
    assert report.longest_match_notes >= 14 and not report.passed, report
    assert OriginalityIndex.load(leads=None).check(quote).longest_match_notes < report.longest_match_notes


def test_an_original_line_passes(index: OriginalityIndex) -> None:
    rng = np.random.default_rng(0)
    pitches = 67 + np.cumsum(rng.choice([-4, -3, 3, 4, 5, -5], size=40))
    line = [(int(p), i * 0.75, 0.75) for i, p in enumerate(pitches)]
    report = index.check(line)
    assert report.passed and report.longest_match_notes < DEFAULT_THRESHOLD_NOTES


def test_a_quote_hidden_under_left_hand_chords_is_still_found(index: OriginalityIndex, tune) -> None:
    spec = Spec(bars=tune.bars, time_signature=tune.meter, instruments=(Instrument("piano", 0, "melody"),))
    notes = [Note(p + 12, o, d) for p, o, d in tune.notes[:20]]
    notes += [Note(48 + k, o, d) for _, o, d in tune.notes[:20] for k in (0, 4, 7)]
    piece = Piece(spec, [Track("piano", 0, "melody", notes)], [])
    raw = index.check([(n.pitch, n.start, n.duration) for n in notes])
    assert raw.passed, "mixed with chords, the raw note list hides the quote"
    assert not index.check(tune_of(piece)).passed, "the skyline shows it"


class QuotingMelody:
    """A melody source that quotes a corpus tune for its first `quotes` calls, then writes its own."""

    name = "quoting"

    def __init__(self, tune, quotes: int) -> None:
        self.tune, self.quotes, self.calls = tune, quotes, 0
        self.own = load_default_melody_source()

    def generate(self, spec: Spec, chords: list[Chord], rng: np.random.Generator,
                 allow_chromatic: bool = False, context: list[Note] | None = None,
                 section: str | None = None) -> list[Note]:
        self.calls += 1
        if self.calls <= self.quotes:
            end = spec.bars * spec.bar_quarters
            return [Note(p + 12, o, min(d, end - o)) for p, o, d in self.tune.notes if o < end]
        return self.own.generate(spec, chords, rng, allow_chromatic, context, section)


def test_a_copying_candidate_is_regenerated_and_never_posted(index: OriginalityIndex, tune) -> None:
    spec = dataclasses.replace(Spec(prompt="x", bars=8, time_signature=tune.meter, mode="major"), seed=3)
    made = compose_original(spec, QuotingMelody(tune, quotes=2), index)
    assert made.attempts == 3 and made.originality is not None and made.originality.passed
    with pytest.raises(OriginalityError, match="attempts copied"):
        compose_original(spec, QuotingMelody(tune, quotes=99), index, max_attempts=3)


def test_a_left_hand_under_the_tunes_rests_does_not_hide_a_copy(index: OriginalityIndex, tune) -> None:
    """A solo keyboard plays the tune and its accompaniment in one part; chords struck in the tune's rests are
    on top while it rests, and one such chord used to split a copied melody in two for the guard (chords
    before the tune begins stay in the line: they split nothing)."""
    end = 32.0
    quoted = [Note(p + 12, o, min(d, end - o)) for p, o, d in tune.notes if o < end]
    line_end = max(n.start + n.duration for n in quoted)
    rests = [t for t in np.arange(quoted[0].start, line_end, 0.5)
             if not any(n.start - 1e-6 <= t < n.start + n.duration - 1e-6 for n in quoted)]
    left_hand = [Note(p, float(t), 0.4) for t in rests for p in (48, 52, 55)]
    assert left_hand, "the tune has rests for the left hand to fill"
    spec = dataclasses.replace(Spec(prompt="x", bars=8, time_signature=tune.meter, mode="major"), seed=3)
    piece = Piece(spec, [Track("Piano", 0, "melody", sorted(quoted + left_hand, key=lambda n: n.start))], [])
    assert [(p, o) for p, o, _ in tune_of(piece)] == [(n.pitch, n.start) for n in quoted]
    assert not index.check(tune_of(piece)).passed
