"""Training the melody model on the CPU: length-bucketed batches, AdamW with warmup and cosine decay,
periodic validation, early stopping, and a checkpoint that carries everything needed to load it offline.

Deterministic for a given seed and thread count (no time-based stopping), so `motif train` with the same
seed reproduces the committed checkpoint.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from composer.learn.dataset import Example
from composer.melody.checkpoint import CHECKPOINT_DIR
from composer.melody.model import IGNORE_INDEX, MelodyModel, ModelConfig, load_model, save_model
from composer.melody.tokens import MotifTokenizer

ATTRIBUTE_SPAN = 8
"""BOS plus the seven attribute tokens of the first vocabulary (`MotifTokenizer.attribute_span` is the
checkpoint's own); conditioning tokens are never scored (`collate`)."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights: the model's shape plus how it is trained."""

    model: ModelConfig
    seed: int = 1234
    batch_tokens: int = 6144
    lr: float = 1.5e-3
    weight_decay: float = 0.05
    warmup_steps: int = 150
    max_steps: int = 4000
    eval_every: int = 200
    patience: int = 4
    threads: int = 2
    resume: bool = False
    """Start from the weights already in the output folder (a further phase; the card records each phase)."""
    init_from: str | None = None
    """Warm start: copy the weights of this checkpoint folder (same shape; its tokens' embedding rows by token,
    new tokens' rows freshly drawn), so a new vocabulary trains in a fraction of the time."""


@dataclass
class TrainReport:
    """What happened in training; written into the model card."""

    steps: int = 0
    best_step: int = 0
    best_valid_loss: float = math.inf
    valid_bits_per_note: float = math.inf
    train_examples: int = 0
    valid_examples: int = 0
    train_tokens: int = 0
    parameters: int = 0
    seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)


def make_batches(examples: list[Example], batch_tokens: int, rng: random.Random) -> list[list[Example]]:
    """Group examples of similar length so padding stays small; batches are shuffled."""
    ordered = sorted(examples, key=lambda e: len(e.ids))
    batches, current = [], []
    for example in ordered:
        longest = max([len(e.ids) for e in current] + [len(example.ids)])
        if current and longest * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current = []
        current.append(example)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def collate(batch: list[Example], pad_id: int, given_from: int | None = None) -> dict[str, torch.Tensor]:
    """Padded ids, attention mask, labels and caption embeddings. Unscored: BOS and the attributes, padding,
    and every conditioning token (ids from `given_from` on, by default the examples' own: the bar tokens are
    given, not predicted)."""
    width = max(len(e.ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, example in enumerate(batch):
        ids[row, : len(example.ids)] = torch.tensor(example.ids)
        mask[row, : len(example.ids)] = 1
    if given_from is None:
        given_from = batch[0].given_from
    labels = ids.clone()
    labels[:, :1 if given_from is not None else ATTRIBUTE_SPAN] = IGNORE_INDEX
    if given_from is not None:
        labels[ids >= given_from] = IGNORE_INDEX
    labels[mask == 0] = IGNORE_INDEX
    embeddings = torch.from_numpy(np.stack([e.embedding for e in batch]))
    return {"input_ids": ids, "attention_mask": mask, "labels": labels, "text_embedding": embeddings}


def transformers_gpt(config: ModelConfig) -> torch.nn.Module:
    """`transformers`' GPT2LMHeadModel in the melody model's shape: what the checkpoint was trained as.

    Composing loads the weights into the plain torch GPT-2 (`composer.melody.gpt`, same names and numbers);
    training keeps this one, whose initialisation and dropout draws make a seed reproduce the checkpoint."""
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    return GPT2LMHeadModel(GPT2Config(
        vocab_size=config.vocab_size, n_positions=config.n_positions, n_embd=config.n_embd,
        n_layer=config.n_layer, n_head=config.n_head, resid_pdrop=config.dropout, embd_pdrop=config.dropout,
        attn_pdrop=config.dropout, bos_token_id=None, eos_token_id=None, pad_token_id=None,
    ))


def learning_rate(step: int, config: TrainConfig) -> float:
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps)
    return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


@torch.inference_mode()
def score_examples(model: MelodyModel, examples: list[Example], pad_id: int,
                   given_from: int | None = None) -> tuple[float, int, int]:
    """(total NLL in nats over scored tokens, scored tokens, notes) for held-out evaluation."""
    model.eval()
    total, tokens, notes = 0.0, 0, 0
    for batch in make_batches(examples, 8192, random.Random(0)):
        inputs = collate(batch, pad_id, given_from)
        logits = model(inputs["input_ids"], inputs["text_embedding"],
                       attention_mask=inputs["attention_mask"]).logits[:, model.config.prefix_len:, :]
        labels = inputs["labels"]
        nll = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
            ignore_index=IGNORE_INDEX, reduction="sum",
        )
        total += float(nll)
        tokens += int((labels[:, 1:] != IGNORE_INDEX).sum())
        notes += sum(e.n_notes for e in batch)
    return total, tokens, notes


def train(
    config: TrainConfig,
    tokenizer: MotifTokenizer,
    train_set: list[Example],
    valid_set: list[Example],
    out_dir: Path = CHECKPOINT_DIR,
    log: Callable[[str], None] = print,
) -> TrainReport:
    """Train, validating every `eval_every` steps; keeps the best checkpoint in `out_dir`."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    if config.model.vocab_size != len(tokenizer):
        raise ValueError(f"the model's vocabulary is {config.model.vocab_size}, the tokenizer has {len(tokenizer)}")
    model = MelodyModel(config.model, transformers_gpt(config.model))
    if config.resume:
        previous = load_model(out_dir, transformers_gpt)
        if previous.config != model.config:
            raise ValueError(f"cannot resume: the checkpoint is {previous.config}, this run asks for {model.config}")
        model.load_state_dict(previous.state_dict())
    elif config.init_from:
        warm_start(model, tokenizer, Path(config.init_from), log)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay,
                                  betas=(0.9, 0.98))
    report = TrainReport(train_examples=len(train_set), valid_examples=len(valid_set),
                         train_tokens=sum(len(e.ids) for e in train_set), parameters=model.num_parameters())
    if config.resume:  # the resumed weights are the bar to beat: a worse phase never overwrites them
        nats, tokens, notes = score_examples(model, valid_set, tokenizer.pad_id, tokenizer.given_from)
        report.best_valid_loss = nats / max(1, tokens)
        report.valid_bits_per_note = nats / math.log(2) / max(1, notes)
        log(f"resumed: valid loss {report.best_valid_loss:.4f}, {report.valid_bits_per_note:.3f} bits/note")
    started, step, patience = time.perf_counter(), 0, Patience(config.patience)
    while step < config.max_steps and not patience.exhausted:
        for batch in make_batches(train_set, config.batch_tokens, rng):
            loss = train_step(model, optimizer, collate(batch, tokenizer.pad_id, tokenizer.given_from),
                              learning_rate(step, config))
            step += 1
            if step % 20 == 0:
                log(f"step {step} loss {loss:.4f} ({time.perf_counter() - started:.0f} s)")
            if step % config.eval_every == 0 or step == config.max_steps:
                patience.observe(evaluate_and_keep(model, tokenizer, valid_set, step, loss, report, out_dir, log))
                model.train()
            if step >= config.max_steps or patience.exhausted:
                break
    report.steps = step
    report.seconds = time.perf_counter() - started
    write_model_card(out_dir, config, report)
    return report


WARM_STAND_IN: dict[str, str] = {"GENRE": "FAMILY_any"}
"""Which old token a new kind's embedding starts from (the genre from the family that says nothing); the bar
tokens start fresh (starting them as the time signature they stand beside scored worse: 1.92 against 1.76
nats per token on held-out windows before training)."""


@torch.no_grad()
def warm_start(model: MelodyModel, tokenizer: MotifTokenizer, source: Path, log: Callable[[str], None]) -> None:
    """Copy a checkpoint's weights into `model`: every tensor of the same shape as it is, and the token
    embedding row by row for the tokens both vocabularies have (the new tokens keep their fresh rows)."""
    old = load_model(source, transformers_gpt)
    old_tokens = MotifTokenizer.load(source)
    state, mine = old.state_dict(), model.state_dict()
    embedding = "gpt.transformer.wte.weight"
    copied = 0
    for name, tensor in mine.items():
        if name == embedding or name == "gpt.lm_head.weight":
            continue
        if name in state and state[name].shape == tensor.shape:
            tensor.copy_(state[name])
            copied += 1
        else:
            raise ValueError(f"cannot warm-start from {source}: {name} is {tuple(state[name].shape) if name in state else 'missing'}"
                             f", this model's is {tuple(tensor.shape)}")
    rows = 0
    for token, new_id in tokenizer.vocab.items():
        old_id = old_tokens.vocab.get(token)
        if old_id is not None:
            mine[embedding][new_id] = state[embedding][old_id]
            rows += 1
        elif token.partition("_")[0] in WARM_STAND_IN:  # starts as the old token it stands for, plus its own draw
            mine[embedding][new_id] += state[embedding][old_tokens.vocab[WARM_STAND_IN[token.partition("_")[0]]]]
    log(f"warm start from {source}: {copied} tensors, {rows} of {len(tokenizer)} embedding rows")


def train_step(model: MelodyModel, optimizer: torch.optim.Optimizer, inputs: dict[str, torch.Tensor],
               lr: float) -> float:
    model.train()
    for group in optimizer.param_groups:
        group["lr"] = lr
    out = model(inputs["input_ids"], inputs["text_embedding"], labels=inputs["labels"],
                attention_mask=inputs["attention_mask"])
    optimizer.zero_grad(set_to_none=True)
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return float(out.loss.detach())


def evaluate_and_keep(model, tokenizer, valid_set, step, loss, report, out_dir, log) -> float:
    """Validate; save the checkpoint when it beats the best so far (resumed weights included). Returns the loss."""
    nats, tokens, notes = score_examples(model, valid_set, tokenizer.pad_id, tokenizer.given_from)
    valid_loss = nats / max(1, tokens)
    bits_per_note = nats / math.log(2) / max(1, notes)
    report.history.append({"step": step, "train_loss": round(loss, 4), "valid_loss": round(valid_loss, 4),
                           "valid_bits_per_note": round(bits_per_note, 3)})
    log(f"eval step {step}: valid loss {valid_loss:.4f}, {bits_per_note:.3f} bits/note")
    if valid_loss < report.best_valid_loss - 1e-4:
        report.best_valid_loss, report.best_step, report.valid_bits_per_note = valid_loss, step, bits_per_note
        save_model(model, out_dir)
        tokenizer.save(out_dir)
    return valid_loss


@dataclass
class Patience:
    """Early stopping on this phase's own progress.

    Why not against the saved best: a resumed phase warms its learning rate up again, which first pushes the
    validation loss above the resumed weights' for a while; counting those evaluations as failures stopped
    phases before they had a chance to gain. Saving still requires beating the best ever (evaluate_and_keep).
    """

    limit: int
    best: float = math.inf
    bad: int = 0

    def observe(self, valid_loss: float) -> None:
        if valid_loss < self.best - 1e-4:
            self.best, self.bad = valid_loss, 0
        else:
            self.bad += 1

    @property
    def exhausted(self) -> bool:
        return self.bad >= self.limit


def write_model_card(out_dir: Path, config: TrainConfig, report: TrainReport) -> None:
    """README.md (for people) and training.json (for tools) beside the weights; a resumed run appends a phase."""
    out_dir.mkdir(parents=True, exist_ok=True)
    record = out_dir / "training.json"
    phases, data = [], None
    if (config.resume or config.init_from) and record.is_file():
        old = json.loads(record.read_text())
        phases = old.get("phases", [{"config": old.get("config"), "report": old.get("report")}])
        data = old.get("data")
    if not config.resume:
        phases = []
    phases.append({"config": asdict(config), "report": asdict(report)})
    record.write_text(json.dumps({"phases": phases, **({"data": data} if data else {})}, indent=1))
    render_card(out_dir)


def data_summary(melodies: list) -> dict[str, dict[str, dict[str, int]]]:
    """What a training split holds, per source (corpus collection or lead source) and per genre family:
    melodies (lead phrases count one each), pieces and notes."""
    from composer.melody.attributes import family_of, genre_of

    table: dict[str, dict[str, dict[str, Any]]] = {"sources": {}, "families": {}}
    for melody in melodies:
        genre = genre_of(melody.family or family_of(melody.source, melody.dance))
        for group, key in (("sources", melody.source), ("families", genre)):
            row = table[group].setdefault(key, {"melodies": 0, "pieces": set(), "notes": 0})
            row["melodies"] += 1
            row["pieces"].add(melody.piece or melody.id)
            row["notes"] += len(melody.notes)
    return {group: {key: {"melodies": row["melodies"], "pieces": len(row["pieces"]), "notes": row["notes"]}
                    for key, row in sorted(rows.items())} for group, rows in table.items()}


LEAD_SOURCES: tuple[str, ...] = ("openmsx", "freedoom", "lmms", "blupi", "musescore")
"""The Debian lead sources (`composer.learn.debian`), as the melodies' `source` names them."""


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
    lines.append("\nTraining data, its sources, versions and licences: `DATA.md` at the repository root.\n")
    (out_dir / "README.md").write_text("".join(lines))


def add_data(out_dir: Path, leads: bool = True) -> None:
    """Record what the training split holds (`data_summary`) in a checkpoint's training.json and re-render
    its card: `python -m composer.learn.train card DIR`."""
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
    return " ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m composer.learn.train card DIR [--no-leads]` re-renders a checkpoint's card."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m composer.learn.train")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("card", help="record the training data in a checkpoint's card")
    cmd.add_argument("directory", type=Path)
    cmd.add_argument("--no-leads", action="store_true")
    args = parser.parse_args(argv)
    add_data(args.directory, not args.no_leads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
