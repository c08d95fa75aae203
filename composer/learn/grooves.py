"""`motif data build grooves`: MMA's groove library as chord-relative patterns (composer/data/grooves.json.gz).

Each groove of the clean libraries is rendered by MMA (composer.learn.grooves_mma) over a known progression,
and every track is read back against the chord sounding in its bar: drums as (bar, position, velocity) per
GM note; chord instruments as hits (position, length, velocity, how many notes), and so is any line track that
strikes chords above the bass whatever MMA names it (`strikes_chords`: kara's funk "Bass-4"); bass, walking bass,
arpeggio and scale lines as notes named against the chord (root, third, fifth, seventh, a tension, a
chromatic tone, or an approach to the next note) plus an octave. The runtime player
(composer.arrange.groove_play) turns those names back into pitches over any harmony plan. The derived file
keeps MMA's licence (GPL-2+) and holds nothing from any other source.

Beside it, composer/data/groove_texts.npz holds each main groove's own words (its name, its DefGroove
description, its family's Doc sentences, and a caption of what its render plays) embedded by the prompt
encoder, so a prompt's free words can find the nearest groove at request time (`composer.arrange.grooves.
nearest_grooves`). composer may not import the encoder: the CLI hands its `embed` to the build.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import symusic

from composer.arrange.grooves import GROOVE_TEXTS_PATH, MMA_CHORD_KINDS, walks
from composer.learn.grooves_mma import (
    LIBRARIES,
    PROGRESSION,
    GrooveSource,
    MmaError,
    Package,
    Rendered,
    fetch_package,
    file_doc,
    list_grooves,
    render,
)
from prompts.words.instruments import gm_name

GROOVES_PATH = Path(__file__).resolve().parents[1] / "data" / "grooves.json.gz"
BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "grooves"
STEPS_PER_QUARTER = 48
"""Positions and lengths are stored in 1/48 quarter: exact for sixteenths, triplets and MMA's swing."""

NOTICE = ("Derived from MMA (Musical MIDI Accompaniment) by Bob van der Poel and contributors, Debian package "
          "mma {version} (sha256 {sha256}), libraries {libraries}. MMA and its groove libraries are free "
          "software under the GNU General Public License, version 2 or (at your option) any later version; "
          "this derived file is distributed under the same licence (GPL-2+), separately from Motif's MIT code, "
          "and is not merged with data from any other source. Source: https://www.mellowood.ca/mma/")

ROLE_OF_TRACK = {**dict.fromkeys(MMA_CHORD_KINDS, "chord"), "BASS": "bass", "WALK": "walk", "ARPEGGIO": "arpeggio",
                 "SCALE": "scale"}
"""MMA track kinds kept (by the name before the dash); Aria, Solo and Melody are tunes, not accompaniment."""

VARIANTS = ("intro", "end", "fill", "sus", "plus")
_STRUM_TICKS = 16
CHORD_FLOOR = 48
"""MIDI C3, MMA's default octave (4): its chord tracks sit from here up, its bass tracks are set an octave under."""
CHORD_SHARE = 0.5
"""A line track whose strokes of two notes or more hold at least this share of its sounding time strikes chords."""
_CHORD_TONES = {"C": (0, 4, 7), "Am": (0, 3, 7), "Dm": (0, 3, 7), "F": (0, 4, 7), "Dm7": (0, 3, 7, 10),
                "G7": (0, 4, 7, 10)}
_ROOTS = {"C": 0, "Am": 9, "Dm7": 2, "G7": 7, "F": 5, "Dm": 2}
_C_SCALE = (0, 2, 4, 5, 7, 9, 11)
_C_MAJOR = set(_C_SCALE)


def variant_of(name: str, library: str = "stdlib") -> str:
    """The MMA variant a groove name says it is (BossaNovaFill -> fill, Swing1SusPlus -> sus, Swing -> main);
    pflib names its parts by suffix: rock1A/rock1B play, rock1FA/rock1FB fill, rock1E ends."""
    if library == "pflib" and re.search(r"F[AB]$", name):
        return "fill"
    if library == "pflib" and name.endswith("E"):
        return "end"
    lower = name.lower()
    if "break" in lower:
        return "fill"
    return next((v for v in VARIANTS if v in lower), "main")


def base_of(name: str) -> str:
    """The groove name without its variant words, so a fill or an ending finds the groove it belongs to."""
    return re.sub(r"(intro|ending|end|fill|break|sus|plus)", "", name.lower())


def _step(ticks: int, tpq: int) -> int:
    return round(ticks * STEPS_PER_QUARTER / tpq)


