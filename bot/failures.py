"""How each kind of failure is shown: the one decision the CLI, the console chat and the Discord worker share.

Three kinds, told apart by type, never by message:
- a `prompts.UserError` (bad prompt or instruction, unknown id, damaged MIDI, nothing original enough) or a
  `storage.StoreError` (the store refusing a request, an unusable database file): the person can fix it,
  so they see the message as it is; it is not retried (the same request fails the same way) and not
  logged as a fault;
- running out of memory, or a worker process that died twice or ran past its time limit: not the user's
  mistake, but it would happen again, so it is not retried; they are told to ask for less;
- anything else is a fault of ours: logged, retried where a queue can retry, and shown as a short apology
  that never blames the user and never carries a traceback.
`RenderError` is the one partial outcome: the piece was stored, only its files failed, so the id is given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from prompts.errors import UserError
from storage import StoreError

MEMORY_MESSAGE = (
    "Motif could not finish this piece: it needed more memory than a worker may use. Try fewer bars or"
    " fewer instruments."
)


class RenderError(RuntimeError):
    """The generation was stored but its files could not be written; `generation_id` says which one."""

    def __init__(self, message: str, generation_id: str) -> None:
        super().__init__(message)
        self.generation_id = generation_id


class WorkerCrashed(RuntimeError):
    """The call's worker died twice, or ran past the time limit and was stopped; `reason` says how, in words,
    and `sentence` is the clause for the user ("stopped twice (killed by SIGKILL...)")."""

    def __init__(self, reason: str, *, overran: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.overran = overran
        self.sentence = f"it took too long and was stopped ({reason})" if overran else f"stopped twice ({reason})"


@dataclass(frozen=True)
class Failure:
    """What a front end does with an exception: `message` is shown to the person as it is (the CLI also puts
    it in `{"error": ...}`); `users_to_fix` means their input, not our fault (never retried, never logged as
    an error); `retry` means worth running again (a fault of ours that may pass: the Discord queue retries
    it); `generation_id` names the stored piece when only its files failed."""

    message: str
    users_to_fix: bool
    retry: bool
    generation_id: str | None = None


def explain(exc: BaseException, local: bool = True) -> Failure:
    """The one mapping from exception to what the user sees. `local` front ends (the CLI and the console
    chat, run by the person who owns the machine) name the internal error; Discord users get an apology
    without internals."""
    if isinstance(exc, RenderError):
        return Failure(str(exc), users_to_fix=False, retry=False, generation_id=exc.generation_id)
    if isinstance(exc, (UserError, StoreError)):
        return Failure(str(exc), users_to_fix=True, retry=False)
    if out_of_memory(exc):
        return Failure(MEMORY_MESSAGE, users_to_fix=False, retry=False)
    if isinstance(exc, WorkerCrashed):  # it would die again: say what to change instead of retrying
        return Failure(f"Motif could not finish this piece: the process composing it {exc.sentence}."
                       " Try a shorter or simpler request.", users_to_fix=False, retry=False)
    if local:
        return Failure(internal_message(exc), users_to_fix=False, retry=False)
    return Failure(
        "Motif could not finish this piece: something went wrong on our side"
        f" ({type(exc).__name__}). It has been logged; please try again later.",
        users_to_fix=False,
        retry=True,
    )


def internal_message(exc: BaseException) -> str:
    """A short message for an unexpected failure on the owner's machine; with MOTIF_DEBUG=1 the caller
    prints the traceback too (see `show_traceback`)."""
    return f"Motif hit an internal error ({type(exc).__name__}: {exc}); set MOTIF_DEBUG=1 for details"


def show_traceback() -> bool:
    """Whether a local front end should print the traceback of an internal error (MOTIF_DEBUG=1)."""
    return os.environ.get("MOTIF_DEBUG") == "1"


def out_of_memory(exc: BaseException) -> bool:
    """Python's MemoryError, or torch's allocator refusing (a RuntimeError saying so)."""
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)
    )
