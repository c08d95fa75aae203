"""One error taxonomy: what the user can fix is a `UserError`, shown as it is and never retried; anything
else is ours, never blamed on the user; the CLI, the console chat and the Discord worker show each kind
the same way because `bot.failures.explain` decides for all three."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.cli.common import shown
from bot.discord_app.worker import _failure
from bot.failures import MEMORY_MESSAGE, RenderError, WorkerCrashed, explain
from bot.studio import StudioError
from composer.generate import OriginalityError
from composer.harmony.plan import HarmonyError
from composer.remix.rework import RemixError
from composer.upload.limits import MidiImportError
from prompts import ParseError, UserError
from prompts.edit.types import EditError
from storage import StoreError

ROOT = Path(__file__).resolve().parents[2]

USERS_TO_FIX = [
    ParseError("The prompt is empty"),
    EditError("Motif could not read that instruction"),
    StudioError("there is no generation with id 'g1'"),
    OriginalityError("every attempt copied a training melody"),
    MidiImportError("not a MIDI file"),
    RemixError("the piece has no melody to keep"),
    StoreError("setting tempo_max must be an integer"),
]
OURS = [HarmonyError("no chord fits"), ValueError("bars must be at least 1"), KeyError("x"), RuntimeError("boom")]


@pytest.mark.parametrize("exc", USERS_TO_FIX, ids=lambda e: type(e).__name__)
def test_a_users_error_reads_the_same_in_every_front_end(exc: Exception) -> None:
    cli = shown(exc)
    worker = _failure(exc, "job-1")
    assert cli.users_to_fix and cli.message == str(exc)
    assert worker == {"ok": False, "error": str(exc), "retry": False}  # shown as it is, not retried


def test_originality_is_the_users_error_everywhere() -> None:
    """It was a retried fault in the worker and a user error in the CLI and chat; the same seed copies
    again, so a retry cannot help, and rewording can."""
    assert isinstance(OriginalityError("x"), UserError)
    assert not explain(OriginalityError("x"), local=False).retry


@pytest.mark.parametrize("exc", OURS, ids=lambda e: type(e).__name__)
def test_our_faults_are_never_blamed_on_the_user(exc: Exception) -> None:
    cli = shown(exc)
    assert not cli.users_to_fix and "internal error" in cli.message
    worker = _failure(exc, "job-1")
    assert worker["retry"] is True and "on our side" in worker["message"] and str(exc) not in worker["message"]


def test_memory_and_crashes_are_not_retried_and_say_what_to_change() -> None:
    oom = _failure(MemoryError(), "job-1")
    assert oom["retry"] is False and oom["message"] == MEMORY_MESSAGE
    crash = explain(WorkerCrashed("killed by SIGKILL"), local=False)
    assert not crash.retry and "stopped twice (killed by SIGKILL)" in crash.message


def test_a_stored_piece_whose_files_failed_keeps_its_id() -> None:
    failure = shown(RenderError("g7 is stored, but its files could not be written", "g7"))
    assert failure.generation_id == "g7" and not failure.users_to_fix


def _error_classes() -> dict[str, tuple[str, list[str]]]:
    """Every `...Error` class the packages define: name -> (file, base names)."""
    found = {}
    for package in ("prompts", "composer", "bot", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                    bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
                    found[node.name] = (str(path.relative_to(ROOT)), bases)
    return found


INTERNAL = {  # invariants of our own code or data: plain exceptions, logged and retried, never the user's
    "HarmonyError", "ProgressionError", "VoicingError", "MelodyError", "MarkovError", "CorpusError",
    "ExtractError", "ArrangeError", "PatternError", "DrumError", "RangeError", "StyleError", "MidiError",
    "EngraveError", "AudioError", "EncoderError", "MidiFormatError", "RenderError",
    # the offline data builds (`motif data build grooves`, `motif data leads`): the package files we read
    "MmaError", "PackageError", "MidiReadError", "WadError", "MusError", "LmmsError", "MscxError", "TrackerError",
    "GrooveTextsError",  # the committed groove texts do not belong to the grooves file: rebuild both
}


def test_every_error_class_is_classified() -> None:
    """A new error class must say which family it is: a UserError (or the store's StoreError) or one of
    ours. Deriving from bare ValueError no longer makes an error the user's."""
    classes = _error_classes()
    users = {"UserError", "StoreError"}
    changed = True
    while changed:  # close the family over subclasses
        changed = False
        for name, (_, bases) in classes.items():
            if name not in users and users & set(bases):
                users.add(name)
                changed = True
    unclassified = sorted(set(classes) - users - INTERNAL)
    assert not unclassified, f"say whether these are the user's to fix or ours: {unclassified}"
    assert not users & INTERNAL, sorted(users & INTERNAL)
