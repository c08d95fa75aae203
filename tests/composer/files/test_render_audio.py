"""Audio rendering with the real fluidsynth and soundfonts: decodable, right length, loud enough, small."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import soundfile

from composer.files import audio as audio_module
from composer.files.audio import (
    AudioError,
    encode_audio,
    find_soundfont,
    normalise,
    render_audio,
    synth_deadline_s,
    trim_tail,
)
from composer.files.midi import piece_to_midi_bytes
from composer.piece import Piece
from tests.fixtures.pieces import jig_6_8, tune_4_4

pytestmark = pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")
ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts"
TIMGM = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")


@contextmanager
def keep_midi_on_failure(name: str, midi: bytes) -> Iterator[None]:
    """Leave the MIDI of a failing music test in tests/_artifacts/ for a human to listen to."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.mid").write_bytes(midi)
        raise


def _expected_s(piece: Piece) -> float:
    return piece.total_quarters * 60.0 / piece.spec.tempo_bpm


def _rms_db(audio: np.ndarray) -> float:
    return 20 * float(np.log10(np.sqrt(np.mean(np.square(audio)))))


@pytest.mark.parametrize("soundfont", [None, TIMGM], ids=["default", "timgm"])
def test_ogg_decodes_with_expected_length_and_level(tmp_path: Path, soundfont: Path | None) -> None:
    piece = tune_4_4(bars=8)
    midi = piece_to_midi_bytes(piece)
    with keep_midi_on_failure("ogg_length", midi):
        out = render_audio(midi, tmp_path / "a.ogg", soundfont=soundfont)
        info = soundfile.info(out)
        assert (info.format, info.subtype, info.samplerate, info.channels) == ("OGG", "VORBIS", 44100, 2)
        audio, _ = soundfile.read(out, dtype="float32")
        expected = _expected_s(piece)  # 16 s
        assert expected <= len(audio) / 44100 <= expected + 4.0
        assert -20.0 < _rms_db(audio) < -12.0  # normalised to about -16 dBFS
        assert np.max(np.abs(audio)) < 10 ** (-0.5 / 20)  # peak limited near -1 dBFS (+ codec overshoot)
        assert out.stat().st_size < 1_000_000


def test_mp3_on_request(tmp_path: Path) -> None:
    piece = jig_6_8(bars=4)
    out = render_audio(piece_to_midi_bytes(piece), tmp_path / "a.mp3", fmt="mp3", soundfont=TIMGM)
    audio, rate = soundfile.read(out, dtype="float32")
    assert rate == 44100 and audio.shape[1] == 2
    assert _expected_s(piece) - 0.1 <= len(audio) / rate <= _expected_s(piece) + 4.0
    assert _rms_db(audio) > -30.0


def test_silent_last_bar_keeps_full_length(tmp_path: Path) -> None:
    piece = tune_4_4(bars=4)
    for track in piece.tracks:
        track.notes = [n for n in track.notes if n.start < 12.0]
    midi = piece_to_midi_bytes(piece)
    audio, rate = soundfile.read(render_audio(midi, tmp_path / "a.ogg", soundfont=TIMGM))
    assert len(audio) / rate >= _expected_s(piece) - 0.05


def test_missing_soundfont_is_a_clear_error(tmp_path: Path) -> None:
    midi = piece_to_midi_bytes(tune_4_4(bars=1))
    with pytest.raises(AudioError, match="does not exist"):
        render_audio(midi, tmp_path / "a.ogg", soundfont=tmp_path / "nope.sf2")
    assert not (tmp_path / "a.ogg").exists()


def test_broken_soundfont_fails_instead_of_writing_silence(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sf2"
    bogus.write_bytes(b"this is not a soundfont" * 100)
    midi = piece_to_midi_bytes(tune_4_4(bars=1))
    with pytest.raises(AudioError, match="could not load the soundfont"):
        render_audio(midi, tmp_path / "a.ogg", soundfont=bogus)
    assert not (tmp_path / "a.ogg").exists()


def test_configured_soundfont_and_bad_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # composer reads no environment: MOTIF_SOUNDFONT reaches it through bot.settings as an explicit path
    monkeypatch.setenv("MOTIF_SOUNDFONT", str(tmp_path / "missing.sf2"))
    assert find_soundfont(TIMGM) == TIMGM
    assert find_soundfont() != tmp_path / "missing.sf2"
    with pytest.raises(AudioError, match="missing.sf2"):
        find_soundfont(tmp_path / "missing.sf2")
    with pytest.raises(AudioError, match="unknown audio format"):
        render_audio(b"", tmp_path / "a.wav", fmt="wav")
    with pytest.raises(AudioError, match="cannot read the MIDI"):
        render_audio(b"MThd garbage", tmp_path / "a.ogg", soundfont=TIMGM)


def test_timeout_stops_fluidsynth(tmp_path: Path) -> None:
    midi = piece_to_midi_bytes(tune_4_4(bars=8))
    with pytest.raises(AudioError, match="longer than"):
        render_audio(midi, tmp_path / "a.ogg", soundfont=TIMGM, timeout_s=0.001)


def test_normalise_limits_peaks_and_trim_keeps_release() -> None:
    rate = 44100
    t = np.arange(rate * 3) / rate
    tone = (0.05 * np.sin(2 * np.pi * 440 * t) * (t < 1.0)).astype(np.float32)
    tone[100] = 0.9  # a spike
    stereo = np.stack([tone, tone], axis=1)
    out = normalise(stereo)
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20) + 1e-6
    trimmed = trim_tail(out, keep_s=0.5)
    assert 1.0 < len(trimmed) / rate < 2.0  # the 2 s of silence is cut, a short release kept
    assert np.all(np.abs(trimmed[-10:]) < 1e-3)  # faded out, no click


