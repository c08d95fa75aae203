"""MMA (Musical MIDI Accompaniment) as a build tool: fetch Debian's package, list its grooves, render one.

Offline only (`motif data build grooves`). The package is downloaded with `apt-get download` and unpacked
with `dpkg-deb -x` into a build folder, never installed; MMA is plain Python and runs from those files with
`MMA_HOME` pointing at them. Each groove is rendered over a fixed progression with randomisation switched
off (`RndSeed 1`, `RTime/RVolume/RSkip 0`), so the same package gives the same MIDI bytes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from composer.learn.debian.packages import Package as DebianPackage
from composer.learn.debian.packages import unpack

MMA_PACKAGE = DebianPackage("mma", "21.09-1", "ee2fa4c2d029adc0750f7194ad52de4a75dafa9de0e4ee02962f807f50083acf")
"""The Debian 12 (bookworm) package the grooves are rendered from, digest as downloaded on 2026-12-01."""
LIBRARIES: tuple[str, ...] = ("stdlib", "pflib", "kara", "alexis")
"""The clean-provenance libraries (written for MMA); the casio/yamaha/zoom conversions stay out."""

PROGRESSION: tuple[str, ...] = ("C", "Am", "Dm7", "G7", "C", "F", "Dm", "G7")
"""One chord a bar: triads and sevenths, major and minor, root moves by fourth, fifth and third."""

RENDER_TEMPO_BPM = 120
RENDER_TIMEOUT_S = 60


class MmaError(RuntimeError):
    """Raised when the package cannot be fetched or unpacked, or MMA fails on a groove."""


@dataclass(frozen=True)
class Package:
    """The downloaded .deb, its version and checksum, and where its files were unpacked."""

    deb: Path
    version: str
    sha256: str
    root: Path

    @property
    def home(self) -> Path:
        """MMA_HOME: the folder holding MMA/, lib/ and includes/."""
        return self.root / "usr" / "share" / "mma"


@dataclass(frozen=True)
class GrooveSource:
    """One DefGroove of a library file: where it lives and what its author says about it."""

    library: str
    file: str
    name: str
    description: str


def fetch_package(build_dir: Path) -> Package:
    """Download (unless present), check and unpack the pinned mma .deb into `build_dir`, with the same
    fetcher as the Debian lead-line sources (`composer.learn.debian.packages`); the version and sha256 are
    recorded so DATA.md can say exactly which package the derived data came from."""
    root = unpack(MMA_PACKAGE, build_dir)
    return Package(build_dir / MMA_PACKAGE.deb_name, MMA_PACKAGE.version, MMA_PACKAGE.sha256, root)


def _logical_lines(text: str) -> list[str]:
    """MMA source lines with comments removed and backslash continuations joined."""
    lines, pending = [], ""
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].rstrip()
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        lines.append((pending + line.strip()).strip())
        pending = ""
    return lines


def file_doc(path: Path) -> str:
    """A library file's own description of its groove family, one line: the text of its `Begin Doc ... End`
    block and of its one-line `Doc` commands (continued with backslashes), in file order. Both forms are MMA's;
    the one-line form is how, among others, nitejazz says it is "a slow jazz trio beat"."""
    lines = _logical_lines(path.read_text(encoding="latin-1"))
    body: list[str] = []
    inside = False
    for line in lines:
        if inside:
            if re.match(r"end\b", line, re.I):
                inside = False
            else:
                body.append(line)
        elif re.match(r"begin\s+doc\b", line, re.I):
            inside = True
        elif match := re.match(r"doc\s+(.*)", line, re.I):
            body.append(match.group(1))
    return " ".join(" ".join(body).split())


def list_grooves(home: Path, libraries: tuple[str, ...] = LIBRARIES) -> list[GrooveSource]:
    """Every groove the libraries define, in a fixed order (library, file, order of definition), once each."""
    found: list[GrooveSource] = []
    for library in libraries:
        for path in sorted((home / "lib" / library).glob("*.mma")):
            seen: set[str] = set()
            for line in _logical_lines(path.read_text(encoding="latin-1")):
                match = re.match(r"defgroove\s+(\S+)\s*(.*)", line, re.I)
                if not match or match.group(1).lower() in seen:
                    continue
                seen.add(match.group(1).lower())
                found.append(GrooveSource(library, path.stem, match.group(1), " ".join(match.group(2).split())))
    return found


def _script(source: GrooveSource, bars: int) -> str:
    chords = [f"{bar + 1} {PROGRESSION[bar % len(PROGRESSION)]}" for bar in range(bars)]
    return "\n".join([
        "RndSeed 1", f"Tempo {RENDER_TEMPO_BPM}", f"Use {source.library}/{source.file}", f"Groove {source.name}",
        "Print @@META $_SeqSize $_Time $_TimeSig $_Tempo", "Print @@SWING $_SwingMode",
        "AllTracks RTime 0", "AllTracks RVolume 0", "AllTracks RSkip 0", *chords, "",
    ])


@dataclass(frozen=True)
class Rendered:
    """One groove rendered: its MIDI bytes and what MMA printed about it (sequence length, meter, swing)."""

    source: GrooveSource
    midi: bytes
    seq_bars: int
    beats: float
    time_signature: str
    tempo_bpm: int
    swing_mode: str


def render(home: Path, source: GrooveSource, workdir: Path, bars: int = 8) -> Rendered:
    """Run MMA from the unpacked package on one groove over `PROGRESSION` and read back its MIDI."""
    workdir.mkdir(parents=True, exist_ok=True)
    stem = f"{source.library}_{source.file}_{source.name}".replace("/", "_")
    script, midi = workdir / f"{stem}.mma", workdir / f"{stem}.mid"
    script.write_text(_script(source, bars), encoding="utf-8")
    env = {**os.environ, "MMA_HOME": str(home), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, str(home.parent.parent / "bin" / "mma"), str(script), "-f", str(midi)],
                            capture_output=True, text=True, env=env, timeout=RENDER_TIMEOUT_S, check=False,
                            cwd=workdir)
    meta = re.search(r"@@META (\d+) ([\d.]+) (\S+) ([\d.]+)", result.stdout)
    swing = re.search(r"@@SWING (.*)", result.stdout)
    if result.returncode != 0 or meta is None or not midi.exists():
        raise MmaError(f"{source.library}/{source.file} {source.name}: {(result.stdout + result.stderr)[-300:]}")
    data = midi.read_bytes()
    script.unlink()
    midi.unlink()
    return Rendered(source, data, int(meta.group(1)), float(meta.group(2)), meta.group(3), round(float(meta.group(4))),
                    swing.group(1).strip() if swing else "")
