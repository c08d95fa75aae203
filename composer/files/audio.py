"""MIDI bytes -> listenable audio (OGG Vorbis by default, MP3 on request) with the fluidsynth CLI.

fluidsynth runs as a subprocess writing raw PCM to a temporary file, watched under a wall-clock deadline and
a byte cap (it is killed past either), because it happily writes silence when the soundfont is missing or broken and exits 0: the result is therefore
checked (exit code, file present, duration close to the MIDI's, RMS above a floor) before it is
normalised (RMS target with a soft peak limit), its silent tail trimmed and encoded with soundfile
(libsndfile >= 1.1 encodes MP3 itself; no ffmpeg).

Any allowed length works (the longest prompt, 64 bars of 7/4 at 20 bpm, is 22.4 minutes): the deadline grows
with the MIDI's length, the audio stays 16-bit and is processed a chunk at a time (peak RSS ~320 MB for that
piece), and libsndfile is handed small blocks (one whole-piece write overflowed the stack: WRITE_BLOCK_FRAMES).

Default soundfont: FluidR3_GM (148 MB, far better instruments) over TimGM6mb (6 MB). Measured here on
an 8-bar, 4-part piece at 120 bpm: FluidR3_GM 0.42 s warm / 0.90 s cold page cache, 170 MB RSS;
TimGM6mb 0.32 s, 30 MB RSS. The quality gap is worth the ~0.1 s.
"""

from __future__ import annotations

import glob
import itertools
import math
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile
import symusic

