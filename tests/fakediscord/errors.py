"""Errors of the fake Discord: driver misuse (ValueError) and API refusals (sent to the bot as JSON)."""

from __future__ import annotations


class FakeDiscordError(ValueError):
    """A test drove the fake wrongly (unknown channel, command not synced, missing button...)."""


class FakeTimeoutError(FakeDiscordError, TimeoutError):
    """A bounded wait ran out; the message says what the fake saw instead."""


class ApiError(Exception):
    """A REST refusal, rendered as Discord's JSON error body so discord.py raises its own HTTPException."""

    def __init__(self, status: int, message: str, code: int = 0) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.message = message
        self.code = code

    def body(self) -> dict[str, object]:
        """The JSON body Discord sends with an error status."""
        return {"message": self.message, "code": self.code}


def not_found(what: str, code: int) -> ApiError:
    """Discord's 404 for an unknown object (codes 10003 channel, 10008 message, 10062 interaction...)."""
    return ApiError(404, f"Unknown {what}", code)


def missing_permissions() -> ApiError:
    """Discord's 403 when the bot lacks a permission in the channel."""
    return ApiError(403, "Missing Permissions", 50013)
