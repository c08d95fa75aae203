"""Where the trained melody model lives. Kept apart from the training code so that asking "is there a
checkpoint?" does not import torch (a cold `motif compose --engine markov` must stay fast)."""

from __future__ import annotations

from pathlib import Path

CHECKPOINT_DIR = Path(__file__).parents[1] / "data" / "checkpoint"
WEIGHTS_FILE = "model.safetensors"


def has_checkpoint(directory: Path = CHECKPOINT_DIR) -> bool:
    return (directory / WEIGHTS_FILE).is_file()
