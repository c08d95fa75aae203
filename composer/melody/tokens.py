"""Tokens for the learned melody model: miditok's REMI (bar, position, pitch, duration) plus attribute tokens.

A training sequence is `BOS, attribute tokens, REMI tokens, EOS`. REMI comes from miditok so the format is
the well-known one and its tokenizer file travels with the checkpoint; the attribute tokens are appended
after miditok's vocabulary. Decoding reads the token strings directly: the sampler needs the same grammar
(what a Bar, Position or Duration means in quarter notes) to constrain generation, so one reader serves both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from composer.melody.attributes import ANY, KINDS, VALUES, Attributes

BEAT_RES = {(0, 4): 12, (4, 12): 4}
TICKS_PER_BEAT = 12
PITCH_RANGE = (21, 109)
TIME_SIGNATURES = {2: [2], 4: [2, 3, 4, 5, 6, 7], 8: [3, 6, 7, 9, 12]}
ATTRIBUTE_FILE = "attributes.json"
REMI_FILE = "tokenizer.json"


def attribute_vocab() -> list[str]:
    """Every attribute token, ANY included, in a fixed order."""
    return [f"{kind.upper()}_{value}" for kind in KINDS for value in (ANY, *VALUES[kind])]


def build_remi():
    """The miditok REMI tokenizer Motif's model speaks (no velocities: dynamics are the arranger's job)."""
    from miditok import REMI, TokenizerConfig

    config = TokenizerConfig(
        pitch_range=PITCH_RANGE,
        beat_res=BEAT_RES,
        use_velocities=False,
        use_time_signatures=True,
        time_signature_range=TIME_SIGNATURES,
        special_tokens=["PAD", "BOS", "EOS"],
    )
    return REMI(config)


@dataclass(frozen=True)
class DecodedNote:
    """A note read back from tokens, in quarter notes from the start."""

    pitch: int
    start: float
    duration: float


class MotifTokenizer:
    """REMI ids for notes, plus ids for attribute tokens; saved and loaded with the checkpoint."""

    def __init__(self, remi=None) -> None:
        self.remi = remi if remi is not None else build_remi()
        base = dict(self.remi.vocab)
        self.attribute_tokens = attribute_vocab()
        self.vocab: dict[str, int] = dict(base)
        for token in self.attribute_tokens:
            self.vocab[token] = len(self.vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.pad_id = self.vocab["PAD_None"]
        self.bos_id = self.vocab["BOS_None"]
        self.eos_id = self.vocab["EOS_None"]
        self.bar_id = self.vocab["Bar_None"]

    def __len__(self) -> int:
        return len(self.vocab)

    def attribute_ids(self, attrs: Attributes) -> list[int]:
        return [self.vocab[t] for t in attrs.tokens()]

    def encode_notes(self, notes: list[tuple[int, float, float]], meter: str) -> list[int]:
        """REMI ids for a monophonic line (pitch, onset, duration in quarter notes) in `meter`."""
        import symusic

        tpq = 480
        score = symusic.Score(tpq)
        num, den = (int(x) for x in meter.split("/"))
        score.time_signatures.append(symusic.TimeSignature(0, num, den))
        track = symusic.Track(program=0)
        for pitch, onset, duration in notes:
            if PITCH_RANGE[0] <= pitch < PITCH_RANGE[1] and duration > 0:
                track.notes.append(symusic.Note(round(onset * tpq), max(1, round(duration * tpq)), int(pitch), 80))
        score.tracks.append(track)
        sequences = self.remi.encode(score)
        sequence = sequences[0] if isinstance(sequences, list) else sequences
        return list(sequence.ids)

    def sequence(self, attrs: Attributes, note_ids: list[int]) -> list[int]:
        """The full training/inference sequence: BOS, attributes, notes, EOS."""
        return [self.bos_id, *self.attribute_ids(attrs), *note_ids, self.eos_id]

    def decode_notes(self, ids: list[int], meter: str) -> list[DecodedNote]:
        """Notes from REMI ids (attribute and special tokens are skipped)."""
        reader = GrammarState(meter)
        notes: list[DecodedNote] = []
        for token_id in ids:
            note = reader.advance(self.id_to_token.get(token_id, ""))
            if note is not None:
                notes.append(note)
        return notes

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.remi.save(directory / REMI_FILE)
        (directory / ATTRIBUTE_FILE).write_text(json.dumps({"attribute_tokens": self.attribute_tokens}, indent=1))

    @classmethod
    def load(cls, directory: Path) -> MotifTokenizer:
        from miditok import REMI

        tokenizer = cls(REMI(params=directory / REMI_FILE))
        saved = json.loads((directory / ATTRIBUTE_FILE).read_text())["attribute_tokens"]
        if saved != tokenizer.attribute_tokens:
            raise ValueError("the checkpoint's attribute vocabulary differs from this code's; retrain or update")
        return tokenizer


def beat_quarters(meter: str) -> Fraction:
    """Length of miditok's beat (the time signature's denominator) in quarter notes."""
    return Fraction(4, int(meter.split("/")[1]))


def duration_quarters(value: str, meter: str) -> Fraction:
    """A REMI duration value "beats.ticks.res" in quarter notes."""
    beats, ticks, res = (int(x) for x in value.split("."))
    return (beats + Fraction(ticks, res)) * beat_quarters(meter)


class GrammarState:
    """Where a REMI token stream stands: the current bar, position and pending pitch.

    Feeding it tokens one by one yields notes as they complete (at their Duration token); the sampler's
    logits processor keeps one to know what may come next.
    """

    def __init__(self, meter: str) -> None:
        self.meter = meter
        num, den = (int(x) for x in meter.split("/"))
        self.bar_quarters = Fraction(num * 4, den)
        self.bars_started = 0
        self.position_q = Fraction(0)
        self.pitch: int | None = None
        self.last: str = ""

    @property
    def bar_start_q(self) -> Fraction:
        return max(0, self.bars_started - 1) * self.bar_quarters

    def advance(self, token: str) -> DecodedNote | None:
        kind, _, value = token.partition("_")
        self.last = kind
        if kind == "Bar":
            self.bars_started += 1
            self.position_q = Fraction(0)
        elif kind == "Position":
            self.position_q = Fraction(int(value), TICKS_PER_BEAT) * beat_quarters(self.meter)
        elif kind == "Pitch":
            self.pitch = int(value)
        elif kind == "Duration" and self.pitch is not None:
            note = DecodedNote(
                pitch=self.pitch,
                start=float(self.bar_start_q + self.position_q),
                duration=float(duration_quarters(value, self.meter)),
            )
            self.pitch = None
            return note
        return None
