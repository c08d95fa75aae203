"""Form in the request: sections, letter forms, their bars, the ending (golden cases in golden_form.jsonl), and
properties: any letter form of A-D parses to sections whose bars add up to the piece's, sections of one letter
alike in length; a Spec with a form round-trips through its dict, and an old dict without one still reads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prompts import ParseConfig, Spec, parse
from prompts.spec import Section

RULES_ONLY = ParseConfig(use_encoder=False)


@settings(max_examples=120, deadline=None)
@given(letters=st.text(alphabet="ABCD", min_size=3, max_size=8), bars=st.one_of(st.none(), st.integers(4, 64)))
def test_any_letter_form_adds_up(letters: str, bars: int | None) -> None:
    prompt = f"{letters} form" + (f", {bars} bars" if bars else "")
    spec = parse(prompt, RULES_ONLY)
    assert [s.name for s in spec.form] == list(letters)
    assert sum(s.bars for s in spec.form) == spec.bars
    lengths = {s.name: s.bars for s in spec.form}
    assert all(s.bars == lengths[s.name] for s in spec.form)
    if bars is not None and bars >= len(letters):
        assert abs(spec.bars - bars) < len(letters)


def test_the_form_round_trips_and_old_dicts_read() -> None:
    spec = parse("AABA, 16 bars, end on a half cadence", RULES_ONLY)
    assert Spec.from_dict(spec.to_dict()) == spec
    assert spec.ending == "half" and spec.form[2] == Section("B", 4)
    old = spec.to_dict()
    del old["form"], old["ending"]
    back = Spec.from_dict(old)
    assert back.form == () and back.ending == "tonic"


def test_a_section_names_its_mark() -> None:
    assert [Section(n, 4).label for n in ("A", "verse", "pre-chorus")] == ["A", "Verse", "Pre-Chorus"]
