"""Lineage views stay bounded however large the tree: a chain of 1,100 remixes, 2,000 remixes of one
piece and a bushy tree all give a small outline and a small picture, with what was left out counted.
Prompts are the user's text: rich markup and Discord markdown in them are shown, not obeyed."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from bot.discord_app.lineage import LINEAGE_PER_WINDOW, MAX_LINES, LineageLimiter, lineage_png, lineage_text
from bot.lineage import DRAWN, MAX_PICTURE_PX, layout, text_tree
from storage import Generation, NewGeneration
from tests.bot import discord_harness
from tests.bot.discord_harness import World

executor = discord_harness.executor
world = discord_harness.world

START = datetime(2024, 1, 1, tzinfo=UTC)
MAX_PNG_BYTES = 500_000


def generation(gen_id: str, parent: str | None, index: int, prompt: str = "") -> Generation:
    return Generation(
        id=gen_id, parent_id=parent, root_id="g0", author=f"discord:{100 + index % 3}", guild="1", channel="2",
        message_id=None, prompt=prompt or f"remix number {index}", spec={}, seed=index, engine="markov",
        model_version=None, midi=b"", originality=None, timings=None, created_at=START + timedelta(seconds=index),
    )


def chain(length: int) -> list[Generation]:
    return [generation(f"g{i}", f"g{i - 1}" if i else None, i) for i in range(length)]


def wide(children: int) -> list[Generation]:
    return [generation("g0", None, 0)] + [generation(f"c{i}", "g0", i + 1) for i in range(children)]


def bushy(fanout: int, levels: int) -> list[Generation]:
    tree, level = [generation("g0", None, 0)], ["g0"]
    for _ in range(levels):
        level = [f"{up}.{k}" for up in level for k in range(fanout)]
        tree += [generation(g, g.rsplit(".", 1)[0], len(tree) + i) for i, g in enumerate(level)]
    return tree


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def rendered(tree: object) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(tree)
    return console.file.getvalue()  # type: ignore[attr-defined]


CASES = {
    "chain of 1,100, focus at the tip": (chain(1100), "g1099"),
    "chain of 1,100, focus in the middle": (chain(1100), "g550"),
    "chain of 1,100, focus at the root": (chain(1100), "g0"),
    "2,000 remixes of one piece, focus on the piece": (wide(2000), "g0"),
    "2,000 remixes of one piece, focus on one of them": (wide(2000), "c1500"),
    "bushy tree of 3,906, focus inside": (bushy(5, 5), "g0.2.3"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_view_is_bounded_and_counts_what_it_leaves_out(name: str) -> None:
    tree, focus = CASES[name]
    rows = layout(tree, focus)
    shown = [r for r in rows if not r.is_marker]
    assert focus in {r.id for r in shown}
    assert len(shown) + sum(r.hidden for r in rows) == len(tree)  # nothing vanishes uncounted
    assert len(rows) <= 2 * DRAWN.nodes + 2
    assert max(r.depth for r in rows) <= DRAWN.ancestors + DRAWN.below + 3

    outline = rendered(text_tree(tree, highlight=focus))
    assert focus in outline and outline.count("\n") <= 2 * DRAWN.nodes + 3

    text = lineage_text(tree, focus)
    assert f"`{focus}`" in text and "◀" in text and len(text.splitlines()) <= MAX_LINES and len(text) < 4000

    picture = lineage_png(tree, focus, {"discord:100": "Alice"})
    width, height = png_size(picture)
    assert len(picture) < MAX_PNG_BYTES and width <= MAX_PICTURE_PX and height <= MAX_PICTURE_PX


def test_long_chain_shows_root_gap_and_nearest_ancestors() -> None:
    rows = layout(chain(1100), "g1099")
    assert [r.id for r in rows][:2] == ["g0", "…gap:g0"] and rows[-1].id == "g1099"
    assert rows[1].hidden == 1100 - 1 - (DRAWN.ancestors + 1)
    assert "1,092 more between" in rendered(text_tree(chain(1100), highlight="g1099"))


def test_wide_tree_shows_nearest_siblings_and_a_more_marker() -> None:
    rows = layout(wide(2000), "c1500")
    siblings = [r.id for r in rows if r.depth == 1 and not r.is_marker]
    assert "c1500" in siblings and len(siblings) == DRAWN.siblings + 1
    assert rows[-1].is_marker and rows[-1].ask == f"+{2000 - len(siblings):,} more"


def test_small_tree_is_shown_whole_without_markers() -> None:
    tree = [generation("g0", None, 0), generation("a", "g0", 1), generation("b", "a", 2), generation("c", "g0", 3)]
    rows = layout(tree, "b")
    assert [(r.id, r.depth) for r in rows] == [("g0", 0), ("a", 1), ("b", 2), ("c", 1)]
    assert not any(r.is_marker for r in rows)


def test_unknown_focus_and_missing_parent_fall_back_to_the_oldest_root() -> None:
    tree = [generation("x", "gone", 0), generation("y", "x", 1)]
    assert [r.id for r in layout(tree, "nope")] == ["x", "y"] and layout([], "x") == []


def test_prompt_markup_is_shown_not_obeyed() -> None:
    tree = [generation("g0", None, 0, prompt="jazz [/] in [bold]D[/bold] \\"),
            generation("g1", "g0", 1, prompt="**loud** `tick` _x_")]
    outline = rendered(text_tree(tree, highlight="g1"))  # "[/]" raised rich's MarkupError before escaping
    assert "jazz [/] in [bold]D[/bold]" in outline
    text = lineage_text(tree, "g1")
    assert "\\*\\*loud\\*\\*" in text and "\\`tick\\`" in text
    assert png_size(lineage_png(tree, "g1", {}))[0] > 0  # "$" and "[" are text in the picture too


def test_lineage_limiter_refuses_past_the_window_and_forgives_after() -> None:
    now = [0.0]
    limiter = LineageLimiter(per_window=3, window_s=60.0, clock=lambda: now[0])
    assert all(limiter.check("discord:1") is None for _ in range(3))
    refusal = limiter.check("discord:1")
    assert refusal is not None and "3 lineage trees" in refusal.message and "60 s" in refusal.message
    assert limiter.check("discord:2") is None  # per person
    now[0] = 61.0
    assert limiter.check("discord:1") is None


async def test_discord_lineage_of_a_long_stored_chain_is_drawn_in_a_worker_and_rate_limited(world: World) -> None:
    """A real store holding a chain of 1,100 remixes: /lineage answers with a small picture (drawn in a
    worker process) until the asker passes the per-person limit, then with a refusal that says when."""
    parent, guild = None, str(world.guild.id)
    for index in range(1100):
        made = await world.store.add_generation(NewGeneration(
            prompt=f"remix [/] number {index}", spec={}, seed=index, engine="markov", midi=b"MThd", parent_id=parent,
            author="discord:7", guild=guild))
        parent = made.id
    fake = world.fake
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        answers = []
        for _ in range(LINEAGE_PER_WINDOW + 1):
            asked = await fake.user_invokes_slash(alice, world.guild.channel("general"), "lineage", {"id": parent})
            answers.append(await fake.wait_for_response(
                asked, lambda r: r.kind == "followup" or (r.kind == "callback" and r.type == 4), timeout=60))
    for answer in answers[:-1]:
        assert answer.message is not None and f"`{parent}`" in answer.message.embeds[0]["description"]
        picture = bytes(answer.message.attachment("lineage.png").data)
        assert len(picture) < MAX_PNG_BYTES and max(png_size(picture)) <= MAX_PICTURE_PX
    refusal = answers[-1]
    assert refusal.kind == "callback" and "lineage trees" in refusal.data["content"] and "Try again" in refusal.data["content"]
