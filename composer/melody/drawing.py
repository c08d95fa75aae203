"""Drawing a batch of candidate melody lines from the model: constrained sampling through the KV cache, with
runs of forced tokens fed in one pass and classifier-free guidance towards the asked genre.

Why runs: after each Bar token the constraints leave exactly one choice for the section, phrase and chord
tokens and the time signature (`composer.melody.constraints`), so nothing is sampled there; feeding each such
run in one decoder call (`MelodyModel.feed`) instead of one call a token took 229 calls down to 181 for an
8-bar "moody jazz in D minor".

Why guidance: the genre token alone barely moved the melody (a classifier on real melodies recognised the
asked family 32% of the time; issue 14). Training dropped attributes to ANY (`composer.learn.dataset`), so the
model also knows the melody without the genre; sampling from cond + w * (cond - uncond) pushes the line
further from that genre-free melody, towards what the genre adds. The uncond rows ride in the same batch, so
the cost is a wider matrix product, not a second decoding (with twice the rows a decoder call took 4.13 ms
against 3.19 over the bench prompts, attention reading twice the cache). w = 0 draws no uncond rows at all.
Where the Spec names no genre, the uncond context can be the attributes' own caption in place of the user's
words (`SampleConfig.text_guidance`), so the words the parser did not read still move the line.

What they measured (`composer.melody.sample.SampleConfig` holds the weights). Text guidance at 3: `motif
eval`'s text probe (seeds 1-6) moved from permutation p 0.11, the words' family heard 18% (chance 17%), to
p 0.005 and 33%. Genre guidance, on the genre check (its suite, seeds 1-12, the classifier's mean probability
of the asked family): w = 0 0.324, w = 3 0.357 (heard 0.377 -> 0.402; jazz and blues most, 32 of 72 -> 44;
the other families swing by 9 of 36 between seed sets), three candidates as good as four (0.352); 1.5 and
4.5 no better than 3 on seeds 1-6; the user's words kept on the genre-free side (`guide_text` False) heard
0.461 on seeds 1-6 against 0.381 with the attributes' caption there. It is off because the style priors
(`composer.melody.priors`), set against the real leads without it, overshoot on a guided model: bebop's
chromatic share 0.36 (the real range 0.08-0.25) and synthwave's syncopation 0.75
(`tests/composer/melody/test_priors.py`), and the pop ballad's tune at a median of 76 (`test_lead_register`).

Kept apart from `sample.py` (what to ask the model for) because this is the mechanics of asking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from composer.melody.constraints import NEG, Constraints
from composer.melody.model import MelodyModel
from composer.melody.rerank import Candidate


@dataclass(frozen=True)
class Draw:
    """One batch to draw: the conditioning context, how to sample, and the guidance's genre-free context."""

    prompt: list[int]
    """BOS, the attribute tokens and any context prefix."""
    embedding: torch.Tensor
    """(1, text_dim) caption embedding."""
    candidates: int
    max_tokens: int
    """At most this many tokens per candidate (what is left of the model's context)."""
    temperature: float = 1.0
    top_p: float = 1.0
    guidance: float = 0.0
    free_prompt: list[int] | None = None
    """The same context with the genre token ANY (the unconditional side of the guidance)."""
    free_embedding: torch.Tensor | None = None

    @property
    def guided(self) -> bool:
        return self.guidance != 0.0 and self.free_prompt is not None


