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
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
    balance: float = 0.0
    """Family balancing (`balanced`): 0 trains on the data as it is; 0.5 repeats each genre family's examples
    by the square root of how much thinner it is than the largest family (at most `MAX_REPEATS` times)."""


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


MAX_REPEATS = 12
"""The most times `balanced` repeats a family's examples in one pass: blues has 72 training windows against
folk's 16,219, and repeating 7 pieces hundreds of times would teach the model those pieces, not the blues."""


def balanced(examples: list[Example], exponent: float) -> list[Example]:
    """The training set with each genre family's examples repeated round((largest / family) ** exponent) times,
    at most `MAX_REPEATS`. Why: the corpus is folk and chorales, so a model trained on the data as it is learns
    that genre tokens barely matter (the lead families are 6% of the windows); repeating the thin families
    makes their conditioning pay without giving folk less of its own data."""
    if exponent <= 0 or not examples:
        return list(examples)
    sizes = Counter(e.genre for e in examples)
    largest = max(sizes.values())
    repeats = {g: max(1, min(MAX_REPEATS, round((largest / n) ** exponent))) for g, n in sizes.items()}
    return [e for e in examples for _ in range(repeats[e.genre])]


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
    passes = balanced(train_set, config.balance)
    while step < config.max_steps and not patience.exhausted:
        for batch in make_batches(passes, config.batch_tokens, rng):
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
    from composer.learn.card import render_card

    render_card(out_dir)