def test_silence_and_wrong_length_are_rejected() -> None:
    from composer.files.audio import _check

    with pytest.raises(AudioError, match="silent"):
        _check(np.zeros((44100 * 3, 2), dtype=np.float32), expected_s=2.0)
    with pytest.raises(AudioError, match="lasts 1.0 s but the MIDI lasts 8.0 s"):
        _check(np.full((44100, 2), 0.1, dtype=np.float32), expected_s=8.0)


SMALL_STACK_ENCODE = """
import sys, threading
import numpy as np
from composer.files.audio import encode_audio
rate = 44100
t = np.arange(60 * rate, dtype=np.float32) / rate
stereo = np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32)
threading.stack_size(512 * 1024)
worker = threading.Thread(target=encode_audio, args=(sys.argv[1], stereo, rate, "OGG", "VORBIS"))
worker.start()
worker.join()
"""


def test_encoding_a_long_signal_needs_little_stack(tmp_path: Path) -> None:
    """60 s of Vorbis in a thread with a 512 KiB stack: one whole-signal write needs ~10 MiB and crashed (a
    subprocess, so a regression is a failed exit, not a dead pytest)."""
    out = tmp_path / "long.ogg"
    proc = subprocess.run([sys.executable, "-c", SMALL_STACK_ENCODE, str(out)], capture_output=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 0, proc.stderr[-1000:]
    assert soundfile.info(out).frames == 60 * 44100


def test_encode_audio_takes_arrays_or_chunks_to_files_or_buffers(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = audio_module.WRITE_BLOCK_FRAMES * 2 + 123
    stereo = (0.1 * rng.standard_normal((frames, 2))).astype(np.float32)
    encode_audio(tmp_path / "a.ogg", (stereo[:1000], stereo[1000:]), 44100, "OGG", "VORBIS")
    assert (soundfile.info(tmp_path / "a.ogg").frames, soundfile.info(tmp_path / "a.ogg").channels) == (frames, 2)
    buffer = io.BytesIO()
    encode_audio(buffer, stereo[:, 0].copy(), 22050, "MP3", "MPEG_LAYER_III", compression_level=0.95)
    info = soundfile.info(io.BytesIO(buffer.getvalue()))
    assert info.channels == 1 and abs(info.duration - frames / 22050) < 0.1
    with pytest.raises(AudioError, match="no audio"):
        encode_audio(tmp_path / "b.ogg", iter(()), 44100, "OGG", "VORBIS")


def test_chunked_processing_matches_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Levels, tail search and the fade-out give the same answer whatever the chunk size (the fade straddles a
    chunk boundary here)."""
    rng = np.random.default_rng(1)
    pcm = (rng.standard_normal((50_000, 2)) * 3000).astype("<i2")
    pcm[46_000:] //= 400  # a quiet tail past the end
    whole_levels = audio_module._levels(pcm)
    whole_tail = audio_module._last_loud_frames(pcm, (1.0, 3.0))
    whole = np.concatenate(list(audio_module._finished(pcm, 3.0, 45_000)))
    monkeypatch.setattr(audio_module, "CHUNK_FRAMES", 1000 + 7)
    assert np.allclose(audio_module._levels(pcm), whole_levels, rtol=1e-6)
    assert audio_module._last_loud_frames(pcm, (1.0, 3.0)) == whole_tail
    chunked = np.concatenate(list(audio_module._finished(pcm, 3.0, 45_000)))
    assert chunked.shape == (45_000, 2) and np.array_equal(chunked, whole)
    assert np.all(np.abs(chunked[-5:]) < 1e-3) and np.abs(chunked[-2000:-1500]).max() > 0.01  # faded, not cut


def test_fluidsynth_deadline_grows_with_the_piece() -> None:
    """30 s for a short piece as before; the longest prompt (64 bars of 7/4 at 20 bpm, 1344 s, measured at 5-25 s
    of synthesis) gets over 5 minutes, so it renders on a busy machine and a hung synth still stops."""
    assert 30 <= synth_deadline_s(16.0) < 40
    assert synth_deadline_s(1344.0) > 300
