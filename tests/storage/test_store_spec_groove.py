"""A Spec that names its groove (the prompt's free words chose it) comes back from the store with it, on both
engines: a remix starts from the stored Spec, so the groove must survive the round trip."""

from __future__ import annotations

from prompts.spec import Spec
from storage import Store
from tests.storage.factories import new_generation


async def test_a_specs_groove_survives_the_store(store: Store) -> None:
    spec = Spec(prompt="smoky late-night lounge", genre="jazz", drums=True, groove="SlowJazz1Walk",
                notes=("'smoky late-night lounge' plays MMA's SlowJazz1Walk groove",))
    stored = await store.add_generation(new_generation(spec=spec.to_dict(), prompt=spec.prompt))
    found = await store.get_generation(stored.id)
    assert found is not None
    back = Spec.from_dict(found.spec)
    assert back == spec and back.groove == "SlowJazz1Walk" and back.notes == spec.notes
    plain = await store.add_generation(new_generation(spec=Spec(prompt="bossa nova").to_dict()))
    again = await store.get_generation(plain.id)
    assert again is not None and Spec.from_dict(again.spec).groove is None
