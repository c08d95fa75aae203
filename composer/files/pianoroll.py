"""Piece -> piano-roll picture (PNG) with matplotlib: a quick visual of who plays what, when.

Pitched tracks share a pitch axis labelled with note names, one colour per track; drums get their own
lane strip below (one row per drum sound, hatched) so kicks and hi-hats do not pollute the pitch axis.
Bar lines are drawn solid, beats faint.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from composer.piece import Piece, Track  # noqa: E402
from composer.theory import NOTE_NAMES_SHARP  # noqa: E402

WIDTH_PX, HEIGHT_PX, DPI = 1600, 600, 100
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
_DRUM_NAMES = {35: "Kick", 36: "Kick", 37: "Stick", 38: "Snare", 39: "Clap", 40: "Snare", 41: "Tom", 42: "HH",
               43: "Tom", 44: "HH pedal", 45: "Tom", 46: "HH open", 47: "Tom", 48: "Tom", 49: "Crash",
               50: "Tom", 51: "Ride", 53: "Ride bell", 54: "Tamb", 56: "Cowbell", 57: "Crash", 59: "Ride"}


def note_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI number (60 -> C4)."""
    return f"{NOTE_NAMES_SHARP[pitch % 12]}{pitch // 12 - 1}"


def _draw_grid(ax: Axes, piece: Piece) -> None:
    total, bar_q = piece.total_quarters, piece.bar_quarters
    beat_q = 4.0 / piece.spec.meter[1] * (3 if piece.spec.meter[1] == 8 and piece.spec.meter[0] % 3 == 0 else 1)
    beat = 0.0
    while beat <= total + 1e-9:
        is_bar = abs(beat / bar_q - round(beat / bar_q)) < 1e-6
        ax.axvline(beat, color="#444444" if is_bar else "#dddddd", lw=1.0 if is_bar else 0.5, zorder=0)
        beat += beat_q
    ax.set_xlim(0, total)


def _draw_pitched(ax: Axes, piece: Piece, tracks: list[Track], colours: dict[str, str]) -> None:
    pitches = [n.pitch for t in tracks for n in t.notes] or [60]
    low, high = min(pitches) - 2, max(pitches) + 2
    for layer, track in enumerate(tracks):  # earlier tracks (the melody) are drawn on top
        rects = [Rectangle((n.start, n.pitch - 0.4), max(n.duration, 0.05), 0.8) for n in track.notes]
        ax.add_collection(PatchCollection(rects, facecolor=colours[track.name], edgecolor="black",
                                          linewidth=0.3, alpha=0.85, zorder=2 + len(tracks) - layer))
    ax.set_ylim(low, high)
    step = 12 if high - low > 30 else 6 if high - low > 14 else 2
    ticks = [p for p in range(low, high + 1) if p % step == 0]
    ax.set_yticks(ticks, [note_name(p) for p in ticks])
    ax.set_ylabel("pitch")
    _draw_grid(ax, piece)


def _draw_drums(ax: Axes, piece: Piece, tracks: list[Track], colours: dict[str, str]) -> None:
    keys = sorted({n.pitch for t in tracks for n in t.notes})
    row = {k: i for i, k in enumerate(keys)}
    for track in tracks:
        rects = [Rectangle((n.start, row[n.pitch] - 0.35), max(n.duration, 0.08), 0.7) for n in track.notes]
        ax.add_collection(PatchCollection(rects, facecolor=colours[track.name], edgecolor="black",
                                          hatch="///", linewidth=0.3, alpha=0.7, zorder=2))
    ax.set_ylim(-0.6, max(len(keys), 1) - 0.4)
    ax.set_yticks(range(len(keys)), [_DRUM_NAMES.get(k, str(k)) for k in keys], fontsize=7)
    ax.set_ylabel("drums")
    _draw_grid(ax, piece)


def render_pianoroll_png(piece: Piece, out_path: Path) -> Path:
    """Draw `piece` as a 1600x600 piano roll with a legend of instrument names and save it as PNG."""
    pitched = [t for t in piece.tracks if not t.is_drum and t.notes]
    drums = [t for t in piece.tracks if t.is_drum and t.notes]
    colours = {t.name: _PALETTE[i % len(_PALETTE)] for i, t in enumerate(piece.tracks)}
    rows = [3, 1] if drums else [1]
    fig, axes = plt.subplots(len(rows), 1, figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, sharex=True,
                             gridspec_kw={"height_ratios": rows}, squeeze=False)
    try:
        _draw_pitched(axes[0][0], piece, pitched, colours)
        if drums:
            _draw_drums(axes[1][0], piece, drums, colours)
        bar_q = piece.bar_quarters
        axes[-1][0].set_xticks([i * bar_q for i in range(piece.spec.bars)], [str(i + 1) for i in range(piece.spec.bars)])
        axes[-1][0].set_xlabel("bar")
        handles = [Patch(facecolor=colours[t.name], edgecolor="black", label=t.name, hatch="///" if t.is_drum else None)
                   for t in pitched + drums]
        axes[0][0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)
        spec = piece.spec
        axes[0][0].set_title(f"{spec.tonic} {spec.mode}, {spec.time_signature}, {spec.tempo_bpm} bpm", fontsize=10)
        fig.tight_layout()
        fig.savefig(out_path, dpi=DPI, facecolor="white")
    finally:
        plt.close(fig)
    return Path(out_path)
