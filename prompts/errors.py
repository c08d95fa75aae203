"""The user-error family every part of Motif raises for what the person asking can fix.

`UserError` means: the message is written for the person who typed the request, it is shown to them
as it is, and doing the same thing again would fail the same way, so it is never retried and never
logged as a fault. Everything else that goes wrong (a broken invariant, a missing file, a bug) is a
plain exception: logged, retried where a retry can help, and never blamed on the user. `bot/failures.py`
is the one place that decides how each kind is shown by the CLI, the console chat and the Discord worker.

It lives here, at the bottom of the dependency order, so the prompt reader, the composer, the store and
the front ends can all raise it without importing one another.
"""

from __future__ import annotations


class UserError(ValueError):
    """Something the user can fix (a bad prompt, an unknown id, a damaged MIDI file, a request nothing
    original can answer); the message says what and how. A `ValueError` so callers that validate input
    with `except ValueError` keep working."""


class ParseError(UserError):
    """A prompt Motif cannot turn into a request; the message is written for the user who typed it."""