def draw_rows(model: MelodyModel, constraints: Constraints, draw: Draw, rng: np.random.Generator,
              prefix: list[int]) -> list[Candidate]:
    """`draw.candidates` independent lines, each token sampled from the (guided) logits plus the constraints'
    mask; `prefix` (the context's tokens, already in `draw.prompt`) is fed to each row's grammar first.
    Returns every row, finished or not (a row that ran out of tokens is not `done`)."""
    k = draw.candidates
    rows = [Candidate(constraints.new_row()) for _ in range(k)]
    for row in rows:
        for token in prefix:
            constraints.advance(row.state, token)
        row.state.pitches.clear()
    ids, text = [draw.prompt] * k, draw.embedding.expand(k, -1)
    if draw.guided:
        assert draw.free_prompt is not None and draw.free_embedding is not None
        if len(draw.free_prompt) != len(draw.prompt):
            raise ValueError("the guidance's unconditional context must be as long as the prompt")
        ids, text = ids + [draw.free_prompt] * k, torch.cat([text, draw.free_embedding.expand(k, -1)])
    logits, cache = model.start(torch.tensor(ids), text)
    following = guide(logits[:, None, :], k, draw.guidance)[:, 0].numpy()
    masks = [constraints.mask(row.state) for row in rows]
    while True:
        runs = [run_of(row, constraints, masks, i, following[i], draw, rng) for i, row in enumerate(rows)]
        if not any(run for run, _ in runs):
            return rows
        width = max(len(run) for run, _ in runs if run)
        batch = torch.full((len(ids), width), constraints.tok.pad_id, dtype=torch.long)
        counts = torch.zeros(len(ids), dtype=torch.long)
        for i, (run, _) in enumerate(runs):
            for r in (i, i + k) if draw.guided else (i,):
                if run:
                    batch[r, :len(run)] = torch.tensor(run, dtype=torch.long)
                    counts[r] = len(run)
        outputs = guide(model.feed(batch, counts, cache), k, draw.guidance)
        for i, (run, forced) in enumerate(runs):
            if not run:
                continue
            out = outputs[i, :len(run)].numpy()
            for place, token, mask in forced:  # score the forced tokens from the positions before them
                rows[i].logprob += token_logprob(out[place], mask, token, constraints)
            following[i] = out[-1]


def run_of(row: Candidate, constraints: Constraints, masks: list[np.ndarray], index: int, logits: np.ndarray,
           draw: Draw, rng: np.random.Generator) -> tuple[list[int], list[tuple[int, int, np.ndarray]]]:
    """A row's next tokens to feed: one sampled from `logits`, then every token the constraints force after it
    (the only one its mask allows), up to the row's token budget; with (place in the run whose output scores
    it, token, its mask) for each forced one. Leaves the row's next mask in `masks[index]`. Empty when the row
    is done or out of budget."""
    if row.state.done or len(row.ids) >= draw.max_tokens:
        return [], []
    token = pick(row, constraints, masks[index], logits, draw, rng)
    run, forced = [token], []
    mask = constraints.mask(row.state)
    while not row.state.done and len(row.ids) < draw.max_tokens:
        allowed = np.flatnonzero(mask > NEG / 2)
        if len(allowed) != 1:
            break
        forced.append((len(run) - 1, int(allowed[0]), mask))
        run.append(int(allowed[0]))
        row.ids.append(int(allowed[0]))
        constraints.advance(row.state, int(allowed[0]))
        mask = constraints.mask(row.state)
    masks[index] = mask
    return run, forced


def pick(row: Candidate, constraints: Constraints, mask: np.ndarray, logits: np.ndarray, draw: Draw,
         rng: np.random.Generator) -> int:
    """Sample a token from the masked logits, score it and feed it to the row's state."""
    masked = logits.astype(np.float64) + mask
    token = sample_top_p(masked / draw.temperature, draw.top_p, rng)
    row.logprob += token_logprob(logits, mask, token, constraints)
    row.ids.append(token)
    constraints.advance(row.state, token)
    return token


def token_logprob(logits: np.ndarray, mask: np.ndarray, token: int, constraints: Constraints) -> float:
    """The log-probability a candidate is ranked by (`rerank.choose`): the model's own (guided) distribution,
    or under a style prior the masked one it was drawn from; the raw model alone ranks every line that took
    the prior's blue or approach notes last, and `choose` dropped them."""
    scored = logits.astype(np.float64) if constraints.prior is None else logits.astype(np.float64) + mask
    return float(scored[token] - np.logaddexp.reduce(scored))


def guide(logits: torch.Tensor, k: int, weight: float) -> torch.Tensor:
    """(rows, T, vocab) -> the k conditioned rows' logits, pushed by `weight` away from the unconditioned rows
    after them when guided: cond + w * (cond - uncond)."""
    if logits.shape[0] == k:
        return logits
    cond, free = logits[:k], logits[k:]
    return cond + weight * (cond - free)


def sample_top_p(logits: np.ndarray, top_p: float, rng: np.random.Generator) -> int:
    """Nucleus sampling over already-masked logits."""
    logits = logits - logits.max()
    probs = np.exp(logits)
    probs[logits < NEG / 2] = 0.0
    probs /= probs.sum()
    if top_p >= 1.0:  # the whole distribution: no sort needed
        return int(rng.choice(len(probs), p=probs))
    order = np.argsort(-probs, kind="stable")
    cumulative = np.cumsum(probs[order])
    keep = order[: int(np.searchsorted(cumulative, top_p)) + 1]
    kept = probs[keep] / probs[keep].sum()
    return int(keep[rng.choice(len(keep), p=kept)])
