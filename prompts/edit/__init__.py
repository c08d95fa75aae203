"""The remix edit language: "faster and in 3/4 with drums" -> `Edit`s -> a new Spec and an `EditPlan`.

`types` holds the data the composer receives (`Edit`, `EditPlan`, `EditError`); `read`, `keys`, `parts`
and `words` read an instruction; `apply`, `ensemble` and `draft` fold the edits over the parent Spec;
`language` joins the two halves.
"""

from __future__ import annotations

from prompts.edit.language import apply_edits, parse_edits
from prompts.edit.types import Edit, EditError, EditPlan

__all__ = ["Edit", "EditError", "EditPlan", "apply_edits", "parse_edits"]
