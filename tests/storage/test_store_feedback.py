"""Feedback: reactions stored once per user and emoji, one rating per user, and a real foreign key."""

from __future__ import annotations

import pytest

from storage import Store, StoreError
from tests.storage.factories import new_generation
from tests.storage.raw import FOREIGN_KEY, INTEGRITY_ERRORS, RawDb


async def test_reactions_and_ratings_round_trip(store: Store) -> None:
    gen = await store.add_generation(new_generation())
    assert await store.add_feedback(gen.id, "discord:1", "reaction", "🔥")
    assert not await store.add_feedback(gen.id, "discord:1", "reaction", "🔥")  # a second click: stored once
    assert await store.add_feedback(gen.id, "discord:1", "reaction", "🎷")
    assert await store.add_feedback(gen.id, "discord:2", "reaction", "🔥")
    assert await store.add_feedback(gen.id, "discord:2", "rating", 4)
    got = [(f.user_id, f.kind, f.value) for f in await store.feedback_for(gen.id)]
    assert got == [("discord:1", "reaction", "🔥"), ("discord:1", "reaction", "🎷"),
                   ("discord:2", "reaction", "🔥"), ("discord:2", "rating", "4")]
    assert await store.feedback_for("nosuchid00") == []


async def test_a_new_rating_replaces_the_old_one(store: Store) -> None:
    gen = await store.add_generation(new_generation())
    assert await store.add_feedback(gen.id, "local:alice", "rating", "2")
    assert not await store.add_feedback(gen.id, "local:alice", "rating", 2)
    assert await store.add_feedback(gen.id, "local:alice", "rating", 5)
    assert [(f.kind, f.value) for f in await store.feedback_for(gen.id)] == [("rating", "5")]


async def test_removing_a_reaction(store: Store) -> None:
    gen = await store.add_generation(new_generation())
    await store.add_feedback(gen.id, "discord:1", "reaction", "👍")
    assert await store.remove_feedback(gen.id, "discord:1", "reaction", "👍")
    assert not await store.remove_feedback(gen.id, "discord:1", "reaction", "👍")
    assert await store.feedback_for(gen.id) == []


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("rating", 6, "from 1 to 5"),
        ("rating", "4.5", "from 1 to 5"),
        ("rating", True, "from 1 to 5"),
        ("reaction", " ", "reaction must be a non-empty string"),
        ("reaction", "x" * 65, "at most 64"),
        ("like", "1", "kind must be 'reaction' or 'rating'"),
    ],
)
async def test_bad_feedback_is_refused(store: Store, kind: str, value: object, message: str) -> None:
    gen = await store.add_generation(new_generation())
    with pytest.raises(StoreError, match=message):
        await store.add_feedback(gen.id, "discord:1", kind, value)  # type: ignore[arg-type]
    assert await store.feedback_for(gen.id) == []


async def test_feedback_on_an_unknown_generation_is_refused(store: Store, raw: RawDb) -> None:
    with pytest.raises(StoreError, match="generation 'ghost00000' does not exist"):
        await store.add_feedback("ghost00000", "discord:1", "rating", 3)
    with pytest.raises(INTEGRITY_ERRORS, match=FOREIGN_KEY):
        await raw.execute(
            "INSERT INTO feedback (generation_id, user_id, kind, value, created_at) VALUES ('ghost', 'x:1', 'rating', '3', '')"
        )
