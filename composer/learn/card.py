"""The model card of a checkpoint: README.md (for people) rendered from training.json (for tools), with what the
training split held per source and genre family. `python -m composer.learn.card DIR` records the data and
re-renders the card; `motif train` renders it after every phase (`train.write_model_card`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from composer.learn.debian.sources import SOURCES


def data_summary(melodies: list) -> dict[str, dict[str, dict[str, int]]]:
    """What a training split holds, per source (corpus collection or lead source) and per genre family:
    melodies (lead phrases count one each), pieces and notes."""
    from composer.melody.attributes import family_of, genre_of

    table: dict[str, dict[str, dict[str, Any]]] = {"sources": {}, "families": {}, "licences": {}}
    for melody in melodies:
        genre = genre_of(melody.family or family_of(melody.source, melody.dance))
        licence = melody.licence or "music21 corpus (DATA.md)"
        for group, key in (("sources", melody.source), ("families", genre), ("licences", licence)):
            row = table[group].setdefault(key, {"melodies": 0, "pieces": set(), "notes": 0})
            row["melodies"] += 1
            row["pieces"].add(melody.piece or melody.id)
            row["notes"] += len(melody.notes)
    return {group: {key: {"melodies": row["melodies"], "pieces": len(row["pieces"]), "notes": row["notes"]}
                    for key, row in sorted(rows.items())} for group, rows in table.items()}


LEAD_SOURCES: tuple[str, ...] = tuple(source.name for source in SOURCES)
"""The Debian lead sources (`composer.learn.debian.sources`), as the melodies' `source` names them."""


def render_card(out_dir: Path) -> None:
    """The README.md of a checkpoint from its training.json: shape, phases and their commands, and the data
    (per source and genre family, from the record's `data` when `add_data` has put it there)."""
    record = json.loads((out_dir / "training.json").read_text())
    phases, data = record["phases"], record.get("data")
    config, report = phases[-1]["config"], phases[-1]["report"]
    shape = config.get("model", config)
    first = phases[0]["config"]
    warm = (f"Warm-started from `{first['init_from']}` (a copy of the checkpoint it replaces: its weights copied,\n"
            "the new tokens' embedding rows fresh), then trained in the phases below.\n") if first.get("init_from") else ""
    trained_on = ("the corpus melodies (`python -m composer.learn.corpus build`)\nand the Debian lead lines"
                  " (`motif data leads`), each lead line also an octave up and down\n(`composer.learn.dataset`);"
                  " counts below. "
                  if data and len(data["sources"]) > 0 and any(k in data["sources"] for k in LEAD_SOURCES)
                  else "melodies extracted from the music21 corpus (`python -m composer.learn.corpus build`).\n")
    lines = [
        "# Motif melody model\n\n"
        "A GPT-2 (transformers) over miditok REMI tokens plus attribute tokens (mode, meter, tempo, density, range,\n"
        "dance family, bars, genre family) and, after every bar line, the bar's section, place in its phrase and\n"
        "chord, conditioned on an all-MiniLM-L6-v2 caption embedding projected into prefix vectors. Trained on the\n"
        "CPU by `motif train` on " + trained_on + warm,
        f"\n- parameters: {report['parameters']:,}\n"
        f"- layers / heads / width: {shape['n_layer']} / {shape['n_head']} / {shape['n_embd']};"
        f" context {shape.get('n_positions', 514) - shape.get('prefix_len', 2)}\n"
        f"- training examples: {report['train_examples']:,} ({report['train_tokens']:,} tokens); validation:"
        f" {report['valid_examples']:,}\n"
        f"- steps: {sum(p['report']['steps'] for p in phases)} in {len(phases)} phase(s); training time:"
        f" {sum(p['report']['seconds'] for p in phases) / 60:.1f} min\n"
        f"- best validation loss: {min(p['report']['best_valid_loss'] for p in phases):.4f} nats/token,"
        f" {min(p['report']['valid_bits_per_note'] for p in phases):.3f} bits/note\n"
        f"- seed: {config['seed']}; threads: {config['threads']}\n\n",
    ]
    lines += [f"- phase {i + 1}: `{phase_command(p['config'])}`, {p['report']['steps']} steps, best valid loss"
              f" {p['report']['best_valid_loss']:.4f}\n" for i, p in enumerate(phases)]
    lines.append("\nReproduce: run the phases' commands in order (same data files, same thread count).\n")
    if data:
        lines.append("\n## Training data (train split)\n\n| genre family | melodies | pieces | notes |\n|---|---:|---:|---:|\n")
        lines += [f"| {k} | {v['melodies']:,} | {v['pieces']:,} | {v['notes']:,} |\n" for k, v in data["families"].items()]
        lines.append("\n| source | melodies | pieces | notes |\n|---|---:|---:|---:|\n")
        lines += [f"| {k} | {v['melodies']:,} | {v['pieces']:,} | {v['notes']:,} |\n" for k, v in data["sources"].items()]
        lines.append("\nLead phrases count as melodies, before the octave copies.\n")
        if "licences" in data:
            lines.append("\n## Licence\n\nThe weights are treated as derived from everything they learned from, so they"
                         " learn only from\nlead lines whose licences combine with GPL-2.0-only material"
                         " (`composer.learn.dataset.MODEL_LICENCES`)\nand are shipped under the **GNU GPL version 2**,"
                         " apart from Motif's MIT code. What this phase's data\ncame under:\n\n"
                         "| licence | melodies | pieces | notes |\n|---|---:|---:|---:|\n")
            lines += [f"| {k} | {v['melodies']:,} | {v['pieces']:,} | {v['notes']:,} |\n"
                      for k, v in data["licences"].items()]
    lines.append("\nTraining data, its sources, versions and licences: `DATA.md` at the repository root.\n")
    (out_dir / "README.md").write_text("".join(lines))


def add_data(out_dir: Path, leads: bool = True) -> None:
    """Record what the training split holds (`data_summary`) in a checkpoint's training.json and re-render
    its card: `python -m composer.learn.card DIR`."""
    from composer.learn.dataset import training_melodies

    path = out_dir / "training.json"
    record = json.loads(path.read_text())
    record["data"] = data_summary(training_melodies("train", leads))
    path.write_text(json.dumps(record, indent=1))
    render_card(out_dir)


def phase_command(config: dict) -> str:
    """The `motif train` command line that runs one recorded phase (early records keep the shape at top level)."""
    shape = config.get("model", config)
    parts = [f"motif train --seed {config['seed']} --max-steps {config['max_steps']} --lr {config['lr']}",
             f"--layers {shape['n_layer']} --width {shape['n_embd']} --eval-every {config['eval_every']}"]
    if config.get("resume"):
        parts.append("--resume")
    elif config.get("init_from"):
        parts.append(f"--init-from {config['init_from']}")
    if config.get("balance"):
        parts.append(f"--balance {config['balance']}")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m composer.learn.card DIR [--no-leads]` records the data and re-renders the card."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m composer.learn.card")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--no-leads", action="store_true")
    args = parser.parse_args(argv)
    add_data(args.directory, not args.no_leads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
