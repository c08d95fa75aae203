"""Properties of the edit language on arbitrary text: only EditError escapes, and every result is valid.

Random text finds crashes; random mixes of the edit vocabulary (with hostile numbers) reach the appliers,
and chained remixes check that a remix of a remix is still a valid request.
"""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prompts import ParseConfig, Spec, parse
from prompts.edit.language import MAX_BARS, EditError, EditPlan, apply_edits, parse_edits
from prompts.limits import MAX_PARTS
from prompts.spec import FIELDS

PARENTS = (
    "jazz in C major at 120 bpm, 8 bars",
    "piano and violin in D minor at 90 bpm, 16 bars",
    "waltz in G major at 140 bpm",
    "a short piano piece in A minor at 80 bpm",
    "rock song in E minor at 390 bpm, 64 bars",
    "happy pop song",
)
VOCABULARY = (
    "faster", "slower", "much", "a bit", "double time", "half time", "at", "bpm", "tempo", "in 3/4", "in 6/8",
    "in 11/8", "up a fifth", "down", "up", "an octave", "semitones", "transpose to", "E", "Bb", "F#", "minor",
    "dorian", "relative", "add", "remove", "swap", "for", "with", "instead of", "only", "solo", "piano", "strings",
    "bass", "sax", "string quartet", "ukulele", "drums", "no", "the beat", "bossa nova", "waltz", "jig", "darker",
    "happier", "less", "sad", "epic", "simpler", "busier", "sparse", "bars", "vary bars", "the last", "continue",
    "keep going", "another take", "harmonise", "counter-melody", "twice as long", "half as long", "higher", "lower",
    "0", "1", "4", "16", "64", "65", "100", "-3", "99999999999999", "5-8", "9-2", ",", "and", "then", ".",
)


@cache
def parent_spec(prompt: str) -> Spec:
    return parse(prompt, ParseConfig(use_encoder=False))


def check_valid(parent: Spec, spec: Spec, plan: EditPlan) -> None:
    assert Spec.from_dict(spec.to_dict()) == spec
    assert 1 <= spec.bars <= MAX_BARS
    assert 20 <= spec.tempo_bpm <= 400
    assert spec.instruments and len(spec.instruments) <= MAX_PARTS
    assert -1 <= spec.register <= 1 and 0.0 <= spec.density <= 1.0
    assert set(parent.explicit) <= set(spec.explicit) <= set(FIELDS)
    assert spec.seed == parent.seed
    assert not plan.keep_notes or plan.keep_melody
    assert not (plan.regenerate and plan.keep_melody)
    if plan.vary_bars is not None:
        assert 1 <= plan.vary_bars[0] <= plan.vary_bars[1] <= spec.bars
    assert plan.continue_bars == (0 if plan.regenerate else max(0, spec.bars - parent.bars))
    assert plan.summary


def remix(parent: Spec, text: str) -> None:
    try:
        edits = parse_edits(text, parent)
    except EditError:
        return
    spec, plan = apply_edits(parent, edits)
    check_valid(parent, spec, plan)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=120), prompt=st.sampled_from(PARENTS))
def test_any_text_raises_only_edit_error(text: str, prompt: str) -> None:
    remix(parent_spec(prompt), text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=10), prompt=st.sampled_from(PARENTS))
def test_vocabulary_mixes_give_valid_specs(words: list[str], prompt: str) -> None:
    remix(parent_spec(prompt), " ".join(words))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6), min_size=2, max_size=4),
       prompt=st.sampled_from(PARENTS))
def test_chained_remixes_stay_valid(steps: list[list[str]], prompt: str) -> None:
    spec = parent_spec(prompt)
    for words in steps:
        try:
            edits = parse_edits(" ".join(words), spec)
        except EditError:
            continue
        child, plan = apply_edits(spec, edits)
        check_valid(spec, child, plan)
        spec = child
