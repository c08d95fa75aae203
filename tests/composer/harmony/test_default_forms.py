"""The style's default form (composer.harmony.default_forms), heard in the written files: a prompt that names no
form is composed in its style's form (a section heard again is the same melody and harmony but for its cadence
bar, read back from the MIDI with symusic; a contrasting section is not), the Spec keeps the user's form (none) and round-trips
unchanged, the MusicXML shows no rehearsal marks for a form the user did not name, and a length that fits no
form of the style is composed through, without a note about it."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
import symusic

from composer.files.midi import piece_to_midi_bytes
from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
from composer.generate import compose
from composer.harmony.default_forms import FAMILIES, STYLE_FAMILIES, default_form, family_for, lay_out
from composer.harmony.form import section_spans
from composer.remix import remix
from composer.styles import STYLES
from prompts import ParseConfig, parse
from prompts.edit import apply_edits, parse_edits
from prompts.spec import TIME_SIGNATURES, Spec
from tests.engines import melody_source

RULES_ONLY = ParseConfig(use_encoder=False)
FORMED = (
    ("jazz standard in F for tenor sax and piano, 32 bars", ["A", "A", "B", "A"]),
    ("a pop song in C with flute, piano, bass and drums, 16 bars", ["verse", "chorus", "chorus"]),  # a lead of its own
    ("an energetic rock song in E with guitar, bass and drums, 32 bars", ["verse", "chorus", "verse", "chorus"]),
    ("a lively reel in D for fiddle, 16 bars", ["A", "A", "B", "B"]),
    ("deep house in A minor with piano and drums, 16 bars", ["A", "A", "B", "A"]),
    ("a slow blues in G with guitar and bass, 24 bars", ["A", "A"]),
    ("a four-part chorale in G major, 16 bars", ["A", "A", "B"]),
)


def _score(midi: bytes) -> tuple[symusic.Score, int]:
    score = symusic.Score.from_midi(midi)
    return score, score.ticks_per_quarter


def _tune(midi: bytes, spec: Spec) -> list[tuple[int, int]]:
    """The tune as written in the lead's track, less its comping. A keyboard or guitar that leads a band comps
    under its tune in the same track, and the groove varies the comping (and humanises each hit) afresh each
    time through; the tune is what a repeat replays. A comping hit is a chord: notes struck together and held
    together (same onset and length); a tune note is alone in that."""
    lead = next(i.name for i in spec.instruments if i.role == "melody")
    track = next(t for t in symusic.Score.from_midi(midi).tracks if t.name == lead and not t.is_drum)
    struck = Counter((n.time, n.duration) for n in track.notes)
    return [(n.time, n.pitch) for n in track.notes if struck[(n.time, n.duration)] == 1]


def _chords(score: symusic.Score) -> list[tuple[int, str]]:
    return [(m.time, m.text.split()[1]) for m in score.markers if m.text.startswith("chord ")]


def _within(items: list[tuple[int, object]], start: int, end: int) -> list[tuple[int, object]]:
    return [(t - start, x) for t, x in items if start <= t < end]


@pytest.mark.parametrize("engine", ["markov", "model"])
@pytest.mark.parametrize(("prompt", "names"), FORMED)
def test_a_prompt_without_a_form_is_played_in_its_styles_form(engine: str, prompt: str, names: list[str]) -> None:
    spec = parse(prompt, RULES_ONLY)
    assert spec.form == () and Spec.from_dict(spec.to_dict()) == spec
    spans = section_spans(spec)
    assert [s.section.name for s in spans] == names and spans[-1].end_bar == spec.bars
    piece = compose(spec, melody_source(engine))
    assert piece.spec == spec and Spec.from_dict(piece.spec.to_dict()) == spec
    midi = piece_to_midi_bytes(piece)
    score, tpq = _score(midi)
    bar_ticks = round(spec.bar_quarters * tpq)
    melody, chords = _tune(midi, spec), _chords(score)
    first: dict[str, tuple[list, list]] = {}
    for span in spans:  # a section's last bar is its cadence, new in an A' (composer.melody.variation)
        start, end = span.start_bar * bar_ticks, (span.end_bar - 1) * bar_ticks
        heard = (_within(melody, start, end), _within(chords, start, end))
        assert heard[0], f"{span.section.name} at bar {span.start_bar + 1} has no melody"
        if span.section.name in first:
            was = tuple([x for x in part if x[0] < end - start] for part in first[span.section.name])
            if span.section.name == "verse":  # a verse back keeps its rhythm under new pitches (variation_kinds),
                # judged through a comping lead's lone hits, which the groove varies each time through
                onsets = [Counter(t for t, _ in part[0]) for part in (heard, was)]
                kept = sum((onsets[0] & onsets[1]).values())
                assert kept >= 0.9 * max(sum(c.values()) for c in onsets), f"verse at bar {span.start_bar + 1}"
            else:  # the tune replays; a comping lead's lone hits (varied by the groove) may add a note or two
                more = Counter(heard[0]) - Counter(was[0])
                assert not Counter(was[0]) - Counter(heard[0]) and sum(more.values()) <= 0.05 * len(was[0]), \
                    f"{span.section.name} at bar {span.start_bar + 1} differs: {sorted(more)}"
            heard, was = heard[1], was[1]
            assert heard == was, f"{span.section.name} at bar {span.start_bar + 1}: its harmony differs"
        first.setdefault(span.section.name, heard)
    tunes = [tune for tune, _ in first.values()]
    assert len(tunes) < 2 or tunes[0] != tunes[1], "the contrasting section plays the first one's tune"
    assert score_to_musicxml_bytes(piece_to_score(piece)).count(b"<rehearsal") == 0


@pytest.mark.parametrize("prompt", ["moody jazz in D minor, 8 bars", "calm ambient pad music in D, 16 bars",
                                    "a blues in A with guitar, 16 bars", "a 12-bar blues in G with guitar, 12 bars"])
def test_a_length_that_fits_no_form_of_the_style_is_composed_through(prompt: str) -> None:
    spec = parse(prompt, RULES_ONLY)
    assert default_form(spec) == () and section_spans(spec) == []
    piece = compose(spec, melody_source("markov"))
    assert not any("form" in note for note in piece.spec.notes[len(spec.notes):])  # composed through, unsaid


def test_a_baroque_dance_has_strains_of_eight_bars() -> None:
    """A minuet's strains are eight bars (two phrases, a half close then a full one). Sixteen bars are its two
    strains heard once each, not four-bar strains each played twice, which made every eight bars of the
    minuet half a literal repeat (51% of its bars, against 7% in the corpus's classical pieces)."""
    minuet = [(s.name, s.bars) for s in default_form(parse("a baroque minuet in G, 16 bars", RULES_ONLY))]
    assert minuet == [("A", 8), ("B", 8)]
    assert [s.bars for s in default_form(parse("a baroque minuet in G, 32 bars", RULES_ONLY))] == [8, 8, 8, 8]


def test_every_style_has_a_form_family_and_every_layout_adds_up() -> None:
    assert set(STYLE_FAMILIES) <= set(STYLES) and set(STYLE_FAMILIES.values()) <= set(FAMILIES)
    for genre in [None, *STYLES]:
        family = family_for(genre)
        for bars in range(1, 65):
            for meter in TIME_SIGNATURES:
                bar_q = Spec(time_signature=meter).bar_quarters
                form = lay_out(family, bars, bar_q)
                assert not form or (sum(s.bars for s in form) == bars and len(form) > 1), (genre, bars, meter)
                assert all(s.bars * bar_q >= 8 for s in form), (genre, bars, meter)


def test_the_users_progression_keeps_looping_through_a_default_form() -> None:
    """Each section of a default form starts the user's progression again, so the form is used only where the
    progression fits every section whole: four chords in 8- and 4-bar sections, not three."""
    four = parse("a pop song over Am F C G, 16 bars", RULES_ONLY)
    three = parse("a pop song over C G Am, 16 bars", RULES_ONLY)
    assert [s.bars for s in default_form(four)] == [8, 4, 4]
    assert default_form(three) == ()


def test_a_remix_to_a_new_length_gets_the_styles_form_for_it() -> None:
    """"Another take, 32 bars" of a 16-bar reel: the child (no form of its own) is composed in AABB of 8 bars."""
    parent_spec = replace(parse("a lively reel in D for fiddle, 16 bars", RULES_ONLY), seed=3)
    source = melody_source("markov")
    parent = compose(parent_spec, source)
    child, plan = apply_edits(parent_spec, parse_edits("another take, 32 bars", parent_spec))
    assert child.bars == 32 and child.form == ()
    piece = remix(parent, child, plan, source, np.random.default_rng(child.seed))
    score, tpq = _score(piece_to_midi_bytes(piece))
    bar_ticks = round(child.bar_quarters * tpq)
    melody = _tune(piece_to_midi_bytes(piece), child)
    assert [(s.section.name, s.section.bars) for s in section_spans(child)] == [("A", 8), ("A", 8), ("B", 8), ("B", 8)]
    hooks = [_within(melody, a * bar_ticks, (a + 7) * bar_ticks) for a in (0, 8, 16, 24)]  # less the cadence bars
    assert hooks[0] == hooks[1] != [] and hooks[2] == hooks[3]


@pytest.mark.parametrize("seed", [2, 3])
def test_a_default_forms_harmony_says_the_key_as_it_is_played(seed: int) -> None:
    """An AABA of 4-bar sections plays its A three times: an A whose plan only just says Eb (Ebadd9 C9 Bb7) tips
    the piece to Bb. The sections' plans are drawn until the harmony as played says the key; the written MIDI
    is heard in Eb (composer.learn.analyze, music21's key analysis and the final bass)."""
    from composer.generate import compose_original
    from composer.learn.analyze import check_explicit, read_midi

    spec = replace(parse("a slow romantic jazz ballad in Eb for tenor sax and piano trio, 16 bars"), seed=seed)
    assert [s.section.name for s in section_spans(spec)] == ["A", "A", "B", "A"]
    midi = piece_to_midi_bytes(compose_original(spec, melody_source("model")).piece)
    tonic = next(c for c in check_explicit(spec, read_midi(midi)) if c.field == "tonic")
    assert tonic.ok, tonic.found
