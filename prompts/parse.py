"""`parse`: a user's text -> a complete `Spec`. The one entry point every front end uses.

Rules first (fast, exact, explainable); then difflib for misspellings of known words; then, only for
content words still unknown, the MiniLM encoder (loaded lazily, so a prompt the rules fully understand
never imports torch). Anything that cannot become music raises `ParseError` with a message for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prompts.errors import ParseError
from prompts.limits import MAX_BARS, MAX_PROMPT_CHARS
from prompts.reading import Reading, apply_phrase, read_rules
from prompts.resolve import Limits, resolve
from prompts.spec import Spec
from prompts.words.lexicon import closest_phrase

if TYPE_CHECKING:
    from prompts.encoder import TextEncoder

GENRE_MIN_SIMILARITY = 0.55
GENRE_MIN_MARGIN = 0.03
MOOD_MIN_SIMILARITY = 0.40


@dataclass(frozen=True)
class ParseConfig:
    """Limits and switches for reading prompts (a server's /style may lower `max_bars`)."""

    max_bars: int = MAX_BARS
    max_chars: int = MAX_PROMPT_CHARS
    default_bars: int = 8
    use_encoder: bool = True


def parse(text: str, config: ParseConfig | None = None, encoder: TextEncoder | None = None) -> Spec:
    """Read a prompt into a Spec; raises only ParseError (empty, too long, impossible numbers)."""
    config = config or ParseConfig()
    check_text(text, config)
    reading = read_rules(text)
    fix_spellings(reading)
    if reading.leftovers:
        understand_leftovers(reading, config, encoder)
    if not _states_anything(reading):
        reading.notes.append("nothing in the prompt reads as music; composing a default piece")
    try:
        return resolve(reading, text, Limits(config.max_bars, config.default_bars))
    except ParseError:
        raise
    except ValueError as exc:
        raise ParseError(f"Motif could not make sense of that prompt: {exc}") from exc


def check_text(text: str, config: ParseConfig) -> None:
    """Refuse input no reader should see: not text, empty, or longer than the configured limit."""
    if not isinstance(text, str):
        raise ParseError(f"A prompt must be text, not {type(text).__name__}.")
    if not text.strip():
        raise ParseError("The prompt is empty; describe the music you want, e.g. 'moody jazz in D minor, 8 bars'.")
    if len(text) > config.max_chars:
        raise ParseError(
            f"The prompt is {len(text)} characters long; Motif reads at most {config.max_chars}. Please shorten it."
        )


def fix_spellings(reading: Reading) -> None:
    """Read near-misses of known phrases ("jaz", "bosa nova", "violn") as those phrases, with a note."""
    words = reading.leftovers
    kept: list[str] = []
    index = 0
    while index < len(words):
        pair = " ".join(words[index:index + 2]) if index + 1 < len(words) else None
        phrase = closest_phrase(pair) if pair else None
        used = 2 if phrase else 1
        if phrase is None:
            phrase = closest_phrase(words[index])
        if phrase is None:
            kept.append(words[index])
        else:
            typed = " ".join(words[index:index + used])
            apply_phrase(reading, phrase)
            reading.notes.append(f"read '{typed}' as '{phrase.text}'")
        index += used
    reading.leftovers = kept


def understand_leftovers(reading: Reading, config: ParseConfig, encoder: TextEncoder | None) -> None:
    """Ask the text encoder what unknown words suggest (genre, mood); below threshold, only note them."""
    words = " ".join(reading.leftovers)
    if reading.genre and reading.moods:
        return
    if not config.use_encoder:
        reading.notes.append(f"did not understand '{words}'")
        return
    try:
        if encoder is None:
            from prompts.encoder import get_encoder

            encoder = get_encoder()
        genres = encoder.nearest(words, "genre", k=2)
        moods = encoder.nearest(words, "mood", k=1)
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        reading.notes.append(f"did not understand '{words}' (text encoder unavailable: {exc})")
        return
    used = False
    (best, score), (_, runner_up) = genres[0], genres[1]
    if reading.genre is None and reading.implied_genre is None and score >= GENRE_MIN_SIMILARITY \
            and score - runner_up >= GENRE_MIN_MARGIN:
        reading.genre, used = best, True
        reading.notes.append(f"'{words}' read as genre {best} (similarity {score:.2f})")
    mood, mood_score = moods[0]
    if not reading.moods and mood_score >= MOOD_MIN_SIMILARITY:
        reading.moods.append(mood)
        used = True
        reading.notes.append(f"'{words}' read as mood {mood} (similarity {mood_score:.2f})")
    if not used:
        reading.notes.append(f"did not understand '{words}' (closest: {best} {score:.2f}, {mood} {mood_score:.2f})")


def _states_anything(reading: Reading) -> bool:
    return any((
        reading.tonic, reading.mode, reading.tempo_bpm, reading.tempo_word, reading.time_signature,
        reading.bars, reading.length_bars, reading.duration_s, reading.genre, reading.implied_genre,
        reading.moods, reading.parts, reading.drums is not None, reading.density is not None,
        reading.register is not None,
    ))
