"""What a person sees of their chords and form: the Discord card and the terminal summary say them."""

from __future__ import annotations

from bot.cli.summary import describe_spec
from bot.discord_app.embeds import result_embed
from prompts import ParseConfig, parse

RULES_ONLY = ParseConfig(use_encoder=False)


def _fields(spec) -> dict[str, str]:
    embed = result_embed({"id": "g1", "spec": spec.to_dict()}, "by you", None)
    return {field.name: str(field.value) for field in embed.fields}


def test_the_card_and_the_terminal_show_chords_form_and_ending() -> None:
    spec = parse("jazz over Dm7 G7 Cmaj7 in AABA form, 32 bars, end on a half cadence", RULES_ONLY)
    fields = _fields(spec)
    assert fields["Chords"] == "Dm7 G7 Cmaj7"
    assert fields["Form"] == "A 8 · A 8 · B 8 · A 8, ends on a half cadence"
    line = describe_spec(spec)
    assert "over Dm7 G7 Cmaj7" in line and "form A 8 · A 8 · B 8 · A 8" in line


def test_a_key_change_and_section_chords_are_shown_and_a_plain_piece_shows_no_form() -> None:
    spec = parse("pop song, verse over Am F C G, chorus over C G Am F, with a key change up a tone for the last"
                 " chorus", RULES_ONLY)
    assert "(C G Am F; +2 semitones)" in _fields(spec)["Form"]
    plain = parse("a folk tune in D, 8 bars", RULES_ONLY)
    assert "Form" not in _fields(plain) and "Chords" not in _fields(plain) and "form" not in describe_spec(plain)
