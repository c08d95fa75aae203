"""The one exception the prompt reader raises."""

from __future__ import annotations


class ParseError(ValueError):
    """A prompt Motif cannot turn into a request; the message is written for the user who typed it."""
