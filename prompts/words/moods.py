"""The moods Motif knows, as data: synonyms, a description for the text encoder, and musical tendencies.

A mood only fills in what the user left open: a stated key, mode or tempo always wins, and genre defaults
sit below moods. `mode` is the mood's preferred mode; when the genre's default mode is already in the
same family (major or minor third) the genre's own colour is kept ("sad flamenco" stays phrygian).
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.music import MINOR_THIRD_MODES


@dataclass(frozen=True)
class MoodInfo:
    """One mood and what it implies when the prompt does not say otherwise."""

    id: str
    synonyms: tuple[str, ...]
    description: str
    mode: str | None
    """Preferred mode, or None when the mood has no harmonic colour of its own ("energetic")."""
    tempo: int
    """Tempo tendency: -1 slower, 0 neutral, +1 faster (within the genre's range)."""
    register: int
    """Melody octave shift: -1 low, 0, +1 high."""
    density: float
    """Notes per beat tendency, 0 sparse .. 1 busy."""
    tonic: str
    """A fitting tonic when neither the user nor a genre suggests one."""

    @property
    def family(self) -> str | None:
        """"major" or "minor" (by the third of `mode`), or None."""
        if self.mode is None:
            return None
        return "minor" if self.mode in MINOR_THIRD_MODES else "major"


def _mood(mid: str, synonyms: str, description: str, mode: str | None, tempo: int, register: int,
          density: float, tonic: str) -> MoodInfo:
    return MoodInfo(mid, tuple(s.strip() for s in synonyms.split(";") if s.strip()), description, mode, tempo,
                    register, density, tonic)


_MOODS: tuple[MoodInfo, ...] = (
    _mood("happy", "happy; happiness; glad; sunny; fun; cheery; good vibes", "Happy: bright, sunny and cheerful, a smile in every phrase.", "major", 1, 0, 0.6, "G"),
    _mood("sad", "sad; sadness; sorrowful; mournful; tragic; depressing; heartbroken; heartbreak; tearful; crying; grief", "Sad: sorrowful and heartbroken, slow tears and a heavy heart.", "minor", -1, 0, 0.35, "D"),
    _mood("moody", "moody; brooding; broody; smoky; late night; late-night", "Moody: brooding and smoky, late at night, shadows and mixed feelings.", "minor", -1, 0, 0.45, "D"),
    _mood("dark", "dark; darkness; sinister; grim; evil; menacing; gloomy; black", "Dark: sinister and menacing, heavy shadows and a sense of dread.", "minor", 0, -1, 0.5, "C"),
    _mood("calm", "calm; calming; tranquil; soothing; quiet; soft; gentle; relaxing", "Calm: quiet, still and soothing, slow breathing and no hurry.", "major", -1, 0, 0.3, "F"),
    _mood("tense", "tense; tension; suspense; suspenseful; nervous; uneasy; thriller; edgy; anxious", "Tense: suspenseful and nervous, a thriller chase with danger close.", "minor", 1, 0, 0.65, "E"),
    _mood("epic", "epic; grand; grandiose; monumental; huge; massive; battle", "Epic: grand and monumental, a heroic battle on a huge scale.", "minor", 0, 0, 0.8, "D"),
    _mood("triumphant", "triumphant; triumph; victorious; victory; heroic; fanfare; glorious; majestic", "Triumphant: victorious and heroic, a glorious fanfare after winning.", "major", 0, 1, 0.75, "Bb"),
    _mood("romantic", "romantic; romance; love; loving; tender; love song; passionate; sensual; sultry", "Romantic: tender love and passion, a candlelit evening for two.", "major", -1, 0, 0.45, "Eb"),
    _mood("mysterious", "mysterious; mystery; enigmatic; cryptic; mystical; magical; secret", "Mysterious: enigmatic and mystical, secrets and fog and unanswered questions.", "dorian", -1, 0, 0.4, "E"),
    _mood("playful", "playful; silly; quirky; bouncy; cheeky; mischievous; whimsical; cartoon; goofy", "Playful: silly and bouncy, a mischievous cartoon romp.", "major", 1, 1, 0.6, "F"),
    _mood("dreamy", "dreamy; dream; dreamlike; ethereal; floaty; floating; hazy; airy; celestial", "Dreamy: ethereal and floating, hazy clouds and soft starlight.", "lydian", -1, 1, 0.35, "F"),
    _mood("melancholic", "melancholic; melancholy; wistful; bittersweet; lonely; longing; yearning", "Melancholic: wistful and bittersweet, a lonely longing for what is gone.", "minor", -1, 0, 0.4, "E"),
    _mood("hopeful", "hopeful; hope; optimistic; inspiring; inspirational; uplifting; bright future", "Hopeful: optimistic and uplifting, sunrise after a hard night.", "major", 0, 1, 0.5, "D"),
    _mood("energetic", "energetic; energy; lively; high energy; high-energy; hype; pumping; exciting; vigorous; intense", "Energetic: lively, pumping and exciting, full of drive.", None, 1, 0, 0.8, "E"),
    _mood("peaceful", "peaceful; peace; serene; pastoral; idyllic; meadow; zen", "Peaceful: serene and pastoral, a quiet meadow at dawn.", "major", -1, 1, 0.25, "D"),
    _mood("angry", "angry; anger; furious; rage; mad; aggressive; violent; brutal", "Angry: furious and aggressive, pounding rage.", "phrygian", 1, -1, 0.85, "E"),
    _mood("nostalgic", "nostalgic; nostalgia; reminiscent; memories; old times; sentimental", "Nostalgic: warm memories of old times, sentimental and a little sad.", "major", -1, 0, 0.45, "A"),
    _mood("spooky", "spooky; creepy; scary; halloween; horror; haunted; haunting; eerie; ghostly; ghost; ominous", "Spooky: creepy Halloween horror, ghosts in a haunted house.", "phrygian", -1, -1, 0.35, "C"),
    _mood("chill", "chill; chilled; chillout; chill out; chilled out; mellow; easygoing; easy going; cozy; cosy", "Chill: mellow, relaxed and cozy, easy going with nowhere to be.", None, -1, 0, 0.4, "F"),
    _mood("groovy", "groovy; groove; grooving; danceable; bouncy groove", "Groovy: a danceable groove that makes heads nod.", "dorian", 0, 0, 0.7, "A"),
    _mood("dramatic", "dramatic; drama; stormy; turbulent; emotional", "Dramatic: stormy and turbulent, emotional highs and lows.", "minor", 0, 0, 0.7, "C"),
    _mood("warm", "warm; warmth; heartwarming; heartfelt; comforting; sweet", "Warm: heartwarming and comforting, sweet like a hug.", "major", -1, 0, 0.45, "Bb"),
    _mood("festive", "festive; celebration; celebratory; party; christmas; holiday; jolly", "Festive: a jolly party celebration, holiday lights and cheer.", "major", 1, 1, 0.7, "C"),
    _mood("somber", "somber; sombre; solemn; funeral; elegy; elegiac; grave mood", "Somber: solemn and grave, a funeral elegy.", "minor", -1, -1, 0.3, "C"),
)

MOODS: dict[str, MoodInfo] = {mood.id: mood for mood in _MOODS}
MOOD_IDS: tuple[str, ...] = tuple(MOODS)


def mood_info(mood_id: str) -> MoodInfo:
    """The mood's data; a clear error for an unknown id."""
    try:
        return MOODS[mood_id]
    except KeyError:
        raise ValueError(f"unknown mood {mood_id!r}; expected one of {', '.join(MOOD_IDS)}") from None