def _tone(pitch: int, chord: str, next_pitch: int | None) -> str:
    """The note's name against the sounding chord: a chord tone "1" "3" "5" "7"; another tone of the key, as its
    scale step over the root ("2" "4" "6", or "7" over a triad), so the player takes that step in the piece's own
    scale; an approach "a-1" (a semitone under the next note); or a chromatic tone "c6" (semitones over the root)."""
    interval = (pitch - _ROOTS[chord]) % 12
    tones = _CHORD_TONES[chord]
    if interval in tones:
        return "1357"[tones.index(interval)]
    if next_pitch is not None and 0 < abs(pitch - next_pitch) <= 2 and pitch % 12 not in _C_MAJOR:
        return f"a{pitch - next_pitch:+d}"
    if pitch % 12 in _C_MAJOR:
        return str((_C_SCALE.index(pitch % 12) - _C_SCALE.index(_ROOTS[chord])) % 7 + 1)
    return f"c{interval}"


@dataclass(frozen=True)
class _Bars:
    """How the rendered MIDI divides into bars: ticks per quarter and per bar, bars kept."""

    tpq: int
    bar_ticks: int
    count: int

    def split(self, tick: int) -> tuple[int, int] | None:
        bar = tick // self.bar_ticks
        return (bar, _step(tick - bar * self.bar_ticks, self.tpq)) if bar < self.count else None


def _drums(notes: list, bars: _Bars) -> dict[str, list[list[int]]]:
    hits: dict[str, list[list[int]]] = {}
    for note in notes:
        where = bars.split(note.time)
        if where is not None:
            hits.setdefault(str(note.pitch), []).append([*where, note.velocity])
    return {key: sorted(value) for key, value in sorted(hits.items(), key=lambda kv: int(kv[0]))}


def _chord_hits(notes: list, bars: _Bars) -> list[list[int]]:
    """Strummed or blocked chords as one hit each: [bar, position, length, velocity, notes]."""
    hits: list[list[int]] = []
    start = -10**9
    for note in sorted(notes, key=lambda n: (n.time, n.pitch)):
        if note.time - start > _STRUM_TICKS or not hits:
            where = bars.split(note.time)
            if where is None:
                continue
            start = note.time
            hits.append([*where, _step(note.duration, bars.tpq), note.velocity, 1])
        else:
            hit = hits[-1]
            hit[2], hit[3], hit[4] = max(hit[2], _step(note.duration, bars.tpq)), max(hit[3], note.velocity), hit[4] + 1
    return hits


