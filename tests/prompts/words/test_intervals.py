"""One interval vocabulary (`prompts.words.intervals`): a remix's transposition, a remix's key change at a bar
and a prompt's key change for the last chorus move the music the same distance for the same words."""

from __future__ import annotations

import pytest

from prompts.edit.language import read_instruction
from tests.prompts.edit.test_edits import parent_spec

SIZES = [("a tone", 2), ("a whole step", 2), ("a semitone", 1), ("a half step", 1), ("two semitones", 2),
         ("3 semitones", 3), ("a minor third", 3), ("a third", 4), ("a fourth", 5), ("two whole steps", 4)]


@pytest.mark.parametrize(("words", "semitones"), SIZES)
def test_the_same_words_move_the_same_distance_everywhere(words: str, semitones: int) -> None:
    parent = parent_spec("a pop song in C major, verse and chorus")
    _, plan = read_instruction(f"transpose up {words}", parent)
    assert plan.transpose_semitones == semitones

    remixed, _ = read_instruction(f"key change up {words} at bar 9", parent)
    assert [s.shift for s in remixed.form] == [0, semitones]

    prompt = parent_spec(f"a pop song in C major, verse and chorus, with a key change up {words} for the last chorus")
    assert [s.shift for s in prompt.form][-1] == semitones


def test_a_key_change_beyond_an_octave_is_refused_clearly() -> None:
    from prompts.edit.types import EditError

    with pytest.raises(EditError, match="key change"):
        read_instruction("key change up 14 semitones at bar 9", parent_spec("a pop song in C major, verse and chorus"))