SAMPLE_RATE = 44100
SOUNDFONT_PATHS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), Path("/usr/share/sounds/sf2/TimGM6mb.sf2"))
SOUNDFONT_GLOB = "/usr/share/soundfonts/*.sf2"
FORMATS = {"ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}

SYNTH_GAIN = 0.5
"""fluidsynth master gain: low enough that dense GM arrangements do not clip before normalising."""
TARGET_RMS_DBFS = -16.0
PEAK_CEILING_DBFS = -1.0
SILENCE_RMS_DBFS = -70.0
"""Below this the render is called silent (a soundfont that failed to load gives exact zeros)."""
TAIL_FLOOR_DBFS = -60.0
RELEASE_S = 0.6
MAX_TAIL_S = 10.0
"""fluidsynth's reverb tail is about 2-3 s; more than this past the last MIDI event means trouble."""


WRITE_BLOCK_FRAMES = 1 << 16
"""Frames handed to libsndfile per write call. libsndfile 1.2.2's Vorbis encoder takes about 4 bytes of stack
per frame of a call, so writing a whole piece at once overflowed the 8 MiB stack past ~47 s of audio (SIGSEGV).
Measured on 20 s of stereo: 64k frames runs in a 384 KiB thread stack (not 256 KiB); 256k frames needs over
1 MiB. On 240 s, blocks of 4k-256k frames all encode in 1.4 s; one whole-signal call took 14 s."""


class AudioError(RuntimeError):
    """The MIDI could not be turned into sound (no synthesiser, no soundfont, silence, timeout...)."""


def find_soundfont(explicit: Path | None = None) -> Path:
    """The soundfont to use: `explicit` (what the caller configured: `bot.settings` reads MOTIF_SOUNDFONT
    once, at the edge), else the GM fonts Debian installs."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise AudioError(f"soundfont {path} does not exist or is not a file")
        return path
    candidates = [*SOUNDFONT_PATHS, *(Path(p) for p in sorted(glob.glob(SOUNDFONT_GLOB)))]
    for path in candidates:
        if path.is_file():
            return path
    raise AudioError(
        "no soundfont found: set MOTIF_SOUNDFONT or install fluid-soundfont-gm (looked in "
        f"{', '.join(str(p) for p in SOUNDFONT_PATHS)} and {SOUNDFONT_GLOB})"
    )


def midi_duration_s(midi_bytes: bytes) -> float:
    """Length of the MIDI in seconds up to its last event (our `end` marker included)."""
    try:
        score = symusic.Score.from_midi(midi_bytes).to("second")
    except (RuntimeError, ValueError) as exc:
        raise AudioError(f"cannot read the MIDI to render: {exc}") from exc
    ends = [score.end()] + [m.time for m in score.markers]
    return float(max(ends))


def _fluidsynth_cmd(midi_path: Path, soundfont: Path, raw_path: Path) -> list[str]:
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise AudioError("fluidsynth is not installed (apt-get install fluidsynth)")
    # dynamic sample loading reads only the samples the piece plays from the 148 MB font: 0.1 s less per
    # render, output within 9/32768 of loading the whole font (measured on an 8-bar jazz quartet)
    return [exe, "-ni", "-q", "-g", str(SYNTH_GAIN), "-r", str(SAMPLE_RATE), "-o", "synth.dynamic-sample-loading=1",
            "-T", "raw", "-O", "s16", "-F", str(raw_path), str(soundfont), str(midi_path)]


SYNTH_BASE_S = 30.0
SYNTH_S_PER_AUDIO_S = 0.25
"""fluidsynth's deadline grows with the piece so the longest allowed piece (64 bars of 7/4 at 20 bpm: 1344 s)
renders and a hung synth is still stopped. Measured here with FluidR3_GM (one process, idle machine): 0.004 s
per second of audio for a sparse 1344 s trio, 0.010 for 128 s of pop, 0.016 for 256 s of an 8-part
orchestra, 0.02 for 38 s of rock at 400 bpm (most of it start-up). 0.25 leaves >10x for a busy machine."""


def synth_deadline_s(duration_s: float) -> float:
    """How long fluidsynth may take for `duration_s` seconds of MIDI before it is called hung."""
    return SYNTH_BASE_S + SYNTH_S_PER_AUDIO_S * max(0.0, duration_s)


POLL_S = 0.05
"""How often the deadline and the output cap are checked while fluidsynth runs."""


def _wait(proc: subprocess.Popen[bytes], raw_path: Path, timeout_s: float, max_bytes: int) -> None:
    """Wait for fluidsynth, enforcing the deadline and the output cap as it runs.

    Why a file and a sleeping wait rather than reading a pipe: reading 64 KiB chunks in Python needs the GIL
    for every chunk, and while the studio engraves the score on the main thread each of those waits its turn;
    that doubled the audio stage (0.43 s alone, 0.85 s beside the engraving). Waiting costs one GIL
    acquisition per poll.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            proc.wait(timeout=min(POLL_S, max(0.0, deadline - time.monotonic())))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise AudioError(f"fluidsynth took longer than {timeout_s:.0f} s and was stopped") from None
            if raw_path.is_file() and raw_path.stat().st_size > max_bytes:
                raise AudioError(f"fluidsynth produced more than {max_bytes} bytes of audio and was stopped") from None


def _synthesise(midi_path: Path, soundfont: Path, timeout_s: float, max_bytes: int) -> np.ndarray:
    """Run fluidsynth writing raw 16-bit stereo to a file beside the MIDI; return its int16 frames (n, 2).

    Kept as 16-bit (converted to float a chunk at a time later): 22 minutes of stereo is 237 MB as int16, and
    a float32 copy beside it (plus the gain's temporaries) took the render to 1.8 GB peak RSS.
    """
    raw_path = midi_path.with_suffix(".raw")
    with tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(_fluidsynth_cmd(midi_path, soundfont, raw_path), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err_file)
        try:
            _wait(proc, raw_path, timeout_s, max_bytes)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err_file.seek(0)
        err = err_file.read(1 << 16).decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise AudioError(f"fluidsynth failed with exit code {proc.returncode}: {err[-500:]}")
    if "not a SoundFont" in err or "Failed to load SoundFont" in err:
        raise AudioError(f"fluidsynth could not load the soundfont {soundfont}: {err[-300:]}")
    pcm = np.fromfile(raw_path, dtype="<i2") if raw_path.is_file() else np.zeros(0, dtype="<i2")
    frames = len(pcm) // 2
    if frames == 0:
        raise AudioError("fluidsynth wrote no audio")
    return pcm[: frames * 2].reshape(frames, 2)


CHUNK_FRAMES = 1 << 20
"""Frames per numpy pass over the audio (24 s): temporaries stay ~8 MB however long the piece, and a short piece
still takes one pass per step (every pass in the audio thread waits for the GIL while the main thread
engraves, so passes are kept few)."""


def _as_float(block: np.ndarray) -> np.ndarray:
    """`block` as float32 in [-1, 1): 16-bit PCM is scaled, float audio passes through."""
    if block.dtype.kind == "i":
        return np.multiply(block, np.float32(1 / 32768), dtype=np.float32)
    return np.asarray(block, dtype=np.float32)


def _db(value: float) -> float:
    return 20.0 * float(np.log10(max(value, 1e-12)))


def _levels(audio: np.ndarray) -> tuple[float, float]:
    """The RMS and the peak of all samples (int16 or float frames), one chunk at a time."""
    total, peak = 0.0, 0.0
    for start in range(0, len(audio), CHUNK_FRAMES):
        flat = _as_float(audio[start:start + CHUNK_FRAMES]).reshape(-1)
        total += float(np.dot(flat, flat))
        peak = max(peak, float(np.abs(flat).max(initial=0.0)))
    return math.sqrt(total / max(1, audio.size)), peak


def _last_loud_frames(audio: np.ndarray, gains: tuple[float, ...]) -> list[int]:
    """For each gain, one past the last frame above the tail floor once that gain is applied (0 when none is).

    Scans chunks back from the end, all gains in one pass: the quiet tail is seconds long, so this usually
    reads one chunk.
    """
    thresholds = [10 ** (TAIL_FLOOR_DBFS / 20) / gain for gain in gains]
    found: list[int | None] = [None] * len(gains)
    for start in range((max(0, len(audio) - 1) // CHUNK_FRAMES) * CHUNK_FRAMES, -1, -CHUNK_FRAMES):
        peaks = np.abs(_as_float(audio[start:start + CHUNK_FRAMES])).max(axis=1)
        for index, threshold in enumerate(thresholds):
            if found[index] is None:
                loud = np.flatnonzero(peaks > threshold)
                found[index] = start + int(loud[-1]) + 1 if len(loud) else None
        if all(frame is not None for frame in found):
            break
    return [frame or 0 for frame in found]


def audible_seconds(audio: np.ndarray) -> float:
    """Time of the last sample above the tail floor (fluidsynth may keep writing inaudible voice tails)."""
    return _last_loud_frames(audio, (1.0,))[0] / SAMPLE_RATE


def _check(audio: np.ndarray, expected_s: float, rms: float | None = None, audible_s: float | None = None) -> None:
    got_s = len(audio) / SAMPLE_RATE
    audible_s = audible_seconds(audio) if audible_s is None else audible_s
    if got_s < expected_s - 0.5 or audible_s > expected_s + MAX_TAIL_S:
        raise AudioError(f"rendered audio lasts {audible_s:.1f} s but the MIDI lasts {expected_s:.1f} s")
    rms_db = _db(_levels(audio)[0] if rms is None else rms)
    if rms_db < SILENCE_RMS_DBFS:
        raise AudioError(f"rendered audio is silent ({rms_db:.0f} dBFS): the soundfont may lack these instruments")


def _gain(rms: float, peak: float) -> float:
    """The gain that brings the RMS to the target, capped so peaks go at most 6 dB into the limiter."""
    ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
    return min(10 ** (TARGET_RMS_DBFS / 20) / max(rms, 1e-9), 2.0 * ceiling / max(peak, 1e-9))


def _amplify(audio: np.ndarray, gain: float) -> np.ndarray:
    """`audio` times `gain`, with a soft knee (tanh) that keeps every peak under the ceiling."""
    ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
    out = np.multiply(audio, np.float32(gain), dtype=np.float32)
    knee = ceiling / 2
    mag = np.abs(out)
    over = mag > knee
    out[over] = np.sign(out[over]) * (knee + (ceiling - knee) * np.tanh((mag[over] - knee) / (ceiling - knee)))
    return out


def normalise(audio: np.ndarray) -> np.ndarray:
    """Bring the RMS to about -16 dBFS, softly limiting peaks so none passes -1 dBFS.

    Gain is capped so peaks are pushed at most 6 dB into the limiter, which keeps transients natural.
    """
    return _amplify(_as_float(audio), _gain(*_levels(audio)))


def _tail_end(last_loud: int, length: int, keep_s: float) -> int:
    """Where the audio stops: a short release after the last audible frame, never before `keep_s`."""
    return min(length, max(int(keep_s * SAMPLE_RATE), last_loud - 1 + int(RELEASE_S * SAMPLE_RATE)))


FADE_S = 0.05


def _fade_tail(block: np.ndarray, start: int, end: int) -> np.ndarray:
    """Ramp (n, channels) `block`, whose first frame is frame `start` of audio ending at `end`, to silence over
    the last 50 ms (in place), so the audio stops without a click; chunks that end earlier pass untouched."""
    fade = min(end, int(FADE_S * SAMPLE_RATE))
    first = max(start, end - fade)
    if first < start + len(block):
        offsets = np.arange(first, start + len(block)) - (end - fade)
        block[first - start:] *= (1.0 - offsets / max(1, fade - 1)).astype(np.float32)[:, None]
    return block


def trim_tail(audio: np.ndarray, keep_s: float) -> np.ndarray:
    """Cut the silent tail after the last audible sample plus a short release, never before `keep_s`."""
    end = _tail_end(_last_loud_frames(audio, (1.0,))[0], len(audio), keep_s)
    return _fade_tail(_as_float(audio[:end]).copy(), 0, end)


def _finished(pcm: np.ndarray, gain: float, end: int) -> Iterator[np.ndarray]:
    """The first `end` frames of `pcm` amplified by `gain`, soft-limited and faded out, a chunk at a time."""
    for start in range(0, end, CHUNK_FRAMES):
        yield _fade_tail(_amplify(_as_float(pcm[start:min(end, start + CHUNK_FRAMES)]), gain), start, end)


def encode_audio(target: Path | BinaryIO, audio: np.ndarray | Iterable[np.ndarray], samplerate: int,
                 container: str, subtype: str, compression_level: float | None = None) -> None:
    """Encode `audio` (an array of (n,) mono or (n, channels) frames, or an iterable of such chunks) to a path
    or a writable file object, handing libsndfile at most WRITE_BLOCK_FRAMES frames per call.

    Why: see WRITE_BLOCK_FRAMES; every encode in Motif goes through here so no caller hands libsndfile a
    whole long piece in one call again. Chunks let the render path amplify as it writes (no full-length copy).
    """
    chunks = iter([audio] if isinstance(audio, np.ndarray) else audio)
    first = next(chunks, None)
    if first is None:
        raise AudioError("no audio to encode")
    channels = 1 if first.ndim == 1 else int(first.shape[1])
    extra = {} if compression_level is None else {"compression_level": compression_level}
    with soundfile.SoundFile(target, "w", samplerate, channels, subtype, format=container, **extra) as out:
        for chunk in itertools.chain([first], chunks):
            for start in range(0, len(chunk), WRITE_BLOCK_FRAMES):
                out.write(np.ascontiguousarray(chunk[start:start + WRITE_BLOCK_FRAMES]))


def render_audio(midi_bytes: bytes, out_path: Path, fmt: str = "ogg", soundfont: Path | None = None,
                 timeout_s: float | None = None) -> Path:
    """Synthesise `midi_bytes` to stereo 44.1 kHz audio at `out_path` in `fmt` ("ogg" or "mp3").

    Raises `AudioError` with a reason a user can act on instead of ever writing a silent file.
    `timeout_s` (default: `synth_deadline_s` of the MIDI's length) bounds fluidsynth's run.
    """
    if fmt not in FORMATS:
        raise AudioError(f"unknown audio format {fmt!r}; expected one of {sorted(FORMATS)}")
    font = find_soundfont(soundfont)
    expected_s = midi_duration_s(midi_bytes)
    max_bytes = int((2 * expected_s + MAX_TAIL_S + 30) * SAMPLE_RATE * 4)
    with tempfile.TemporaryDirectory(prefix="motif-audio-") as tmp:
        midi_path = Path(tmp) / "in.mid"
        midi_path.write_bytes(midi_bytes)
        deadline_s = synth_deadline_s(expected_s) if timeout_s is None else timeout_s
        pcm = _synthesise(midi_path, font, deadline_s, max_bytes)
    rms, peak = _levels(pcm)
    gain = _gain(rms, peak)
    audible_frames, loud_frames = _last_loud_frames(pcm, (1.0, gain))
    _check(pcm, expected_s, rms, audible_frames / SAMPLE_RATE)
    end = _tail_end(loud_frames, len(pcm), expected_s)
    out_path = Path(out_path)
    try:
        encode_audio(out_path, _finished(pcm, gain, end), SAMPLE_RATE, *FORMATS[fmt])
    except BaseException:
        out_path.unlink(missing_ok=True)  # never leave a half-written file beside the good artifacts
        raise
    return out_path
