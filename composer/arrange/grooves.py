"""The groove library at run time: MMA's grooves as chord-relative patterns, loaded once, chosen per style.

composer/data/grooves.json.gz is built offline (`motif data build grooves`, composer.learn.grooves) and read
here lazily: the file is parsed on the first request that needs a groove and kept (about 30 ms, once per
process); a groove's rows become dataclasses only when it is chosen. Which grooves fit a style is data in
composer.styles (`GROOVE_FITS`); this module only applies it to a Spec.

A Spec may also name its groove (`Spec.groove`): the front end fills it when the prompt has words the rules do
not know, with the groove whose own words (composer/data/groove_texts.npz, embedded at build time by the
prompt encoder) are nearest to the prompt's (`nearest_grooves`); `choose_grooves` then plays that groove.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from composer.styles import GROOVE_FITS, GrooveFit, style_for
from prompts.spec import Spec

GROOVES_PATH = Path(__file__).resolve().parents[1] / "data" / "grooves.json.gz"
GROOVE_TEXTS_PATH = Path(__file__).resolve().parents[1] / "data" / "groove_texts.npz"
STEPS_PER_QUARTER = 48
CYMBALS = (42, 44, 46, 51, 53, 59)
"""GM hats and rides: the time-keepers."""
MMA_CHORD_KINDS = ("CHORD", "PLECTRUM")
"""MMA's chord track kinds (a track is named KIND-label). A line track that strikes chords is read as a chord part
too (composer.learn.grooves.strikes_chords), but comps or pads only where the groove has no track of these kinds."""

DrumHit = tuple[int, int, int]
"""(bar of the groove's sequence, position in 1/48 quarter, velocity)."""
Hit = tuple[int, int, int, int, int]
"""A chord hit: (bar, position, length, velocity, notes sounding)."""
LineNote = tuple[int, int, int, int, str, int]
"""A line's note: (bar, position, length, velocity, tone against the chord, octave over the lowest root)."""


@dataclass(frozen=True)
class GroovePart:
    """One MMA track of a groove: a chord instrument's hits, or a bass/walk/arpeggio/scale line's notes."""

    name: str
    role: str
    program: int
    hits: tuple[Hit, ...] = ()
    notes: tuple[LineNote, ...] = ()
    register: int = 60


@dataclass(frozen=True)
class Groove:
    """One MMA groove: `bars` of sequence (bar-to-bar variation), its meter, swing as rendered, and parts."""

    name: str
    family: str
    variant: str
    description: str
    bars: int
    beats: float
    time_signature: str
    swing: float
    drums: dict[int, tuple[DrumHit, ...]]
    parts: tuple[GroovePart, ...]

    def part(self, role: str) -> GroovePart | None:
        """The part that plays `role` for Motif: "walk" (a walking bass), "bass" (the groove's bass lines,
        walking included, bar by bar: MMA grooves hand the bass between tracks), "chords" (the main comping
        instrument) or "pad" (a sustained one)."""
        lines = sorted((p for p in self.parts if p.role in ("bass", "walk")),
                       key=lambda p: (-len(p.notes), p.register, p.name))
        chords = [p for p in self.parts if p.role == "chord"]
        chords = [p for p in chords if p.name.split("-")[0].upper() in MMA_CHORD_KINDS] or chords
        if role == "walk":
            return next((p for p in lines if p.role == "walk"), None)
        if role == "bass":
            return _merged(lines, self.bars) if lines else None
        plain = [p for p in chords if "SUS" not in p.name.upper()]
        if role == "pad":
            sus = [p for p in chords if "SUS" in p.name.upper()]
            return (sus or plain or [None])[0]
        return max(plain or chords, key=lambda p: (len(p.hits), p.name), default=None)


def _merged(lines: list[GroovePart], bars: int) -> GroovePart:
    """One bass line from several, each bar from the first line (busiest first) that plays in it."""
    notes: list[LineNote] = []
    for bar in range(bars):
        playing = next((p for p in lines if any(n[0] == bar for n in p.notes)), lines[0])
        notes += [n for n in playing.notes if n[0] == bar]
    first = lines[0]
    return GroovePart(first.name, first.role, first.program, (), tuple(notes), first.register)


@dataclass(frozen=True)
class GrooveSet:
    """The grooves a piece plays: the main groove and, where its library has them, fill, intro and ending."""

    main: Groove
    fill: Groove | None = None
    intro: Groove | None = None
    end: Groove | None = None
    walk: bool = False


class GrooveLibrary:
    """The parsed file: rows by family, each turned into a `Groove` on demand."""

    def __init__(self, payload: dict) -> None:
        self.notice: str = payload["notice"]
        self.families: dict[str, str] = payload["families"]
        self.rows: list[dict] = payload["grooves"]
        self.by_family: dict[str, list[dict]] = {}
        self.by_name: dict[str, dict] = {row["name"]: row for row in self.rows}
        for row in self.rows:
            self.by_family.setdefault(row["family"], []).append(row)

    def grooves(self, family: str, variant: str | None = None) -> list[dict]:
        """A family's rows (of one variant), in the library's order."""
        return [r for r in self.by_family.get(family, []) if variant is None or r["variant"] == variant]


def load_library(path: Path = GROOVES_PATH) -> GrooveLibrary:
    """The groove library, parsed once per process (and per path, however it is named)."""
    return _load(path.resolve())


@lru_cache(maxsize=2)
def _load(path: Path) -> GrooveLibrary:
    return GrooveLibrary(json.loads(gzip.decompress(path.read_bytes())))


load_library.cache_clear = _load.cache_clear  # type: ignore[attr-defined]


def to_groove(row: dict) -> Groove:
    """A library row as a `Groove`."""
    parts = tuple(GroovePart(t["name"], t["role"], t["program"], tuple(tuple(h) for h in t.get("hits", ())),
                             tuple(tuple(n) for n in t.get("notes", ())), t.get("register", t.get("floor", 60)))
                  for t in row["tracks"])
    drums = {int(k): tuple(tuple(h) for h in v) for k, v in row["drums"].items()}
    return Groove(row["name"], row["family"], row["variant"], row["description"], row["bars"], row["beats"],
                  row["time_signature"], row["swing"], drums, parts)  # type: ignore[arg-type]


def _meter_fits(row: dict, spec: Spec) -> bool:
    """The groove's meter is the piece's (2/2 counts as 4/4), or a 4/4 groove plays a 2/4 piece in halves."""
    same = {"2/2": "4/4", "2/4": "4/4"}.get(spec.time_signature, spec.time_signature)
    return row["time_signature"] == same


def _playable(row: dict, spec: Spec) -> bool:
    """A main groove that can carry the piece: its meter, drums if the piece has them, a bass line and a
    chord part."""
    roles = {t["role"] for t in row["tracks"]}
    return (_meter_fits(row, spec) and (bool(row["drums"]) or not spec.drums) and bool(roles & {"bass", "walk"})
            and "chord" in roles and "metronome" not in row["name"].lower())


def walks(row: dict) -> bool:
    """A groove whose walking bass plays on three beats in four or more (MMA's 'Walk' tracks may syncopate)."""
    beats = [n for t in row["tracks"] if t["role"] == "walk" for n in t["notes"] if n[1] % STEPS_PER_QUARTER == 0]
    return len(beats) >= 0.75 * row["bars"] * row["beats"]


def _swung_cymbals(row: dict) -> bool:
    """A groove whose hats or ride play the swung off-beat (2/3 of the beat) in three bars of four: swing time."""
    bars = {h[0] for note in CYMBALS for h in row["drums"].get(str(note), ()) if h[1] % STEPS_PER_QUARTER == 32}
    return len(bars) >= 0.75 * row["bars"]


def _varied_drums(row: dict) -> bool:
    """A groove whose drums differ from bar to bar within its sequence (bar-to-bar variation)."""
    bars = {frozenset((note, h[1]) for note, hits in row["drums"].items() for h in hits if h[0] == bar)
            for bar in range(row["bars"])}
    return len(bars) > 1


def _fit_for(spec: Spec, library: GrooveLibrary) -> tuple[GrooveFit, list[dict]] | None:
    """The first row of the style's table that the prompt's words, the tempo and the meter allow, with its
    playable main grooves."""
    text = f" {spec.prompt.lower()} "
    for fit in GROOVE_FITS.get(spec.genre or "default", ()):
        if fit.words and not any(word in text for word in fit.words):
            continue
        if not fit.tempo_bpm[0] <= spec.tempo_bpm <= fit.tempo_bpm[1]:
            continue
        rows = _candidates(library, fit, spec.time_signature, spec.drums, style_for(spec.genre).swing)
        if rows:
            return fit, rows
    return None


@lru_cache(maxsize=512)
def _candidates(library: GrooveLibrary, fit: GrooveFit, time_signature: str, drums: bool,
                swing: bool) -> list[dict]:
    """A table row's playable main grooves, narrowed to those that walk, swing and vary where asked (each
    preference kept only when some groove meets it). Cached: the same row and meter give the same list."""
    probe = Spec(time_signature=time_signature, drums=drums)
    rows = [r for family in fit.families for r in library.grooves(family, "main") if _playable(r, probe)]
    for wanted, test in ((fit.walk, walks), (swing, _swung_cymbals), (drums, _varied_drums)):
        if wanted:
            rows = [r for r in rows if test(r)] or rows
    return rows


def _companion(library: GrooveLibrary, main: dict, variant: str, spec: Spec) -> Groove | None:
    """The fill, intro or ending that belongs to a main groove: the same family, the longest shared name; among
    equals the one that stays in the main groove (kara's Kfunk1A takes Kfunk1FillAA, A back to A, not FillAB)."""
    rows = [r for r in library.grooves(main["family"], variant) if _meter_fits(r, spec) and r["drums"]]
    if not rows:
        return None

    def shared(row: dict) -> int:
        count = 0
        for a, b in zip(row["base"], main["base"], strict=False):
            if a != b:
                break
            count += 1
        return count

    def plain(row: dict) -> bool:
        return not any(word in row["name"].lower() for word in ("sus", "plus"))

    def stays(row: dict) -> bool:
        return set(row["base"][shared(row):]) <= set(main["base"][-1:])

    return to_groove(max(rows, key=lambda r: (shared(r), plain(r), stays(r), -len(r["base"]), r["name"])))


def choose_grooves(spec: Spec, rng: np.random.Generator | None = None, path: Path = GROOVES_PATH) -> GrooveSet | None:
    """The grooves for a Spec, or None where no groove fits its style (the hand-written patterns play).

    The groove the Spec names (`Spec.groove`, chosen by the prompt's free words) plays when the library has it
    and it can carry the piece (meter, drums, bass and chords); otherwise the family comes from the Spec (genre,
    prompt words, tempo, meter) and the seed the piece's generator `rng` was made from chooses among its
    grooves (a seed override reproduces the piece, and the choice does not move when the melody draws more or
    fewer numbers), `spec.seed` when no generator is given (a remix that only adds drums)."""
    if not path.exists():
        return None
    library = load_library(path)
    named = library.by_name.get(spec.groove or "")
    if named is not None and named["variant"] == "main" and _playable(named, spec):
        return _with_companions(library, named, spec, walks(named))
    found = _fit_for(spec, library)
    if found is None:
        return None
    fit, rows = found
    key = spec.seed if rng is None else _seed_of(rng)
    main = rows[zlib.crc32(f"{key}:{fit.families}".encode()) % len(rows)]
    return _with_companions(library, main, spec, fit.walk)


def _with_companions(library: GrooveLibrary, main: dict, spec: Spec, walk: bool) -> GrooveSet:
    return GrooveSet(to_groove(main), _companion(library, main, "fill", spec),
                     _companion(library, main, "intro", spec), _companion(library, main, "end", spec), walk)


def _seed_of(rng: np.random.Generator) -> int:
    """The seed a generator was made from (its SeedSequence's entropy), without drawing from it."""
    entropy = getattr(rng.bit_generator.seed_seq, "entropy", None)
    return int(entropy) if isinstance(entropy, int) else int(rng.integers(2**31))


def groove_note(spec: Spec) -> str | None:
    """The Spec note for a piece whose accompaniment no MMA groove plays (None where one does, or where the
    piece has no accompaniment: a solo line needs no groove). composer.generate adds it to the Spec's notes."""
    accompanied = spec.drums or any(i.role in ("bass", "chords", "pad") for i in spec.instruments)
    if not accompanied or choose_grooves(spec) is not None:
        return None
    return (f"no groove in MMA's library fits {spec.genre or 'this piece'} in {spec.time_signature}: "
            "Motif's own accompaniment patterns play")


# -- The nearest groove to a prompt's words --------------------------------------------------------------------

GENRE_BONUS = 0.05
"""Added to the similarity of a groove whose family plays the Spec's genre (GROOVE_FITS): the genre the rules
or the encoder read stays the strongest hint, and the words choose within it or near it."""
PACE_BONUS = 0.03
"""Added where the groove's own words say it is slow (and the piece is at most SLOW_BPM) or fast (at least
FAST_BPM), taken away where they say the opposite (`_pace`): MMA's grooves all render at one tempo, so their
words are what says which tempo they suit."""
SLOW_BPM = 110
FAST_BPM = 150
_SLOW = re.compile(r"slow|ballad|mellow|gentle|lazy|easy", re.I)
_FAST = re.compile(r"fast|quick|up-?tempo|driving", re.I)


@dataclass(frozen=True)
class GrooveTexts:
    """The main grooves' own words as unit vectors (composer/data/groove_texts.npz): row i of `vectors`
    belongs to groove `names[owner[i]]`, which scores the best of its rows."""

    names: tuple[str, ...]
    owner: np.ndarray
    vectors: np.ndarray

    def similarity(self, query: np.ndarray) -> np.ndarray:
        """Each groove's best cosine similarity to a unit `query` vector, in the order of `names`."""
        scores = self.vectors @ np.asarray(query, dtype=np.float32)
        best = np.full(len(self.names), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, scores)
        return best


@dataclass(frozen=True)
class GrooveMatch:
    """A groove near a prompt: its name and family, the cosine similarity of its words, and the ranking score
    (the similarity plus the genre and tempo preferences)."""

    name: str
    family: str
    similarity: float
    score: float


class GrooveTextsError(ValueError):
    """The groove texts file does not belong to the grooves file beside it (rebuild both together)."""


def load_groove_texts(path: Path = GROOVE_TEXTS_PATH, grooves_path: Path = GROOVES_PATH) -> GrooveTexts | None:
    """The groove texts, parsed once per process; None where the file is absent (no nearest groove then).
    Raises `GrooveTextsError` when they were embedded from another grooves file."""
    return _load_texts(path.resolve(), grooves_path.resolve()) if path.exists() and grooves_path.exists() else None


@lru_cache(maxsize=2)
def _load_texts(path: Path, grooves_path: Path) -> GrooveTexts:
    with np.load(path, allow_pickle=False) as data:
        if str(data["grooves_sha256"]) != hashlib.sha256(grooves_path.read_bytes()).hexdigest():
            raise GrooveTextsError(f"{path.name} was embedded from another {grooves_path.name}; run "
                                   "`motif data build grooves` to rebuild both")
        return GrooveTexts(tuple(str(n) for n in data["names"]), data["owner"].astype(np.intp),
                           data["vectors"].astype(np.float32))


def nearest_grooves(query: np.ndarray, spec: Spec, k: int = 3, path: Path = GROOVES_PATH,
                    texts_path: Path = GROOVE_TEXTS_PATH, among: Collection[str] | None = None) -> list[GrooveMatch]:
    """The `k` main grooves whose own words are nearest a prompt's embedding `query` (the prompt encoder's unit
    vector), best first, among those that can carry the Spec (its meter, drums, a bass line and chords).

    A genre the user stated keeps its own families (GROOVE_FITS; none where the style has none: its own
    patterns play); a genre the rules or the encoder inferred only earns its families `GENRE_BONUS`. Grooves
    whose words suit the Spec's tempo earn `PACE_BONUS` (and lose it where they go against it). `among` narrows the ranking to those grooves (the
    style's own, `style_grooves`, to weigh them against the nearest of all)."""
    texts = load_groove_texts(texts_path, path)
    if texts is None:
        return []
    library = load_library(path)
    families = {family for fit in GROOVE_FITS.get(spec.genre or "", ()) for family in fit.families}
    stated = spec.genre is not None and "genre" in spec.explicit
    matches = []
    for name, similarity in zip(texts.names, texts.similarity(query).tolist(), strict=True):
        row = library.by_name.get(name)
        if row is None or not _playable(row, spec) or (stated and row["family"] not in families):
            continue
        if among is not None and name not in among:
            continue
        score = similarity + GENRE_BONUS * (row["family"] in families) + PACE_BONUS * _pace(row, library, spec)
        matches.append(GrooveMatch(name, row["family"], round(similarity, 4), round(score, 4)))
    return sorted(matches, key=lambda m: (-m.score, m.name))[:k]


def style_grooves(spec: Spec, path: Path = GROOVES_PATH) -> tuple[GrooveFit, tuple[str, ...]] | None:
    """The row of the style's table that `choose_grooves` plays for a Spec that names no groove, with the
    names of the main grooves it chooses among (None where no row fits: the style's own patterns play)."""
    if not path.exists():
        return None
    found = _fit_for(spec, load_library(path))
    return (found[0], tuple(row["name"] for row in found[1])) if found is not None else None


def _pace(row: dict, library: GrooveLibrary, spec: Spec) -> int:
    """+1 where the groove's own words (name, description, its family's Doc) call it slow and the piece is slow
    (at most SLOW_BPM), or fast and the piece is fast (at least FAST_BPM); -1 where they call it slow and the
    piece is not ("upbeat jazz" at 122 bpm is not MellowJazz), or fast and the piece is slow; 0 otherwise."""
    words = f"{row['name']} {row['description']} {library.families.get(row['family'], '')}"
    slow, fast = bool(_SLOW.search(words)), bool(_FAST.search(words))
    if slow == fast:
        return 0
    if slow:
        return 1 if spec.tempo_bpm <= SLOW_BPM else -1
    return 1 if spec.tempo_bpm >= FAST_BPM else -1 if spec.tempo_bpm <= SLOW_BPM else 0
