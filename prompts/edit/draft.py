"""The remix being built: the Spec so far, what the user has now stated, and the plan's running state.

Every applier changes the Spec through `Draft.change`, so each change is summarised once, recorded as
stated (for `Spec.explicit`) and compared with the previous value in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from prompts.edit.types import EditPlan
from prompts.spec import Spec

KEEP_NOTES, KEEP_MELODY, REGENERATE = 0, 1, 2
"""How much of the parent survives an edit, from most to least; a remix takes the largest level asked."""


@dataclass
class Draft:
    """A remix in progress (mutable; `apply_edits` turns it into a frozen Spec and an EditPlan)."""

    parent: Spec
    spec: Spec
    max_bars: int
    plan: EditPlan = field(default_factory=EditPlan)
    level: int = KEEP_NOTES
    stated: list[str] = field(default_factory=list)

    def explicit(self) -> set[str]:
        """Fields the user has stated so far: in the original prompt, earlier remixes, or this message."""
        return set(self.spec.explicit) | set(self.stated)

    def change(self, name: str, value: Any, summary: str | None = None, stated: bool = True) -> bool:
        """Set one Spec field; True when it changed. `stated` is False for values inferred (genre defaults)."""
        if stated and name not in self.stated:
            self.stated.append(name)
        if getattr(self.spec, name) == value:
            return False
        self.spec = replace(self.spec, **{name: value})
        if summary:
            self.plan.summary.append(summary)
        return True

    def at_least(self, level: int) -> None:
        """Raise how much of the piece must be rewritten (never lowers it)."""
        self.level = max(self.level, level)

    def note(self, message: str) -> None:
        """A remark for the user (a clamp, a conflict, an edit that changed nothing)."""
        if message not in self.plan.notes:
            self.plan.notes.append(message)
