"""Iterating through the studio, as every front end does: a chain of remixes on a real SQLite file.

Each step's written MIDI is analysed for what its instruction asked, the lineage is checked link by
link, and every stored record is re-made from what the store holds (parent id, instruction, seed) and
must give byte-identical MIDI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.studio import StudioConfig, StudioError, Who, open_studio
from composer.learn.analyze import read_midi
from composer.upload.importer import MidiImportError
from prompts.edit.language import EditError
from prompts.spec import Spec

CHAIN = [
    ("faster", lambda s, f, p: s.tempo_bpm > p.tempo_bpm and abs(f.tempo_bpm - s.tempo_bpm) < 0.5),
    ("add drums", lambda s, f, p: f.drum_note_count > 0),
    ("in 3/4", lambda s, f, p: f.time_signature == "3/4"),
    ("make it 12 bars", lambda s, f, p: f.bar_count() == 12),
    ("transpose to E", lambda s, f, p: s.tonic == "E"),
    ("swap the piano for a rhodes", lambda s, f, p: 4 in f.programs and 0 not in f.programs),
    ("no drums", lambda s, f, p: f.drum_note_count == 0),
    ("make it bossa nova", lambda s, f, p: s.genre == "bossa_nova"),
    ("continue for 4 bars", lambda s, f, p: f.bar_count() == p.bars + 4),
    ("another take", lambda s, f, p: s.seed != p.seed),
]


@pytest.fixture
def config(tmp_path: Path) -> StudioConfig:
    return StudioConfig(out_dir=tmp_path / "out", db_path=tmp_path / "motif.db", want_audio=False,
                        want_images=False, engine="markov")


async def test_chain_of_ten_remixes_keeps_lineage_and_reproduces(config: StudioConfig) -> None:
    async with open_studio(config) as studio:
        root = await studio.compose("a calm folk song in G for piano, 8 bars", seed=11, who=Who(author="local:ann"))
        ids = [root.id]
        for step, (instruction, obeyed) in enumerate(CHAIN):
            author = "local:bob" if step % 2 else "local:ann"
            parent = Spec.from_dict((await studio.generation(ids[-1])).spec)
            result = await studio.remix(ids[-1], instruction, seed=1000 + step, who=Who(author=author))
            facts = read_midi(Path(result.files["midi"]).read_bytes())
            assert obeyed(result.spec, facts, parent), f"step {step} {instruction!r}: {result.spec}"
            assert result.parent_id == ids[-1]
            ids.append(result.id)
        lineage = await studio.store.lineage(ids[-1])
        assert [g.id for g in lineage] == ids
        assert [g.prompt for g in lineage[1:]] == [c[0] for c in CHAIN]
        assert {g.root_id for g in lineage} == {root.id}
        for record in lineage[1:]:
            again = await studio.remix(record.parent_id, record.prompt, seed=record.seed)
            stored_again = await studio.generation(again.id)
            assert stored_again.midi == record.midi, f"{record.prompt!r} is not reproducible from its record"


async def test_remix_keeps_every_note_for_tempo_and_transposition(config: StudioConfig) -> None:
    async with open_studio(config) as studio:
        root = await studio.compose("a jig in D for fiddle, 8 bars", seed=5)
        faster = await studio.remix(root.id, "much faster and up a whole step")
    before = read_midi(Path(root.files["midi"]).read_bytes()).pitched
    after = read_midi(Path(faster.files["midi"]).read_bytes()).pitched
    assert [(n.pitch + 2, n.start_q, n.end_q) for n in before] == [(n.pitch, n.start_q, n.end_q) for n in after]


async def test_bad_requests_are_clear_errors(config: StudioConfig, tmp_path: Path) -> None:
    async with open_studio(config) as studio:
        root = await studio.compose("a waltz in F, 4 bars", seed=2)
        with pytest.raises(StudioError, match="no generation"):
            await studio.remix("zzzzzzzzzz", "faster")
        with pytest.raises(EditError):
            await studio.remix(root.id, "asdf qwerty")
        with pytest.raises(MidiImportError):
            await studio.import_midi(b"MThd\x00\x00\x00\x06garbage", "broken.mid")


async def test_imported_midi_is_a_remixable_generation(config: StudioConfig) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "maple_leaf_m1_8.mid"
    async with open_studio(config) as studio:
        imported = await studio.import_midi(fixture.read_bytes(), fixture.name, who=Who(author="local:cy"))
        stored = await studio.generation(imported.id)
        assert stored.author == "local:cy" and stored.prompt == f"imported: {fixture.name}"
        remixed = await studio.remix(imported.id, "slower with drums")
    facts = read_midi(Path(remixed.files["midi"]).read_bytes())
    assert facts.drum_note_count > 0 and remixed.spec.tempo_bpm < imported.spec.tempo_bpm
    # the fixture is Joplin's Maple Leaf Rag, which Motif learned from: the copy is the user's, not Motif's
    assert remixed.originality["inherited"] and remixed.originality["longest_match_notes"] >= 12


async def test_the_midi_file_written_is_the_midi_stored(config: StudioConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each publish encodes its piece once: the file a user gets is byte for byte what a remix starts from."""

    def encode_again(piece: object) -> bytes:
        raise AssertionError("render_all encoded the piece a second time")

    monkeypatch.setattr("composer.files.render.piece_to_midi_bytes", encode_again)
    async with open_studio(config) as studio:
        root = await studio.compose("a calm folk song in G for piano, 8 bars", seed=11)
        child = await studio.remix(root.id, "faster and add drums", seed=3)
        for made in (root, child):
            stored = (await studio.generation(made.id)).midi
            assert Path(made.files["midi"]).read_bytes() == stored
