"""Composing through Discord end to end: /compose and a mention, the final message, and every button."""

from __future__ import annotations

from symusic import Score

from tests.bot import discord_harness
from tests.bot.discord_harness import World, answered, generation_id, is_final
from tests.fakediscord import FakeChannel, FakeDiscord, FakeInteraction, FakeUser, ResponseRecord

executor = discord_harness.executor
world = discord_harness.world


def _final_of(world: World, interaction: FakeInteraction) -> ResponseRecord:
    return world.fake.state.interactions[interaction.id].responses[-1]


async def composed_by(fake: FakeDiscord, user: FakeUser, channel: FakeChannel, prompt: str,
                      **options: object) -> ResponseRecord:
    """`user` types /compose in `channel`; the response that carries the finished piece."""
    interaction = await fake.user_invokes_slash(user, channel, "compose", {"prompt": prompt, **options})
    return await fake.wait_for_response(interaction, answered, timeout=60)


async def _compose(world: World, prompt: str, **options: object) -> ResponseRecord:
    return await composed_by(world.fake, world.fake.add_user("alice"), world.guild.channel("general"), prompt,
                             **options)


async def test_compose_by_slash_posts_one_message_with_embed_files_and_buttons(world: World) -> None:
    fake = world.fake
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        general = world.guild.channel("general")
        interaction = await fake.user_invokes_slash(
            alice, general, "compose", {"prompt": "a sad waltz in D minor", "bars": 4}
        )
        final = await fake.wait_for_response(
            interaction, answered, timeout=60
        )
    kinds = [(r.kind, r.type) for r in fake.interaction_responses(interaction)]
    assert kinds[0] == ("callback", 5)  # deferred at once
    assert all(kind == "edit_original" for kind, _ in kinds[1:])  # progress and result edit one message
    message = final.message
    assert message is not None and not message.loading
    gen = generation_id(message)
    names = sorted(a.filename for a in message.attachments)
    assert names == sorted([f"motif-{gen}.mid", f"motif-{gen}.musicxml", f"motif-{gen}-score.png"])
    midi = Score.from_midi(bytes(message.attachment(f"motif-{gen}.mid").data))
    assert sum(len(track.notes) for track in midi.tracks) > 0
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert fields["Key"] == "D minor" and fields["Bars"] == "4" and fields["Meter"] == "3/4"
    assert {"Tempo", "Instruments", "Genre & mood", "Seed", "Originality"} <= set(fields)
    assert message.embeds[0]["image"]["url"] == f"attachment://motif-{gen}-score.png"
    assert message.custom_ids() == [f"motif:{a}:{gen}" for a in ("variation", "continue", "remix", "lineage")]
    stored = await world.store.get_generation(gen)
    assert (
        stored is not None and stored.author == f"discord:{alice.id}" and stored.message_id == str(message.id)
    )
    job = await world.store.get_job_by_key(f"interaction:{interaction.id}")
    assert job is not None and job.state == "done" and job.result is not None
    assert job.result["message_id"] == str(message.id)
    assert len([m for m in fake.bot_messages_in(general) if is_final(m)]) == 1


async def test_compose_by_mention_replies_with_the_piece(world: World) -> None:
    fake = world.fake
    async with fake.running(world.bot()):
        bob = fake.add_user("bob")
        general = world.guild.channel("general")
        asked = await fake.user_sends(bob, general, "upbeat bossa nova, 4 bars", mentions_bot=True)
        reply = await fake.wait_for_bot_message(
            general, lambda m: m.reference_id == asked.id and is_final(m), timeout=60
        )
    gen = generation_id(reply)
    stored = await world.store.get_generation(gen)
    assert stored is not None and stored.spec["bars"] == 4 and stored.spec["genre"] == "bossa_nova"
    assert stored.message_id == str(reply.id)
    assert len([m for m in fake.bot_messages_in(general) if m.reference_id == asked.id]) == 1


async def test_bad_prompt_gets_a_clear_answer_and_no_piece(world: World) -> None:
    fake = world.fake
    async with fake.running(world.bot()):
        alice = fake.add_user("alice")
        interaction = await fake.user_invokes_slash(
            alice, world.guild.channel("general"), "compose", {"prompt": "jazz in 99/7 time, 3000 bars"}
        )
        answer = await fake.wait_for_response(
            interaction,
            lambda r: r.message is not None and r.message.content.startswith("Motif could not"),
            timeout=60,
        )
    assert answer.message is not None and not answer.message.embeds
    job = await world.store.get_job_by_key(f"interaction:{interaction.id}")
    assert job is not None and job.state == "failed"


