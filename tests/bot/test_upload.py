"""The upload contract between worker and bot: the worker chooses (and writes) the files, the bot only reads
them, and a piece whose files are gone is still posted with the MIDI the store keeps."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.upload import FILES_GONE, choose_upload, read_upload


def _piece(folder: Path) -> dict[str, str | None]:
    folder.mkdir(parents=True)
    (folder / "p.mid").write_bytes(b"MThd" + b"\0" * 100)
    (folder / "p.musicxml").write_bytes(b"<score/>" * 50)
    return {
        "midi": str(folder / "p.mid"),
        "musicxml": str(folder / "p.musicxml"),
        "audio": None,
        "score_png": None,
    }


def test_unchanged_files_are_posted_from_where_they_are_and_extras_that_do_not_fit_are_named(
    tmp_path: Path,
) -> None:
    files = _piece(tmp_path / "g1")
    roomy = choose_upload(files, "g1", 10 * 1024 * 1024)
    assert roomy["files"] == [["motif-g1.mid", files["midi"]], ["motif-g1.musicxml", files["musicxml"]]]
    assert roomy["left_out"] == [] and roomy["note"] == ""
    tight = choose_upload(files, "g1", 200)
    assert [name for name, _ in tight["files"]] == ["motif-g1.mid"] and tight["left_out"] == ["MusicXML"]
    assert "MusicXML left out" in tight["note"]
    posted = read_upload(tight, "g1", stored_midi=None)
    assert [name for name, _ in posted.files] == ["motif-g1.mid"] and posted.notes == [tight["note"]]


def test_files_gone_from_disk_fall_back_to_the_stored_midi(tmp_path: Path) -> None:
    files = _piece(tmp_path / "g2")
    chosen = choose_upload(files, "g2", 10 * 1024 * 1024)
    for path in (tmp_path / "g2").iterdir():
        path.unlink()
    posted = read_upload(chosen, "g2", stored_midi=b"stored midi")
    assert posted.files == [("motif-g2.mid", b"stored midi")] and posted.notes == [FILES_GONE]


def test_a_result_without_a_choice_posts_the_stored_midi_only() -> None:
    posted = read_upload(None, "g3", stored_midi=b"stored midi")
    assert posted.files == [("motif-g3.mid", b"stored midi")] and posted.notes == [FILES_GONE]
