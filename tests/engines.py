"""The two melody engines as the request path loads them, loaded once per test session."""

from __future__ import annotations

from functools import lru_cache

from composer.melody import MelodySource


@lru_cache(maxsize=2)
def melody_source(engine: str) -> MelodySource:
    """The learned model (conditioned through the real MiniLM encoder) or the Markov baseline."""
    if engine == "model":
        from composer.melody.sample import load_model_melody
        from prompts.encoder import get_encoder

        return load_model_melody(get_encoder().embed)
    from composer.melody.source import load_default_melody_source

    return load_default_melody_source()
