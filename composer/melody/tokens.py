"""Tokens for the learned melody model: miditok's REMI (bar, position, pitch, duration) plus attribute tokens
and, at every bar line, the bar's place in the form and its chord.

A training sequence is `BOS, attribute tokens, REMI tokens, EOS`, where each `Bar` token is followed by
three bar tokens: SECTION_ (A, A', B, ...), PHRASE_ (the bar's place in its phrase, `_end` on a phrase's
last bar, `p` for a pickup bar) and CHORD_ (the chord's root in semitones above the key's tonic and its
triad, CHORD_7_maj for V). They are given, never predicted: training reads them from the data (its chords,
or the chords heard in it, and the form found in its repeats), composing from the harmony plan and the
piece's sections, so the line is written for the chords and the place it is played over. REMI comes from
miditok so the format is the well-known one and its tokenizer file travels with the checkpoint; the
attribute and bar tokens are appended after miditok's vocabulary (a checkpoint from before the bar tokens
and the genre attribute loads as it was trained: `MotifTokenizer.load`). Decoding reads the token strings directly: the sampler needs the same grammar
(what a Bar, Position or Duration means in quarter notes) to constrain generation, so one reader serves both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from composer.melody.attributes import ANY, KINDS, KINDS_V1, VALUES, Attributes

BEAT_RES = {(0, 4): 12, (4, 12): 4}
TICKS_PER_BEAT = 12
PITCH_RANGE = (21, 109)
TIME_SIGNATURES = {2: [2], 4: [2, 3, 4, 5, 6, 7], 8: [3, 6, 7, 9, 12]}
ATTRIBUTE_FILE = "attributes.json"
REMI_FILE = "tokenizer.json"


def attribute_vocab(kinds: tuple[str, ...] = KINDS) -> list[str]:
    """Every attribute token, ANY included, in a fixed order."""
    return [f"{kind.upper()}_{value}" for kind in kinds for value in (ANY, *VALUES[kind])]


SECTIONS: tuple[str, ...] = ("A", "A'", "B", "B'", "C", "D")
"""Section labels: a letter per distinct section in order of first hearing, primed for a varied return."""
PHRASE_BARS = 8
PHRASES: tuple[str, ...] = ("p", *(str(i) for i in range(1, PHRASE_BARS + 1)),
                            *(f"{i}_end" for i in range(1, PHRASE_BARS + 1)))
"""A bar's place in its phrase (1 = its first bar), `_end` on the phrase's last bar, `p` for a pickup bar."""
TRIAD_QUALITIES: tuple[str, ...] = ("maj", "min", "dim", "aug", "sus2", "sus4", "5")
"""The triads a chord is named by (`composer.harmony.given.heard_triad`; "5" is a power chord)."""
CHORDS: tuple[str, ...] = tuple(f"{step}_{q}" for step in range(12) for q in TRIAD_QUALITIES)
BAR_KINDS: tuple[str, ...] = ("SECTION", "PHRASE", "CHORD")


def bar_vocab() -> list[str]:
    """Every bar token, ANY included, in a fixed order."""
    values = {"SECTION": SECTIONS, "PHRASE": PHRASES, "CHORD": CHORDS}
    return [f"{kind}_{value}" for kind in BAR_KINDS for value in (ANY, *values[kind])]


@dataclass(frozen=True)
class BarCondition:
    """What a bar is given: its section, its place in the phrase, its chord (ANY where unknown)."""

    section: str = ANY
    phrase: str = ANY
    chord: str = ANY

    def tokens(self) -> list[str]:
        return [f"SECTION_{self.section}", f"PHRASE_{self.phrase}", f"CHORD_{self.chord}"]


def chord_label(root_pc: int, quality: str, tonic_pc: int) -> str:
    """A chord as a bar token's value: its root in semitones above the tonic and its triad (ANY if unnamed)."""
    triad = "dim" if quality == "dim7" else quality
    return f"{(root_pc - tonic_pc) % 12}_{triad}" if triad in TRIAD_QUALITIES else ANY


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
    """REMI ids for notes, plus ids for attribute and bar tokens; saved and loaded with the checkpoint.

    `kinds` and `bar_tokens` describe the checkpoint's vocabulary: the current one by default, the first
    one's (seven attributes, no bar tokens) for a checkpoint trained before them."""

    def __init__(self, remi=None, kinds: tuple[str, ...] = KINDS, bar_tokens: bool = True) -> None:
        self.remi = remi if remi is not None else build_remi()
        base = dict(self.remi.vocab)
        self.kinds = kinds
        self.attribute_tokens = attribute_vocab(kinds)
        self.bar_tokens = bar_vocab() if bar_tokens else []
        self.vocab: dict[str, int] = dict(base)
        self.given_from = len(self.vocab)
        """Ids from here on are conditioning (attribute and bar tokens): given, never scored."""
        for token in [*self.attribute_tokens, *self.bar_tokens]:
            self.vocab[token] = len(self.vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.pad_id = self.vocab["PAD_None"]
        self.bos_id = self.vocab["BOS_None"]
        self.eos_id = self.vocab["EOS_None"]
        self.bar_id = self.vocab["Bar_None"]

    def __len__(self) -> int:
        return len(self.vocab)

    @property
    def attribute_span(self) -> int:
        """BOS plus the attribute tokens: the head of every sequence."""
        return 1 + len(self.kinds)

    @property
    def has_bar_tokens(self) -> bool:
        return bool(self.bar_tokens)

    def attribute_ids(self, attrs: Attributes) -> list[int]:
        return [self.vocab[t] for t in attrs.tokens(self.kinds)]

    def bar_ids(self, condition: BarCondition) -> list[int]:
        """The bar tokens that follow a Bar token (none for a checkpoint without them)."""
        return [self.vocab[t] for t in condition.tokens()] if self.bar_tokens else []

    def with_bar_tokens(self, note_ids: list[int], conditions: list[BarCondition]) -> list[int]:
        """REMI ids with each bar's tokens after its Bar token (bars past `conditions` get ANY)."""
        if not self.bar_tokens:
            return list(note_ids)
        out: list[int] = []
        bar = 0
        for token_id in note_ids:
            out.append(token_id)
            if token_id == self.bar_id:
                out.extend(self.bar_ids(conditions[bar] if bar < len(conditions) else BarCondition()))
                bar += 1
        return out

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
        (directory / ATTRIBUTE_FILE).write_text(json.dumps(
            {"attribute_tokens": self.attribute_tokens, "bar_tokens": self.bar_tokens}, indent=1))

    @classmethod
    def load(cls, directory: Path) -> MotifTokenizer:
        """The checkpoint's tokenizer: the current vocabulary, or the first one (seven attributes, no bar
        tokens) for a checkpoint trained with it; anything else is refused."""
        from miditok import REMI

        saved = json.loads((directory / ATTRIBUTE_FILE).read_text())
        has_bars = bool(saved.get("bar_tokens"))
        kinds = KINDS if saved["attribute_tokens"] == attribute_vocab(KINDS) else KINDS_V1
        tokenizer = cls(REMI(params=directory / REMI_FILE), kinds, has_bars)
        if saved["attribute_tokens"] != tokenizer.attribute_tokens or saved.get("bar_tokens", []) != tokenizer.bar_tokens:
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
