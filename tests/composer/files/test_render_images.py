"""Score and piano-roll pictures: real PNGs of a sane size that are not blank."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from composer.files.engrave import EngraveError, render_score_png
from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes, write_musicxml
from composer.files.pianoroll import note_name, render_pianoroll_png
from tests.fixtures.pieces import jig_6_8, tune_4_4


def _load(path: Path) -> np.ndarray:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return mpimg.imread(path)


def _ink_fraction(image: np.ndarray) -> float:
    grey = image[..., :3].mean(axis=2)
    return float((grey < 0.5).mean())


def test_score_png_from_file(tmp_path: Path) -> None:
    xml = write_musicxml(tune_4_4(), tmp_path / "s.musicxml")
    picture = render_score_png(xml, tmp_path / "s.png")
    image = _load(picture.path)
    height, width = image.shape[:2]
    assert width == 1600 and 600 < height < 4000
    assert picture.pages_shown == picture.pages_total == 1
    assert image[..., :3].std() > 0.1 and 0.01 < _ink_fraction(image) < 0.3
    assert image[:5, :, :3].min() > 0.99  # white background, not transparent black


def test_score_png_from_xml_text_and_width(tmp_path: Path) -> None:
    data = score_to_musicxml_bytes(piece_to_score(jig_6_8()))
    picture = render_score_png(data.decode(), tmp_path / "j.png", width_px=800)
    image = _load(picture.path)
    assert image.shape[1] == 800 and _ink_fraction(image) > 0.01


def test_tempo_note_glyph_uses_a_real_font(tmp_path: Path) -> None:
    """The SMuFL quarter note of the tempo mark is rewritten to a DejaVu symbol, not dropped."""
    from composer.files.engrave import _svg_pages

    data = score_to_musicxml_bytes(piece_to_score(tune_4_4(bars=1))).decode()
    (svg,), _ = _svg_pages(data, 1600)
    assert 'font-family="Leipzig"' not in svg and "\u2669" in svg and "120" in svg


def test_long_score_is_cut_to_max_pages(tmp_path: Path) -> None:
    xml = score_to_musicxml_bytes(piece_to_score(tune_4_4(bars=32)))
    picture = render_score_png(xml, tmp_path / "long.png")
    assert picture.pages_total > picture.pages_shown == 2 and picture.truncated
    assert _load(picture.path).shape[0] > 1500


def test_bad_musicxml_raises(tmp_path: Path) -> None:
    with pytest.raises(EngraveError):
        render_score_png("<not-music/>", tmp_path / "x.png")


def test_pianoroll_png(tmp_path: Path) -> None:
    path = render_pianoroll_png(tune_4_4(), tmp_path / "roll.png")
    image = _load(path)
    assert image.shape[:2] == (600, 1600)
    assert image[..., :3].std() > 0.05
    colours = {tuple(np.round(px[:3], 1)) for px in image.reshape(-1, image.shape[2])[::37]}
    assert len(colours) > 8  # several track colours, not a single-colour picture


def test_pianoroll_without_drums_and_names() -> None:
    assert note_name(60) == "C4" and note_name(69) == "A4" and note_name(21) == "A0"


def test_pianoroll_6_8(tmp_path: Path) -> None:
    image = _load(render_pianoroll_png(jig_6_8(), tmp_path / "jig.png"))
    assert image.shape[:2] == (600, 1600) and _ink_fraction(image) > 0.005


def test_flat_chord_roots_keep_their_flat_in_the_picture() -> None:
    """verovio draws a chord root's accidental as a SMuFL glyph; it must reach the PNG as a real flat sign."""
    from composer.files.engrave import _svg_pages
    from composer.files.musicxml import piece_to_score, score_to_musicxml_bytes
    from composer.piece import Chord, Note, Piece, Track
    from prompts.spec import Instrument, Spec

    spec = Spec(tonic="F", mode="major", bars=1, instruments=(Instrument("flute", 73, "melody"),))
    piece = Piece(spec, [Track("flute", 73, "melody", [Note(70, 0.0, 4.0)])], [Chord(0.0, 4.0, 10, "maj", "Bb")])
    pages, _ = _svg_pages(score_to_musicxml_bytes(piece_to_score(piece)).decode(), 1600)
    harmony = [g for g in pages[0].split('class="harm"')[1:]]
    assert harmony and "\u266d" in harmony[0].split("</g>")[0]
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in pages[0]), "no private-use SMuFL glyph is left for cairo"
