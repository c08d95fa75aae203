"""Readable summaries of Specs and results for people at a terminal (the CLI without --json, the console chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from prompts import Spec

if TYPE_CHECKING:
    from bot.studio import Result


def describe_spec(spec: Spec) -> str:
    """One line a musician reads at a glance: key, tempo, meter, bars, style, instruments."""
    instruments = ", ".join(i.name for i in spec.instruments) or "none"
    style = " ".join(filter(None, [", ".join(spec.moods), (spec.genre or "").replace("_", " ")])) or "free style"
    drums = "with drums" if spec.drums else "no drums"
    chords = f"; over {' '.join(spec.chords)}" if spec.chords else ""
    form = f"; form {spec.form_text()}" if spec.form_text() else ""
    return (
        f"{spec.tonic} {spec.mode}, {spec.tempo_bpm} bpm, {spec.time_signature}, {spec.bars} bars, "
        f"{style}; {instruments}; {drums}{chords}{form}"
    )


def print_spec(console: Console, spec: Spec) -> None:
    """The Spec as a table, marking what the user stated versus what Motif chose (user text printed as text)."""
    table = Table(title=Text(f"How Motif reads: {spec.prompt!r}"), show_header=True, header_style="bold")
    table.add_column("field")
    table.add_column("value")
    table.add_column("source")
    rows = {
        "tonic": spec.tonic, "mode": spec.mode, "tempo_bpm": str(spec.tempo_bpm),
        "time_signature": spec.time_signature, "bars": str(spec.bars), "genre": spec.genre or "-",
        "moods": ", ".join(spec.moods) or "-",
        "instruments": ", ".join(f"{i.name} ({i.program}, {i.role})" for i in spec.instruments),
        "drums": "yes" if spec.drums else "no", "density": f"{spec.density:.2f}", "register": str(spec.register),
        "chords": " ".join(spec.chords) + (f" ({spec.chords_per_bar:g} per bar)" if spec.chords else "") or "-",
        "form": spec.form_text() or "-",
    }
    for name, value in rows.items():
        table.add_row(name, Text(value), "you" if name in spec.explicit else "Motif")
    console.print(table)
    for note in spec.notes:
        console.print(f"[dim]note:[/] {escape(note)}")


def print_result(console: Console, result: Result) -> None:
    """What was made and where the files are."""
    console.print(f"[bold green]Composed[/] [bold]{result.id}[/]: {escape(describe_spec(result.spec))}")
    for note in result.spec.notes:
        console.print(f"  [dim]note:[/] {escape(note)}")
    for line in result.summary:  # a remix's changes, or an import's warnings
        console.print(f"  [dim]{'changed' if result.parent_id else 'note'}:[/] {escape(line)}")
    for kind, path in result.files.items():
        if path:
            console.print(f"  {kind:<14} {escape(path)}", highlight=False)
    for kind, message in result.errors.items():
        console.print(f"  [yellow]{kind} not made:[/] {escape(message)}")
    total = sum(v for k, v in result.timings_ms.items())
    made_by = f", {result.model_version or result.engine}" if result.engine else ""
    console.print(f"  [dim]took {total / 1000:.2f} s (seed {result.spec.seed}{escape(made_by)})[/]")