def strikes_chords(notes: list) -> bool:
    """True for a pitched track that plays chords whatever MMA calls it: its median note at or above CHORD_FLOOR
    and, most of the time it sounds, two pitch classes or more struck together (a strum is one stroke; a bass
    doubled in octaves still plays one note). kara's
    funk sets its clavinet stabs and guitar chops as "Bass-4" and "Bass-3" tracks with harmony notes; read as
    lines, the busiest of them became the groove's bass and the groove had no chord part to comp with."""
    pitches = sorted(n.pitch for n in notes)
    if not pitches or pitches[len(pitches) // 2] < CHORD_FLOOR:
        return False
    strokes: list[tuple[int, set[int], int]] = []
    for note in sorted(notes, key=lambda n: (n.time, n.pitch)):
        if strokes and note.time - strokes[-1][0] <= _STRUM_TICKS:
            start, held, length = strokes[-1]
            strokes[-1] = (start, held | {note.pitch % 12}, max(length, note.duration))
        else:
            strokes.append((note.time, {note.pitch % 12}, note.duration))
    sounding = sum(length for _, _, length in strokes)
    chords = sum(length for _, held, length in strokes if len(held) >= 2)
    return sounding > 0 and chords >= CHORD_SHARE * sounding


def _line(notes: list, bars: _Bars) -> tuple[list[list], int]:
    """A single line as [bar, position, length, velocity, tone, octave] and the track's lowest pitch."""
    ordered = sorted(notes, key=lambda n: (n.time, -n.pitch))
    floor = min(n.pitch for n in ordered)
    out: list[list] = []
    for i, note in enumerate(ordered):
        where = bars.split(note.time)
        if where is None:
            continue
        chord = PROGRESSION[where[0] % len(PROGRESSION)]
        following = ordered[i + 1].pitch if i + 1 < len(ordered) else None
        reference = floor - (floor - _ROOTS[chord]) % 12
        octave = (note.pitch - reference) // 12
        out.append([*where, _step(note.duration, bars.tpq), note.velocity, _tone(note.pitch, chord, following),
                    octave])
    return out, floor


def _swing(onsets: list[int]) -> float:
    """The share of off-beat eighths played late (at 2/3 of the beat), as rendered: 0 straight, 1 swung."""
    late = sum(1 for s in onsets if s % STEPS_PER_QUARTER == 32)
    even = sum(1 for s in onsets if s % STEPS_PER_QUARTER == 24)
    return round(late / (late + even), 2) if late + even else 0.0


def derive(rendered: Rendered) -> dict:
    """One groove as compact chord-relative data (the file's row for it)."""
    score = symusic.Score.from_midi(rendered.midi)
    tpq = score.ticks_per_quarter
    seq = max(1, min(rendered.seq_bars, len(PROGRESSION)))
    bars = _Bars(tpq, round(rendered.beats * tpq), seq)
    tracks, drums, onsets = [], {}, []
    for track in score.tracks:
        notes = list(track.notes)
        if not notes:
            continue
        onsets += [bars.split(n.time)[1] for n in notes if bars.split(n.time)]
        if track.is_drum:
            drums = _drums(notes, bars)
            continue
        role = ROLE_OF_TRACK.get(track.name.split("-")[0].upper())
        if role is None:
            continue
        if role != "chord" and strikes_chords(notes):
            role = "chord"
        row = {"name": track.name, "role": role, "program": track.program}
        if role == "chord":
            row["hits"] = _chord_hits(notes, bars)
            row["register"] = sorted(n.pitch for n in notes)[len(notes) // 2]
        else:
            row["notes"], row["floor"] = _line(notes, bars)
        if row.get("hits") or row.get("notes"):
            tracks.append(row)
    source = rendered.source
    return {"name": source.name, "family": f"{source.library}/{source.file}", "variant": variant_of(source.name, source.library),
            "base": base_of(source.name), "description": source.description, "bars": seq,
            "beats": rendered.beats, "time_signature": rendered.time_signature, "tempo_bpm": rendered.tempo_bpm,
            "swing": _swing(onsets), "swing_mode": rendered.swing_mode.split()[0] if rendered.swing_mode else "",
            "drums": drums, "tracks": tracks}


_HOME: Path | None = None
_WORKDIR: Path | None = None


def _init_worker(home: Path) -> None:
    global _HOME, _WORKDIR  # noqa: PLW0603 - one MMA home and scratch folder per worker process
    _HOME, _WORKDIR = home, Path(tempfile.mkdtemp(prefix="motif-mma-"))


def _job(source: GrooveSource) -> dict | str:
    assert _HOME is not None and _WORKDIR is not None
    try:
        return derive(render(_HOME, source, _WORKDIR))
    except (MmaError, OSError, ValueError, subprocess.TimeoutExpired) as error:
        for leftover in _WORKDIR.glob("*"):
            leftover.unlink()
        return f"{error}"


def _run_all(sources: list[GrooveSource], home: Path, workers: int) -> Iterator[dict | str]:
    """Rows in source order (reproducible), from `workers` processes or inline."""
    if workers <= 1:
        _init_worker(home)
        yield from map(_job, sources)
        return
    with get_context("fork").Pool(workers, initializer=_init_worker, initargs=(home,)) as pool:
        yield from pool.imap(_job, sources, chunksize=4)


@dataclass
class GrooveBuild:
    """What a build made: the package it came from, grooves kept and failed, the file written, and the groove
    texts embedded beside it (0 when no `embed` was given)."""

    package: Package
    kept: int
    failed: list[str]
    out: Path
    bytes: int
    texts: int = 0


def write_grooves(payload: dict, out: Path) -> int:
    """Gzipped canonical JSON with no timestamp or file name in the header: the same input gives the same bytes."""
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as handle:
        handle.write(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def build_grooves(out: Path = GROOVES_PATH, build_dir: Path = BUILD_DIR, workers: int = 2,
                  limit: int | None = None, progress: Callable[[int, str], None] | None = None,
                  on_total: Callable[[int], None] | None = None, embed: Embed | None = None,
                  texts_out: Path = GROOVE_TEXTS_PATH) -> GrooveBuild:
    """Fetch and unpack the package, render and derive every groove (`limit`: the first N only), write `out`;
    with `embed` (the prompt encoder's), also the main grooves' texts to `texts_out`."""
    package = fetch_package(build_dir)
    sources = list_grooves(package.home)[:limit]
    if on_total:
        on_total(len(sources))
    rows, failed = [], []
    for source, row in zip(sources, _run_all(sources, package.home, workers), strict=True):
        (rows.append(row) if isinstance(row, dict) else failed.append(row))
        if progress:
            progress(1, source.name)
    families = sorted({(s.library, s.file) for s in sources})
    payload = {
        "notice": NOTICE.format(version=package.version, sha256=package.sha256, libraries=", ".join(LIBRARIES)),
        "licence": "GPL-2.0-or-later",
        "source": {"package": "mma", "version": package.version, "sha256": package.sha256,
                   "libraries": list(LIBRARIES)},
        "progression": list(PROGRESSION), "steps_per_quarter": STEPS_PER_QUARTER,
        "families": {f"{lib}/{name}": file_doc(package.home / "lib" / lib / f"{name}.mma")
                     for lib, name in families},
        "grooves": rows,
    }
    size = write_grooves(payload, out)
    texts = write_groove_texts(payload, out.read_bytes(), embed, texts_out) if embed is not None else 0
    return GrooveBuild(package, len(rows), failed, out, size, texts)


Embed = Callable[[list[str]], np.ndarray]
"""The prompt encoder's `embed`: texts -> (n, 384) unit rows."""
EMBED_BATCH = 64
"""Texts per encoder call, fixed so the same texts give the same vectors (batch padding is part of the sum)."""
_PERCUSSION = {"latin percussion": range(60, 69), "shakers": range(69, 71), "tambourine": (54,), "cowbell": (56,),
               "claves": range(75, 77)}
"""GM drum notes that say something about a groove's style: the bongos, congas and timbales of latin bands."""


def name_words(name: str) -> str:
    """A groove's name as words ("SlowJazz1Walk" -> "Slow Jazz Walk"), so the encoder reads "jazz", not a token."""
    return " ".join(re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", re.sub(r"\d+", " ", name))) or name


def caption(row: dict) -> str:
    """What a groove's render plays, in words: feel, meter, walking bass, its instruments (GM names), telling
    percussion and how busy its drums are ("Nite Jazz: a swing 4/4 groove, Acoustic Grand Piano, ...")."""
    programs = list(dict.fromkeys(gm_name(track["program"]) for track in row["tracks"]))
    percussion = [word for word, notes in _PERCUSSION.items() if any(int(n) in notes for n in row["drums"])]
    per_beat = sum(len(hits) for hits in row["drums"].values()) / max(1.0, row["bars"] * row["beats"])
    drums = ("no drums" if not row["drums"] else "sparse drums" if per_beat < 2 else
             "busy drums" if per_beat > 5 else "drums")
    feel = "swing" if row["swing"] >= 0.5 else "straight"
    words = [f"a {feel} {row['time_signature']} groove", *(["walking bass"] if walks(row) else []), *programs,
             *percussion, drums]
    return f"{name_words(row['name'])}: {', '.join(words)}"


def groove_texts(payload: dict) -> list[tuple[str, str]]:
    """(groove name, text) for every main groove: its name's words alone ("Western Swing"), then its DefGroove
    description, each sentence of its family's Doc and its caption, each prefixed by the name's words. A groove
    scores the best of its texts: a short prompt matches one short sentence far better than a paragraph (as the
    lexicon's genre scenes do)."""
    pairs: list[tuple[str, str]] = []
    for row in payload["grooves"]:
        if row["variant"] != "main":
            continue
        name = name_words(row["name"])
        doc = payload["families"].get(row["family"], "")
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", doc) if len(s.strip()) > 3]
        own = [name, *([f"{name}: {row['description']}"] if row["description"] else [])]
        pairs += [(row["name"], text) for text in [*own, *(f"{name}: {s}" for s in sentences), caption(row)]]
    return pairs


def write_groove_texts(payload: dict, grooves_bytes: bytes, embed: Embed, out: Path = GROOVE_TEXTS_PATH) -> int:
    """Embed `groove_texts` and write them as an .npz: `vectors` (float16, unit rows), `owner` (each row's
    index in `names`), `names` (the main grooves), `grooves_sha256` (the grooves file they belong to, so a
    stale pair is refused at load) and the grooves' `notice` and `licence`: MMA's words, embedded, stay GPL-2+.
    Zip members carry a fixed date: the same input gives the same bytes."""
    pairs = groove_texts(payload)
    names = list(dict.fromkeys(name for name, _ in pairs))
    index = {name: i for i, name in enumerate(names)}
    texts = [text for _, text in pairs]
    vectors = np.concatenate([embed(texts[i:i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    arrays = {"vectors": vectors.astype(np.float16), "owner": np.array([index[n] for n, _ in pairs], np.int32),
              "names": np.array(names), "grooves_sha256": np.array(hashlib.sha256(grooves_bytes).hexdigest()),
              "notice": np.array(payload["notice"]), "licence": np.array(payload["licence"])}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)), member.getvalue(),
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return len(texts)
