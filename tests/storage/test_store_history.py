"""History pages: filters by author and guild, and summaries that leave the MIDI blobs behind."""

from __future__ import annotations

from storage import Store
from tests.storage.factories import midi_bytes, new_generation


async def test_list_filters_by_guild_and_author(store: Store) -> None:
    here = await store.add_generation(new_generation(guild="discord:g1", author="discord:1"))
    there = await store.add_generation(new_generation(guild="discord:g2", author="discord:1"))
    mine_here = await store.add_generation(new_generation(guild="discord:g1", author="discord:2"))
    assert [g.id for g in await store.list_generations(guild="discord:g1")] == [mine_here.id, here.id]
    assert [g.id for g in await store.list_generations("discord:1", guild="discord:g2")] == [there.id]
    assert await store.list_generations("discord:2", guild="discord:g2") == []


async def test_summaries_match_full_rows_without_midi(store: Store) -> None:
    root = await store.add_generation(new_generation(midi=midi_bytes(5000, seed=1), guild="discord:g1"))
    remix = await store.add_generation(new_generation(parent_id=root.id, midi=midi_bytes(300, seed=2)))
    summaries = await store.list_generation_summaries()
    assert [s.id for s in summaries] == [remix.id, root.id]
    for summary, full in zip(summaries, (remix, root), strict=True):
        assert summary.midi_size == len(full.midi)
        assert (summary.parent_id, summary.root_id, summary.prompt, summary.spec, summary.seed, summary.created_at) == (
            full.parent_id, full.root_id, full.prompt, full.spec, full.seed, full.created_at
        )
        assert not hasattr(summary, "midi")
    assert [s.id for s in await store.list_generation_summaries(guild="discord:g1", limit=1)] == [root.id]


