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
from prompts.reading import Reading, apply_phrase, read_more, read_rules
from prompts.resolve import Defaults, Limits, resolve
from prompts.spec import Spec
from prompts.words.lexicon import Phrase, closest_phrase

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


Corrections = tuple[list[tuple[str, Phrase]], list[str]]
"""Near-misses of known phrases as (typed words, phrase) in order, and the words still unknown."""


def parse(text: str, config: ParseConfig | None = None, encoder: TextEncoder | None = None,
          defaults: Defaults | None = None) -> Spec:
    """Read a prompt into a Spec; raises only ParseError (empty, too long, impossible numbers).

    `defaults` (a server's style) fill what the prompt does not state, read in the same pass (`fill_defaults`).
    """
    config = config or ParseConfig()
    check_text(text, config)
    reading = read_rules(text)
    found = corrections(reading.leftovers)
    said = text
    if defaults is not None:
        said, found = fill_defaults(reading, text, found, defaults, config, encoder)
    fix_spellings(reading, found)
    if reading.leftovers:
        understand_leftovers(reading, config, encoder)
    if not _states_anything(reading):
        reading.notes.append("nothing in the prompt reads as music; composing a default piece")
    try:
        return resolve(reading, said, Limits(config.max_bars, config.default_bars))
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


def fill_defaults(reading: Reading, text: str, found: Corrections, defaults: Defaults, config: ParseConfig,
                  encoder: TextEncoder | None) -> tuple[str, Corrections]:
    """Fill a server's defaults into the rules' reading of `text` (whose misspellings are `found`), before the
    fallbacks read its leftovers: the genre where neither the words, their corrections nor the encoder name one,
    the instruments where the prompt names none (their words read as if typed after it).

    Returns the prompt as read, the defaults written out after it ("..., bossa nova, with cello", what the Spec
    records and its key is chosen from, so the same request under the same style gets the same key), and the
    corrections of the leftovers that now include the instruments' unknown words. The prompt as read is held to
    the length limit too (`check_text`), as the prompt alone is."""
    stated = Reading()  # what the corrections add to the rules' reading
    for _, phrase in found[0]:
        apply_phrase(stated, phrase)
    said = text
    named = reading.genre or reading.implied_genre or stated.genre or stated.implied_genre
    if defaults.genre and not named and encoder_genre(found[1], config, encoder) is None:
        reading.genre = defaults.genre
        said = f"{said}, {defaults.genre.replace('_', ' ')}"
        check_text(said, config)
    if defaults.instruments and not (reading.parts or stated.parts):
        words = f"with {', '.join(defaults.instruments)}"
        known = len(reading.leftovers)
        read_more(reading, words)
        said = f"{said}, {words}"
        check_text(said, config)
        if len(reading.leftovers) > known:
            found = corrections(reading.leftovers)
    return said, found


def fix_spellings(reading: Reading, found: Corrections | None = None) -> None:
    """Read near-misses of known phrases ("jaz", "bosa nova", "violn") as those phrases, with a note (`found`:
    the leftovers' `corrections`, when already looked up)."""
    fixes, reading.leftovers = found if found is not None else corrections(reading.leftovers)
    for typed, phrase in fixes:
        apply_phrase(reading, phrase)
        reading.notes.append(f"read '{typed}' as '{phrase.text}'")


def corrections(words: list[str]) -> Corrections:
    """The known phrases that unknown words misspell (a pair of words first: "bosa nova"), in order."""
    fixes: list[tuple[str, Phrase]] = []
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
            fixes.append((" ".join(words[index:index + used]), phrase))
        index += used
    return fixes, kept


def understand_leftovers(reading: Reading, config: ParseConfig, encoder: TextEncoder | None) -> None:
    """Ask the text encoder what unknown words suggest (genre, mood); below threshold, only note them."""
    words = " ".join(reading.leftovers)
    if reading.genre and reading.moods:
        return
    if not config.use_encoder:
        reading.notes.append(f"did not understand '{words}'")
        return
    try:
        genres, moods = _nearest(words, encoder)
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        reading.notes.append(f"did not understand '{words}' (text encoder unavailable: {exc})")
        return
    used = False
    (best, score) = genres[0]
    if reading.genre is None and reading.implied_genre is None and _genre_of(genres) is not None:
        reading.genre, used = best, True
        reading.notes.append(f"'{words}' read as genre {best} (similarity {score:.2f})")
    mood, mood_score = moods[0]
    if not reading.moods and mood_score >= MOOD_MIN_SIMILARITY:
        reading.moods.append(mood)
        reading.guessed_moods.append(mood)
        used = True
        reading.notes.append(f"'{words}' read as mood {mood} (similarity {mood_score:.2f})")
    if not used:
        reading.notes.append(f"did not understand '{words}' (closest: {best} {score:.2f}, {mood} {mood_score:.2f})")


def encoder_genre(leftovers: list[str], config: ParseConfig, encoder: TextEncoder | None) -> str | None:
    """The genre the text encoder reads in unknown words, as `understand_leftovers` would take it for a prompt
    that names none (None without leftovers, with the encoder off or unavailable, or below threshold)."""
    if not leftovers or not config.use_encoder:
        return None
    try:
        return _genre_of(_nearest(" ".join(leftovers), encoder)[0])
    except (ImportError, OSError, RuntimeError, ValueError):
        return None


def _nearest(words: str, encoder: TextEncoder | None) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The two nearest genres and the nearest mood of `words` (loading the shared encoder if none is given)."""
    if encoder is None:
        from prompts.encoder import get_encoder

        encoder = get_encoder()
    return encoder.nearest(words, "genre", k=2), encoder.nearest(words, "mood", k=1)


def _genre_of(genres: list[tuple[str, float]]) -> str | None:
    """The nearest genre when it is close enough and clearly ahead of the next."""
    (best, score), (_, runner_up) = genres[0], genres[1]
    return best if score >= GENRE_MIN_SIMILARITY and score - runner_up >= GENRE_MIN_MARGIN else None


def _states_anything(reading: Reading) -> bool:
    return any((
        reading.tonic, reading.mode, reading.tempo_bpm, reading.tempo_word, reading.time_signature,
        reading.bars, reading.length_bars, reading.duration_s, reading.genre, reading.implied_genre,
        reading.moods, reading.parts, reading.drums is not None, reading.density is not None,
        reading.register is not None, reading.progression is not None, reading.form is not None,
    ))
