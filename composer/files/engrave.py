"""MusicXML -> score picture (PNG) with verovio and cairosvg, sized for a Discord embed.

verovio lays the music out and draws music symbols as SVG paths, which cairosvg rasterises without any
font. Text is another matter: cairosvg only sees system fonts through fontconfig, and verovio writes a
few SMuFL glyphs as *text* in its Leipzig font (the note in a tempo mark "♩ = 120", accidentals in
chord symbols). Leipzig ships with verovio only as a WOFF2 data URL that cairosvg cannot load, so
those glyphs are rewritten to their Unicode music-symbol equivalents in DejaVu Sans (installed with
fonts-dejavu-core); other text (instrument names, tempo numbers, chord names) is mapped to DejaVu.

All systems go on one tall page; a piece too long for that is cut after `MAX_PAGES` pages and a note
saying so is returned with the picture.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cairosvg
import verovio

MAX_PAGES = 2
"""Pages stacked into one picture; more would make an unreadably tall image in a chat client."""

PAGE_HEIGHT = 2400
"""verovio page height (MEI units at scale 100) before adjustPageHeight trims it: two systems of four staves."""

TEXT_FONT = "DejaVu Sans"

# SMuFL code points verovio writes as text -> Unicode symbols DejaVu Sans has.
_SMUFL_TO_UNICODE = {
    "\ue1d2": "\U0001d15d", "\ue1d3": "\U0001d15e", "\ue1d5": "\u2669", "\ue1d7": "\u266a", "\ue1e7": ".",
    "\ueca2": "\U0001d15d", "\ueca3": "\U0001d15e", "\ueca4": "\U0001d15e", "\ueca5": "\u2669",
    "\ueca6": "\u2669", "\ueca7": "\u266a", "\ueca8": "\u266a", "\ueca9": "\u266c", "\uecaa": "\u266c",
    "\uecb7": ".", "\ue260": "\u266d", "\ue261": "\u266e", "\ue262": "\u266f", "\ue263": "\U0001d12a",
    "\ue264": "\U0001d12b",
    # figured-bass and chord-symbol accidentals (verovio spells chord roots like Bb with these)
    "\uea63": "\U0001d12b", "\uea64": "\u266d", "\uea65": "\u266e", "\uea66": "\u266f", "\uea67": "\U0001d12a",
    "\ued60": "\u266d", "\ued61": "\u266e", "\ued62": "\u266f", "\ued63": "\U0001d12a", "\ued64": "\U0001d12b",
}
_SMUFL_TSPAN = re.compile(r'<tspan font-family="Leipzig"([^>]*)font-size="(\d+(?:\.\d+)?)px"([^>]*)>([^<]*)</tspan>')
_FONT_FAMILY = re.compile(r'font-family="(?:Times|Liberation)[^"]*"')
_LOCK = threading.Lock()


class EngraveError(ValueError):
    """The MusicXML could not be laid out as a score."""


@dataclass(frozen=True)
class ScorePicture:
    """The PNG written, how many pages it shows and how many the score has."""

    path: Path
    pages_shown: int
    pages_total: int

    @property
    def truncated(self) -> bool:
        return self.pages_shown < self.pages_total


@lru_cache(maxsize=1)
def _toolkit() -> verovio.toolkit:
    """One verovio toolkit per process: creating it loads fonts and is the slow part. Its log (warnings
    about the MusicXML it reads) is switched off: the score is ours, and stderr belongs to the user."""
    verovio.enableLog(False)
    return verovio.toolkit()


def _options() -> dict[str, object]:
    return {
        "pageWidth": 2400, "pageHeight": PAGE_HEIGHT, "scale": 40, "adjustPageHeight": True,
        "breaks": "auto", "footer": "none", "header": "none", "pageMarginTop": 60, "pageMarginBottom": 60,
        "pageMarginLeft": 60, "pageMarginRight": 60, "svgViewBox": False, "smuflTextFont": "none", "svgFormatRaw": True,
        "breaksNoWidow": True,
    }


def _fix_text_fonts(svg: str) -> str:
    """Replace Leipzig text glyphs by Unicode symbols in DejaVu Sans and Times by DejaVu (see module doc)."""

    def repl(match: re.Match[str]) -> str:
        text = "".join(_SMUFL_TO_UNICODE.get(ch, "") for ch in match.group(4))
        size = float(match.group(2)) * 0.6
        return f'<tspan font-family="{TEXT_FONT}"{match.group(1)}font-size="{size:.0f}px"{match.group(3)}>{text}</tspan>'

    svg = _SMUFL_TSPAN.sub(repl, svg)
    return _FONT_FAMILY.sub(f'font-family="{TEXT_FONT}"', svg)


def _read_source(source: str | bytes | Path) -> str:
    if isinstance(source, bytes):
        return source.decode("utf-8")
    if isinstance(source, str) and source.lstrip().startswith("<"):
        return source
    return Path(source).read_text(encoding="utf-8")


def _svg_pages(data: str, width_px: int) -> tuple[list[str], int]:
    with _LOCK:  # a verovio toolkit is not thread-safe
        tk = _toolkit()
        tk.setOptions(_options())
        if not tk.loadData(data):
            raise EngraveError("verovio could not read the MusicXML")
        total = tk.getPageCount()
        if total < 1:
            raise EngraveError("verovio laid out no pages")
        pages = [_fix_text_fonts(tk.renderToSVG(i)) for i in range(1, min(total, MAX_PAGES) + 1)]
    return pages, total


def _stack_png(pngs: list[bytes], out_path: Path) -> None:
    """Write page PNGs one under another as a single 8-bit RGB PNG.

    Pillow pastes the pages into one 8-bit canvas (about 17 MB for two 1600-wide pages of a 13-staff score);
    decoding them as float RGBA arrays and concatenating (matplotlib + numpy) peaked at 430 MB for the same
    pages, the largest allocation of a whole composition.
    """
    if len(pngs) == 1:
        out_path.write_bytes(pngs[0])
        return
    import io

    from PIL import Image

    pages = [Image.open(io.BytesIO(p)) for p in pngs]
    canvas = Image.new("RGB", (max(page.width for page in pages), sum(page.height for page in pages)), "white")
    top = 0
    for page in pages:
        canvas.paste(page.convert("RGB"), (0, top))
        top += page.height
        page.close()
    canvas.save(out_path, format="PNG")


def render_score_png(source: str | bytes | Path, out_path: Path, width_px: int = 1600) -> ScorePicture:
    """Engrave MusicXML (a path, or the XML itself) into a PNG `width_px` wide on a white background.

    The picture is what a chat user sees first, so it favours legibility: one tall page, at most
    `MAX_PAGES` pages stacked (the result says when it was cut).
    """
    out_path = Path(out_path)
    pages, total = _svg_pages(_read_source(source), width_px)
    pngs = [
        cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px, background_color="white")
        for svg in pages
    ]
    _stack_png(pngs, out_path)
    return ScorePicture(path=out_path, pages_shown=len(pages), pages_total=total)
