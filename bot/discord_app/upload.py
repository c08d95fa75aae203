"""What a finished job attaches: chosen in the worker process, read and posted by the bot.

Fitting a piece's files under Discord's upload limit may re-encode its audio (seconds of CPU for a long
piece), so it runs in the worker (`choose_upload`, in the same call that composed the piece), which
writes any re-encoded file beside the originals and returns plain data: each file to attach as
(name, path), what was left out, and the sentence saying so. The bot (`read_upload`) only reads those
files. A file gone from disk by the time it is posted (a post retried after a restart, a cleaned-out
folder) is skipped, and the MIDI kept in the store stands in for a missing MIDI file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.discord_app.attachments import fit_attachments

UPLOAD_KEY = "upload"
"""Key of a composed result (`worker.run_request`) holding what `choose_upload` chose."""

UPLOAD_DIR = "upload"
"""Folder, beside a piece's files, for the smaller copies made to fit the limit (the originals stay)."""

FILES_GONE = "Some of this piece's files are no longer available; posting what is left."


def choose_upload(files: dict[str, str | None], gen_id: str, limit_bytes: int) -> dict[str, Any]:
    """The files of a new piece that fit under `limit_bytes` (`attachments.fit_attachments` decides), as
    JSON-able data: {"files": [[name, path], ...], "left_out": [...], "note": "..."}. Runs in a worker."""
    fitted = fit_attachments(files, gen_id, limit_bytes)
    originals = [Path(raw) for raw in files.values() if raw and Path(raw).is_file()]
    chosen: list[list[str]] = []
    for name, data in fitted.files:
        path = _same_file(originals, data)
        if path is None:
            path = originals[0].parent / UPLOAD_DIR / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        chosen.append([name, str(path)])
    return {"files": chosen, "left_out": list(fitted.left_out), "note": fitted.note()}


def _same_file(originals: list[Path], data: bytes) -> Path | None:
    """The original file holding exactly `data` (so an unchanged file is posted from where it is)."""
    for path in originals:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    return None


@dataclass
class Upload:
    """The bytes to attach, and the sentences to post with them."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_upload(chosen: dict[str, Any] | None, gen_id: str, stored_midi: bytes | None) -> Upload:
    """Read what the worker chose (file reads only: no encoding in the bot). `chosen` is None for a result
    without a choice (choosing failed, or it was composed by an older Motif): the stored MIDI is posted."""
    upload = Upload()
    missing = chosen is None
    for name, path in (chosen or {}).get("files", []):
        try:
            upload.files.append((name, Path(path).read_bytes()))
        except OSError:
            missing = True
    if stored_midi is not None and not any(name.endswith(".mid") for name, _ in upload.files):
        upload.files.insert(0, (f"motif-{gen_id}.mid", stored_midi))
    if chosen is not None:
        upload.left_out = list(chosen.get("left_out", []))
        if chosen.get("note"):
            upload.notes.append(str(chosen["note"]))
    if missing:
        upload.notes.append(FILES_GONE)
    return upload
