"""Generations: round trip, lineage and trees, paging, and refusal of bad input."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC

import pytest

from storage import MAX_MIDI_BYTES, Generation, Store, StoreError
from storage.records import format_timestamp
from tests.storage.factories import SPEC, midi_bytes, new_generation
from tests.storage.raw import RawDb


async def test_round_trip_keeps_every_field(store: Store) -> None:
    new = new_generation(midi=midi_bytes(4096, seed=3), message_id="msg-1")
    added = await store.add_generation(new)
    fetched = await store.get_generation(added.id)
    assert fetched == added
    assert fetched.midi == new.midi
    assert fetched.spec == SPEC
    assert fetched.originality == new.originality and fetched.timings == new.timings
    assert (fetched.prompt, fetched.seed, fetched.engine, fetched.author) == (new.prompt, 7, "markov", "user-1")
    assert fetched.parent_id is None and fetched.root_id == fetched.id and fetched.is_root
    assert fetched.created_at.tzinfo is not None and fetched.created_at.utcoffset() == UTC.utcoffset(None)


async def test_ids_are_short_url_safe_and_distinct(store: Store) -> None:
    ids = [(await store.add_generation(new_generation())).id for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"[0-9a-hjkmnp-tv-z]{10}", gen_id) for gen_id in ids)


async def test_optional_fields_may_be_absent(store: Store) -> None:
    bare = new_generation(author=None, guild=None, channel=None, model_version=None, originality=None, timings=None)
    fetched = await store.get_generation((await store.add_generation(bare)).id)
    assert fetched is not None
    assert (fetched.author, fetched.originality, fetched.timings, fetched.model_version) == (None, None, None, None)


async def test_unknown_id_reads_as_absent(store: Store) -> None:
    assert await store.get_generation("nosuchid00") is None
    assert await store.lineage("nosuchid00") == []
    assert await store.tree("nosuchid00") == []
    assert await store.children("nosuchid00") == []


async def _chain_and_branch(store: Store) -> dict[str, Generation]:
    """root -> a -> b, and root -> c (a branch), plus an unrelated root."""
    root = await store.add_generation(new_generation(prompt="a folk reel"))
    a = await store.add_generation(new_generation(prompt="make it faster", parent_id=root.id, author="user-2"))
    b = await store.add_generation(new_generation(prompt="add drums", parent_id=a.id))
    c = await store.add_generation(new_generation(prompt="in minor", parent_id=root.id, author="user-3"))
    other = await store.add_generation(new_generation(prompt="a chorale"))
    return {"root": root, "a": a, "b": b, "c": c, "other": other}


async def test_lineage_is_the_path_from_the_root(store: Store) -> None:
    gens = await _chain_and_branch(store)
    assert [g.id for g in await store.lineage(gens["b"].id)] == [gens[k].id for k in ("root", "a", "b")]
    assert [g.id for g in await store.lineage(gens["c"].id)] == [gens["root"].id, gens["c"].id]
    assert [g.id for g in await store.lineage(gens["root"].id)] == [gens["root"].id]


async def test_remixes_share_the_root_and_tree_finds_all(store: Store) -> None:
    gens = await _chain_and_branch(store)
    family = ("root", "a", "b", "c")
    assert {gens[k].root_id for k in family} == {gens["root"].id}
    expected = [gens[k].id for k in ("root", "a", "b", "c")]  # oldest first
    assert [g.id for g in await store.tree(gens["root"].id)] == expected
    assert [g.id for g in await store.tree(gens["b"].id)] == expected  # any member names the tree
    assert [g.id for g in await store.tree(gens["other"].id)] == [gens["other"].id]


async def test_children_are_direct_remixes_only(store: Store) -> None:
    gens = await _chain_and_branch(store)
    assert [g.id for g in await store.children(gens["root"].id)] == [gens["a"].id, gens["c"].id]
    assert [g.id for g in await store.children(gens["a"].id)] == [gens["b"].id]
    assert await store.children(gens["b"].id) == []


async def test_unknown_parent_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(StoreError, match="parent generation 'ghost00000' does not exist"):
        await store.add_generation(new_generation(parent_id="ghost00000"))
    assert await store.list_generations() == []


async def test_midi_over_two_mib_is_refused(store: Store) -> None:
    at_limit = b"M" * MAX_MIDI_BYTES
    assert (await store.add_generation(new_generation(midi=at_limit))).midi == at_limit
    with pytest.raises(StoreError, match="at most 2097152 bytes"):
        await store.add_generation(new_generation(midi=at_limit + b"x"))
    assert len(await store.list_generations()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"midi": b""}, "midi is empty"),
        ({"midi": "MThd"}, "midi must be bytes"),
        ({"seed": 2**63}, "64-bit"),
        ({"seed": True}, "seed"),
        ({"engine": " "}, "engine"),
        ({"spec": ["not", "a", "dict"]}, "spec must be a dict"),
        ({"spec": {"tempo": float("nan")}}, "spec must be JSON-serialisable"),
        ({"timings": {"midi_ms": object()}}, "timings must be JSON-serialisable"),
        ({"originality": "high"}, "originality must be a dict"),
        ({"author": 1234}, "author must be a string"),
        ({"prompt": None}, "prompt must be a string"),
    ],
)
async def test_bad_fields_get_clear_errors(store: Store, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        await store.add_generation(new_generation(**overrides))


async def test_list_is_newest_first_and_filters_by_author(store: Store) -> None:
    gens = await _chain_and_branch(store)
    newest_first = [gens[k].id for k in ("other", "c", "b", "a", "root")]
    assert [g.id for g in await store.list_generations()] == newest_first
    assert [g.id for g in await store.list_generations(author="user-2")] == [gens["a"].id]
    assert [g.id for g in await store.list_generations(author="user-1")] == [
        gens[k].id for k in ("other", "b", "root")
    ]
    assert await store.list_generations(author="nobody") == []


@pytest.mark.parametrize("listing", ["list_generations", "list_generation_summaries"])
async def test_paging_with_before_visits_each_generation_once(store: Store, listing: str) -> None:
    """Full records and summaries page the same way: newest first, each once, `before` the last seen."""
    added = [await store.add_generation(new_generation(seed=i)) for i in range(7)]
    list_page = getattr(store, listing)
    seen: list[str] = []
    page = await list_page(limit=3)
    while page:
        seen += [g.id for g in page]
        page = await list_page(limit=3, before=page[-1].id)
    assert seen == [g.id for g in reversed(added)]


async def test_paging_breaks_timestamp_ties_by_insertion_order(store: Store, raw: RawDb) -> None:
    first = await store.add_generation(new_generation())
    second = await store.add_generation(new_generation(seed=99))
    # Equal timestamps happen on coarse clocks; force one from a second connection and check the order.
    await raw.execute(
        "UPDATE generations SET created_at = ? WHERE id = ?", format_timestamp(first.created_at), second.id
    )
    assert [g.id for g in await store.list_generations()] == [second.id, first.id]
    assert [g.id for g in await store.list_generations(before=second.id)] == [first.id]


async def test_bad_paging_arguments_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="limit must be"):
        await store.list_generations(limit=0)
    with pytest.raises(StoreError, match="does not exist"):
        await store.list_generations(before="nosuchid00")


async def test_attach_message_makes_the_generation_findable_by_reply(store: Store) -> None:
    gen = await store.add_generation(new_generation(channel=None))
    assert await store.get_by_message("m-42") is None
    await store.attach_message(gen.id, channel="chan-9", message_id="m-42")
    found = await store.get_by_message("m-42")
    assert found is not None and found.id == gen.id and found.channel == "chan-9"
    assert replace(found, channel=None, message_id=None) == gen
    with pytest.raises(StoreError, match="does not exist"):
        await store.attach_message("nosuchid00", channel=None, message_id="m-43")


async def test_closed_store_refuses_work_clearly(store: Store) -> None:
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StoreError, match="is closed"):
        await store.add_generation(new_generation())
    with pytest.raises(StoreError, match="is closed"):
        await store.get_generation("x")
