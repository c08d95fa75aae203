"""Uploads built to make an import slow are imported (or refused) with the right outcome: files made
mostly of program changes across thousands of parts, and thousands of overlapping notes of one pitch.

These used to take a minute (every part sorted every program change again; the skyline compared every
pair of notes), far past the sandbox's timeout; the timings are in the commit notes, not asserted here.
"""

from __future__ import annotations

from composer.upload.importer import import_midi
from composer.upload.limits import MAX_NOTES
from composer.upload.parts import MAX_PARTS, index_programs
from composer.upload.parts import _program as program_at
from tests.composer.upload.test_midi_import import END, smf

DISCORD_UPLOAD_BYTES = 256 * 1024


def program_changes(count: int, channel: int) -> bytes:
    """`count` program changes on one channel, in running status (two bytes each)."""
    body = bytearray(b"\x00" + bytes([0xC0 | channel, 1]))
    for i in range(count):
        body += b"\x00" + bytes([i % 128])
    return bytes(body)


def one_note_per_channel(pitch: int = 60) -> bytes:
    """A short note on each of the 16 channels, one after another (channel 9 is drums)."""
    body = bytearray()
    for channel in range(16):
        body += b"\x00" + bytes([0x90 | channel, pitch + channel, 64]) + b"\x10" + bytes([0x80 | channel, pitch + channel, 0])
    return bytes(body)


def mostly_program_changes() -> bytes:
    """About 253 KB: 109,000 program changes in one track and 255 tracks of a note on every channel
    (3,825 pitched parts, each looking its program up among all the changes)."""
    return smf([program_changes(109_000, 15) + END] + [one_note_per_channel() + END for _ in range(255)])


def test_file_of_program_changes_over_thousands_of_parts_is_imported() -> None:
    data = mostly_program_changes()
    assert 240_000 < len(data) < DISCORD_UPLOAD_BYTES
    result = import_midi(data, filename="programs.mid")
    pitched = [t for t in result.piece.tracks if not t.is_drum]
    assert len(pitched) <= MAX_PARTS + 1  # a chordal top part may give its skyline a track of its own
    assert any("3825 parts" in w and f"keeps {MAX_PARTS}" in w for w in result.warnings)
    assert sum(len(t.notes) for t in result.piece.tracks) == 255 * 16  # merged, none lost
    assert result.piece.spec.drums  # channel 9 stays drums


def test_program_lookup_prefers_the_track_then_any_track() -> None:
    raw = {"tracks": [{"programs": [[0, 0, 5], [100, 0, 7], [50, 1, 9]]}, {"programs": [[10, 2, 40], [0, 2, 30]]}]}
    programs = index_programs(raw)
    assert program_at(programs, 0, 0, 99) == 5 and program_at(programs, 0, 0, 100) == 7  # last at or before
    assert program_at(programs, 0, 1, 10) == 9  # none before the note: the first after it
    assert program_at(programs, 0, 2, 5) == 30 and program_at(programs, 0, 2, 10) == 40  # another track's
    assert program_at(programs, 1, 3, 0) == 0  # never set: General MIDI's default, a piano


def test_thousands_of_overlapping_notes_of_one_pitch_are_imported() -> None:
    count = MAX_NOTES
    body = bytearray(b"\x00\x90\x3c\x40") + b"\x00\x3c\x40" * (count - 1) + b"\x01\x3c\x00" * count
    result = import_midi(smf([bytes(body) + END]), filename="stack.mid")
    notes = [n for t in result.piece.tracks for n in t.notes]
    assert len(notes) == count and {n.pitch for n in notes} == {60}
    assert {n.start for n in notes} == {0.0}  # all struck together, released one tick apart


def test_too_many_notes_across_parts_is_refused_with_the_reason() -> None:
    tracks = [one_note_per_channel() * 5 + END for _ in range(256)]  # 20,480 notes
    try:
        import_midi(smf(tracks))
    except ValueError as exc:
        assert f"more than {MAX_NOTES} notes" in str(exc)
    else:
        raise AssertionError("a file over the note cap was imported")
