"""Spec -> music: harmony, melody, arrangement and the files a user gets (see the README for the rooms)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, modules: dict[str, tuple[str, ...]]) -> tuple[list[str], Callable[[str], Any]]:
    """`__all__` and a module `__getattr__` (PEP 562) for a package exporting `modules` ({module: names}):
    an exported name's module is imported only when the name is asked for.

    Why: a room whose modules are heavy (music21, verovio) or that a sandboxed child imports under a memory
    cap can still export its entry point without making every import of one of its modules pay for all.
    """
    exports = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(exports[name]), name)

    return sorted(exports), __getattr__