async def test_every_button(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice, carol = fake.add_user("alice"), fake.add_user("carol")
        final = (await composed_by(fake, alice, general, "folk tune, 4 bars")).message
        assert final is not None
        gen = generation_id(final)
        results = {}
        for action in ("variation", "continue"):
            click = await fake.user_clicks(carol, final, f"motif:{action}:{gen}")
            done = await fake.wait_for_response(
                click, answered, timeout=60
            )
            assert done.message is not None
            results[action] = await world.store.get_generation(generation_id(done.message))
        remix_click = await fake.user_clicks(carol, final, f"motif:remix:{gen}")
        shown = await fake.wait_for_response(remix_click, lambda r: r.type == 9)
        assert shown.data["custom_id"] == f"motif:remix-modal:{gen}"
        submitted = await fake.user_submits_modal(
            carol, f"motif:remix-modal:{gen}", {"instruction": "faster"}
        )
        remixed = await fake.wait_for_response(
            submitted, answered, timeout=60
        )
        lineage_click = await fake.user_clicks(alice, final, f"motif:lineage:{gen}")
        tree = await fake.wait_for_response(lineage_click, lambda r: r.kind == "followup")
    variation, longer = results["variation"], results["continue"]
    assert variation is not None and variation.parent_id == gen and variation.seed != final_seed(final)
    assert longer is not None and longer.parent_id == gen and longer.spec["bars"] == 8
    assert remixed.message is not None
    child = await world.store.get_generation(generation_id(remixed.message))
    parent = await world.store.get_generation(gen)
    assert child is not None and parent is not None and child.spec["tempo_bpm"] > parent.spec["tempo_bpm"]
    description = remixed.message.embeds[0]["description"]
    assert f"<@{carol.id}>" in description and f"<@{alice.id}>" in description  # both credited
    assert tree.message is not None and tree.message.attachment("lineage.png").data.startswith(b"\x89PNG")
    assert gen in tree.message.embeds[0]["description"]


def final_seed(message: object) -> str:
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}  # type: ignore[attr-defined]
    return int(fields["Seed"])  # type: ignore[return-value]


async def test_history_and_help(world: World) -> None:
    fake = world.fake
    general = world.guild.channel("general")
    async with fake.running(world.bot()):
        alice, bob = fake.add_user("alice"), fake.add_user("bob")
        final = await composed_by(fake, alice, general, "polka, 2 bars")
        mine = await fake.wait_for_response(await fake.user_invokes_slash(alice, general, "history"))
        theirs = await fake.wait_for_response(
            await fake.user_invokes_slash(bob, general, "history", {"member": alice})
        )
        empty = await fake.wait_for_response(await fake.user_invokes_slash(bob, general, "history"))
        shown = await fake.wait_for_response(await fake.user_invokes_slash(bob, general, "help"))
    assert final.message is not None
    gen = generation_id(final.message)
    for answer in (mine, theirs):
        assert answer.message is not None and gen in answer.message.embeds[0]["description"]
    assert empty.message is not None and "no pieces yet" in empty.message.embeds[0]["description"]
    assert shown.message is not None and "/compose" in shown.message.embeds[0]["description"]


async def test_compose_with_a_chords_option_plays_and_shows_the_progression(world: World) -> None:
    """`/compose chords:` is read like a progression in prose: the piece plays it, the card lists it."""
    from composer.learn.chords_heard import hear_progression
    from prompts.spec import Spec

    async with world.fake.running(world.bot()):
        final = await _compose(world, "folk tune in G major", bars=4, chords="G | C | D7 | Em")
    message = final.message
    assert message is not None
    gen = generation_id(message)
    stored = await world.store.get_generation(gen)
    assert stored is not None and stored.spec["chords"] == ["G", "C", "D7", "Em"]
    assert stored.prompt == "folk tune in G major. chords: G | C | D7 | Em"
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert fields["Chords"] == "G C D7 Em" and fields["Key"] == "G major"
    hearing = hear_progression(bytes(message.attachment(f"motif-{gen}.mid").data), Spec.from_dict(stored.spec))
    assert hearing.bars_heard == 4 and hearing.ratio >= 0.75, hearing.slots


def test_the_chords_option_joins_the_prompt_and_the_card_names_the_harmonic_rhythm() -> None:
    from bot.discord_app.embeds import chords_line
    from bot.discord_app.intake import with_chords

    assert with_chords("sad waltz for cello.", " Am F C G ") == "sad waltz for cello. chords: Am F C G"
    assert with_chords("sad waltz", None) == with_chords("sad waltz", "  ") == "sad waltz"
    assert chords_line(["C", "G/B"], 2.0) == "C G/B (two per bar)" and chords_line(["C"], 1.0) == "C"
