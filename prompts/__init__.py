"""Text -> `Spec`: Motif's prompt reader (rules first, a small text encoder for the rest).

Importing this package is cheap: torch loads only when a prompt needs the encoder (MiniLM run as plain torch).
"""

from __future__ import annotations

from prompts.errors import ParseError, UserError
from prompts.parse import ParseConfig, parse
from prompts.spec import Instrument, Spec
from prompts.words.genres import GENRE_IDS, GenreInfo, genre_info
from prompts.words.instruments import GM_NAMES, gm_name
from prompts.words.moods import MOOD_IDS, MoodInfo, mood_info

__all__ = [
    "GENRE_IDS", "GM_NAMES", "MOOD_IDS", "GenreInfo", "Instrument", "MoodInfo", "ParseConfig", "ParseError",
    "Spec", "UserError", "genre_info", "gm_name", "mood_info", "parse",
]
