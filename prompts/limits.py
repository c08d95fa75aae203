"""The limits of a request, in one place: tempo, length, parts, prompt length and attachment size.

The prompt reader, the remix language, the composer, the store and the Discord front end all check these;
each takes the number from here, so raising a limit is one edit and no two checks can disagree. A server's
/style settings may lower a limit (fewer bars, a narrower tempo range) but never raise it past these.
Imports nothing, so every package may use it.
"""

from __future__ import annotations

MIN_TEMPO_BPM = 20
"""Slowest tempo a piece may have. Slower than this a beat stops being felt as a pulse; it also bounds the
longest piece (MAX_BARS of 7/4 at 20 bpm is 22.4 minutes), which the render deadlines are sized for."""

MAX_TEMPO_BPM = 400
"""Fastest tempo a piece may have: sixteenths at 400 bpm are about 27 notes a second, past what any player
(or listener) follows. With it, an upload's length in seconds bounds its length in quarter notes."""

MAX_BARS = 64
"""Longest piece Motif writes in one request (a server's /style may allow fewer). 64 bars is a full song
form; the learned model's BARS_ attribute and the upload reader are sized for it too."""

MAX_CHORDS = 2 * MAX_BARS
"""Most chords a user's progression may list: two a bar (the fastest harmonic rhythm) over the longest piece."""

MAX_PARTS = 15
"""Pitched instruments one piece can have: a General MIDI file's 16 channels, less the drums' channel 10."""

MAX_PROMPT_CHARS = 1000
"""Longest prompt or remix instruction Motif reads, in characters. A request is a sentence or two; this
keeps the readers' work (and a Spec's stored prompt) small while leaving room for a detailed ask."""

ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024
"""Largest file Motif posts when Discord does not say: Discord's upload limit for a server without boosts."""
