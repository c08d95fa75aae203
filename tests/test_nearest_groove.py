"""Words the rules do not know pick the nearest MMA groove (issue 13 section 1), with the real encoder, the
committed groove texts and the studio's own hook; what the chosen groove plays is read from the written MIDI."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
import symusic

from bot.studio import StudioConfig, free_words, open_studio, with_nearest_groove
from composer.arrange.grooves import choose_grooves, load_library
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.melody import load_default_melody_source
from prompts import parse

SLOW_JAZZ = {"stdlib/slowjazz", "stdlib/nitejazz", "stdlib/mellowjazz", "stdlib/ballad", "stdlib/pianoballad"}
COUNTRY = {"stdlib/westernswing", "stdlib/countryswing", "stdlib/hillcountry", "stdlib/slowcountry",
           "stdlib/bluegrass", "stdlib/countryblues", "stdlib/countrywaltz"}


def _family(name: str | None) -> str | None:
    return load_library().by_name[name]["family"] if name else None


def test_a_smoky_late_night_lounge_plays_a_slow_jazz_groove() -> None:
    spec = with_nearest_groove(parse("smoky late-night lounge"))
    assert _family(spec.groove) in SLOW_JAZZ, spec.groove
    assert any(f"plays MMA's {spec.groove} groove" in note for note in spec.notes)


def test_a_spaghetti_western_finds_a_country_groove() -> None:
    spec = with_nearest_groove(parse("a dusty spaghetti western ride"))
    assert _family(spec.groove) in COUNTRY, spec.groove


def test_a_prompt_the_rules_understand_keeps_its_spec_and_its_music() -> None:
    spec = parse("bossa nova in Bb")
    assert free_words(spec) == [] and with_nearest_groove(spec) is spec
    melody = load_default_melody_source()
    seeded = replace(spec, seed=7)
    assert piece_to_midi_bytes(compose(with_nearest_groove(seeded), melody)) == piece_to_midi_bytes(
        compose(replace(seeded, groove=None), melody))


@pytest.mark.parametrize("prompt", ["smoky late-night lounge waltz", "a dusty western ride in 3/4",
                                    "a cowboy waltz in 3/4 at sunset", "candlelit ballroom in 3/4"])
def test_a_three_four_prompt_never_gets_a_four_four_groove(prompt: str) -> None:
    spec = with_nearest_groove(parse(prompt))
    assert spec.time_signature == "3/4"
    if spec.groove is not None:
        assert load_library().by_name[spec.groove]["time_signature"] == "3/4"
    grooves = choose_grooves(spec)
    assert grooves is None or grooves.main.time_signature == "3/4"


def test_words_below_the_threshold_leave_the_styles_choice() -> None:
    spec = parse("neon arcade")  # nothing in MMA's own words is near an arcade (best about 0.25)
    assert free_words(spec) and with_nearest_groove(spec).groove is None


def _drum_notes(midi: bytes) -> set[int]:
    score = symusic.Score.from_midi(midi)
    return {n.pitch for t in score.tracks if t.is_drum for n in t.notes}


async def test_the_studio_plays_the_chosen_groove_and_a_remix_keeps_it_until_the_genre_changes(tmp_path: Path) -> None:
    config = StudioConfig(out_dir=tmp_path / "out", db_path=tmp_path / "m.db", want_audio=False, want_images=False,
                          engine="markov", check_originality=False)
    async with open_studio(config) as studio:
        made = await studio.compose("smoky late-night lounge", seed=7)
        assert _family(made.spec.groove) in SLOW_JAZZ and made.spec.drums
        grooves = choose_grooves(made.spec)
        assert grooves is not None and grooves.main.name == made.spec.groove
        played = {int(n) for g in (grooves.main, grooves.fill, grooves.intro, grooves.end) if g for n in g.drums}
        midi = Path(made.files["midi"]).read_bytes()  # type: ignore[arg-type]
        heard = _drum_notes(midi)
        assert heard and heard <= played | {36, 38, 49, 57}  # the groove's kit, plus crash, kick and pickup
        plain = compose(replace(made.spec, groove=None), load_default_melody_source())
        assert piece_to_midi_bytes(plain) != io.BytesIO(midi).getvalue()  # the words' groove is heard
        faster = await studio.remix(made.id, "faster")
        assert faster.spec.groove == made.spec.groove
        bossa = await studio.remix(made.id, "make it bossa nova")
        assert bossa.spec.genre == "bossa_nova" and bossa.spec.groove is None
