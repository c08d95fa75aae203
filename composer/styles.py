"""Genre styles: how each genre harmonises, accompanies, grooves and breathes.

One frozen `Style` per genre id the prompt parser produces, so the harmony planner, the arranger and
the drum writer read their choices from data rather than from genre names scattered through the code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from prompts.music import SAMBA_WORDS

HARMONY_KINDS: tuple[str, ...] = (
    "jazz_ii_v_i", "blues_12", "pop_loop", "functional", "chorale_functional", "modal_vamp",
    "modal_drone", "folk_simple", "andalusian", "minimal_pad", "ragtime_circle", "gospel", "klezmer", "latin",
    "tango", "rock", "reggae", "funk", "cinematic",
)
VOCABULARIES: tuple[str, ...] = ("triads", "sevenths", "extended", "power")
CADENCES: tuple[str, ...] = ("authentic", "plagal", "none")


class StyleError(ValueError):
    """Raised for an unknown genre id."""


@dataclass(frozen=True)
class Style:
    """Everything genre-specific the composer needs, as data.

    `chords_per_bar` is the harmonic rhythm (2.0: two chords a bar, 0.5: one chord every two bars).
    `cadence` says what precedes the final tonic. `velocity` is the mean MIDI velocity and `dynamics`
    the depth of the phrase swell. `flavour` adds a colour: "freygish" (klezmer), "drone" (medieval).
    `push` is the share of the melody's downbeat notes anticipated by an eighth (composer.arrange.phrasing).
    `riff_bars` > 0 builds each phrase but its closing bar on one cell of that many bars of the melody, restated
    over the chords (composer.melody.riff: rock, metal, funk, hip hop and the dance loops); 0 lets the line
    stream on (pop: a pop tune sings rather than riffs, and a ballad built on a riff left its sung register;
    trap: its pad, voiced under the tune, thinned under a low riff to chords in under half the bars).
    """

    genre: str
    harmony: str
    vocabulary: str = "triads"
    chords_per_bar: float = 1.0
    cadence: str = "authentic"
    bass: str = "root_fifth"
    comping: str = "block"
    groove: str = "rock"
    swing: bool = False
    allow_chromatic: bool = False
    velocity: int = 80
    dynamics: int = 10
    flavour: str = ""
    push: float = 0.0
    riff_bars: int = 0

    def __post_init__(self) -> None:
        if self.harmony not in HARMONY_KINDS:
            raise StyleError(f"unknown harmony kind {self.harmony!r}")
        if self.vocabulary not in VOCABULARIES:
            raise StyleError(f"unknown chord vocabulary {self.vocabulary!r}")
        if self.cadence not in CADENCES:
            raise StyleError(f"unknown cadence {self.cadence!r}")
        if not 0.0 <= self.push <= 1.0:
            raise StyleError(f"push must be a share between 0 and 1, got {self.push}")
        if self.riff_bars < 0:
            raise StyleError(f"riff_bars must be 0 (no riff) or a cell length in bars, got {self.riff_bars}")
        if self.chords_per_bar not in (0.5, 1.0, 2.0):
            raise StyleError(f"chords_per_bar must be 0.5, 1 or 2, got {self.chords_per_bar}")


DEFAULT_STYLE = Style("default", "pop_loop", bass="root_fifth", comping="block", groove="pop")

_JAZZ = Style("jazz", "jazz_ii_v_i", "extended", bass="walking", comping="swing_comp", groove="swing",
              swing=True, allow_chromatic=True, velocity=74, push=0.35)
_FOLK = Style("folk", "folk_simple", bass="root_fifth", comping="strum", groove="folk", velocity=80)
_CLASSICAL = Style("classical", "functional", bass="root_fifth", comping="alberti", groove="march",
                   velocity=74, dynamics=14)

STYLES: dict[str, Style] = {
    "jazz": _JAZZ,
    "swing": replace(_JAZZ, genre="swing", vocabulary="sevenths", velocity=84),
    "jazz_waltz": replace(_JAZZ, genre="jazz_waltz", vocabulary="sevenths", groove="jazz_waltz"),
    "blues": Style("blues", "blues_12", "sevenths", bass="walking", comping="swing_comp", groove="shuffle",
                   swing=True, allow_chromatic=True, velocity=82, push=0.3),
    "bossa_nova": Style("bossa_nova", "jazz_ii_v_i", "extended", bass="bossa", comping="bossa",
                        groove="bossa", allow_chromatic=True, velocity=66, push=0.4),
    "latin": Style("latin", "latin", "sevenths", 2.0, bass="tumbao", comping="montuno", groove="latin",
                   velocity=84, push=0.35),
    "tango": Style("tango", "tango", "sevenths", bass="tango", comping="tango", groove="tango",
                   velocity=86, dynamics=16),
    "pop": Style("pop", "pop_loop", bass="root_eighths", comping="block", groove="pop", velocity=82, push=0.3),
    "rock": Style("rock", "rock", bass="root_eighths", comping="strum", groove="rock",
                  allow_chromatic=True, velocity=90, push=0.25, riff_bars=1),
    "metal": Style("metal", "pop_loop", "power", bass="root_eighths", comping="chug", groove="metal",
                   velocity=100, dynamics=6, riff_bars=1),
    "funk": Style("funk", "funk", "extended", cadence="none", bass="funk", comping="stab",
                  groove="funk", allow_chromatic=True, velocity=88, push=0.4, riff_bars=1),
    "neo_soul": Style("neo_soul", "jazz_ii_v_i", "extended", bass="root_sustain", comping="pad_sustain",
                      groove="hip_hop", allow_chromatic=True, velocity=70, push=0.35),
    "lofi": Style("lofi", "pop_loop", "extended", bass="root_sustain", comping="block", groove="hip_hop",
                  swing=True, velocity=64, dynamics=6, push=0.35, riff_bars=1),
    "hip_hop": Style("hip_hop", "pop_loop", "sevenths", 0.5, bass="root_sustain", comping="block",
                     groove="hip_hop", swing=True, velocity=80, push=0.3, riff_bars=1),
    "trap": Style("trap", "pop_loop", "triads", 0.5, cadence="none", bass="808_sustain",
                  comping="pad_sustain", groove="trap", velocity=84, dynamics=4, push=0.25),
    "techno": Style("techno", "modal_vamp", "sevenths", 0.5, cadence="none", bass="root_offbeat",
                    comping="stab", groove="four_on_floor", velocity=90, dynamics=4, riff_bars=1),
    "house": Style("house", "pop_loop", "sevenths", bass="root_offbeat", comping="offbeat_skank",
                   groove="four_on_floor", velocity=88, dynamics=6, push=0.3, riff_bars=1),
    "edm": Style("edm", "pop_loop", bass="root_eighths", comping="pulse", groove="four_on_floor",
                 velocity=92, dynamics=8, push=0.3, riff_bars=1),
    "synthwave": Style("synthwave", "pop_loop", bass="root_octave", comping="pad_sustain",
                       groove="synthwave", velocity=84, push=0.3, riff_bars=1),
    "chiptune": Style("chiptune", "pop_loop", bass="root_octave", comping="arpeggio", groove="chiptune",
                      velocity=90, dynamics=4, riff_bars=1),
    "ambient": Style("ambient", "minimal_pad", "extended", 0.5, cadence="none", bass="pedal",
                     comping="pad_sustain", groove="ambient", velocity=58, dynamics=14),
    "cinematic": Style("cinematic", "cinematic", "triads", 0.5, bass="root_sustain", comping="arpeggio",
                       groove="cinematic", velocity=78, dynamics=22),
    "classical": _CLASSICAL,
    "baroque": replace(_CLASSICAL, genre="baroque", chords_per_bar=2.0, bass="walking", comping="block",
                       velocity=76, dynamics=8),
    "chorale": Style("chorale", "chorale_functional", "sevenths", 2.0, bass="chorale",
                     comping="chorale_voices", groove="march", velocity=72, dynamics=12),
    "romantic": replace(_CLASSICAL, genre="romantic", vocabulary="sevenths", bass="root_sustain",
                        comping="arpeggio", allow_chromatic=True, velocity=70, dynamics=22),
    "folk": _FOLK,
    "celtic": replace(_FOLK, genre="celtic"),
    "reel": replace(_FOLK, genre="reel", comping="boom_chic", velocity=86),
    "jig": replace(_FOLK, genre="jig", comping="boom_chic", velocity=86),
    "hornpipe": replace(_FOLK, genre="hornpipe", comping="boom_chic", swing=True),
    "sea_shanty": replace(_FOLK, genre="sea_shanty", groove="shanty", velocity=90),
    "polka": replace(_FOLK, genre="polka", bass="boom_chic", comping="oom_pah", groove="polka", velocity=88),
    "waltz": Style("waltz", "functional", bass="boom_chic", comping="waltz_oom_pah_pah", groove="waltz",
                   velocity=76, dynamics=14),
    "march": Style("march", "functional", bass="boom_chic", comping="oom_pah", groove="march", velocity=92),
    "klezmer": Style("klezmer", "klezmer", "sevenths", bass="boom_chic", comping="oom_pah", groove="bulgar",
                     allow_chromatic=True, velocity=86, flavour="freygish"),
    "reggae": Style("reggae", "reggae", bass="reggae", comping="offbeat_skank", groove="one_drop",
                    velocity=80, push=0.3),
    "ragtime": Style("ragtime", "ragtime_circle", "sevenths", bass="root_fifth", comping="stride",
                     groove="march", allow_chromatic=True, velocity=84, push=0.35),
    "gospel": Style("gospel", "gospel", "sevenths", cadence="plagal", bass="root_fifth", comping="block",
                    groove="shuffle", swing=True, allow_chromatic=True, velocity=86, dynamics=16, push=0.25),
    "medieval": Style("medieval", "modal_drone", "triads", cadence="none", bass="pedal",
                      comping="pad_sustain", groove="medieval", velocity=72, flavour="drone"),
    "lullaby": replace(_FOLK, genre="lullaby", bass="root_sustain", comping="arpeggio", groove="ambient",
                       velocity=56, dynamics=8),
    "flamenco": Style("flamenco", "andalusian", bass="root_fifth", comping="strum", groove="flamenco",
                      velocity=88, dynamics=14),
}


def style_for(genre_id: str | None) -> Style:
    """The `Style` for a parser genre id (None gives the default), so callers never branch on genre."""
    if genre_id is None:
        return DEFAULT_STYLE
    try:
        return STYLES[genre_id]
    except KeyError:
        raise StyleError(f"unknown genre {genre_id!r}; expected one of {sorted(STYLES)}") from None


@dataclass(frozen=True)
class GrooveFit:
    """MMA groove families (library/file in composer/data/grooves.json.gz) that play a style.

    A style's rows are tried in order: `words` (any of them in the prompt) pick a sub-style (samba within
    latin, bebop within jazz), `tempo_bpm` the families that suit the tempo; the meter is matched against each
    groove's own. `walk` prefers grooves whose bass walks (and plays that line). A style with no row
    keeps Motif's own patterns.
    """

    families: tuple[str, ...]
    words: tuple[str, ...] = ()
    tempo_bpm: tuple[int, int] = (0, 999)
    walk: bool = False


def _fits(*rows: GrooveFit) -> tuple[GrooveFit, ...]:
    return rows


_POP = _fits(GrooveFit(("stdlib/popballad", "stdlib/pianoballad"), words=("ballad",)),
             GrooveFit(("stdlib/softrock",), words=("soft rock", "softrock")),
             GrooveFit(("stdlib/8beat", "pflib/8beat1", "pflib/8beat2", "pflib/16beat1")),
             GrooveFit(("stdlib/rockwaltz", "stdlib/waltz")))
_JAZZ_WALTZ = GrooveFit(("stdlib/jazzwaltz", "stdlib/modernjazzwaltz", "stdlib/fastjazzwaltz"))
_FOLK_GROOVES = _fits(GrooveFit(("stdlib/bluegrass",), words=("bluegrass",)),
                      GrooveFit(("stdlib/countryswing", "stdlib/hillcountry"), words=("country",), tempo_bpm=(100, 999)),
                      GrooveFit(("stdlib/slowcountry",), words=("country",)),
                      GrooveFit(("stdlib/folkrock",), words=("americana", "folk rock")),
                      GrooveFit(("stdlib/folkballad",), tempo_bpm=(0, 84)),
                      GrooveFit(("stdlib/folk", "stdlib/bluegrass", "stdlib/68march", "stdlib/arpeggio68",
                                 "stdlib/countrywaltz", "stdlib/waltz")))

GROOVE_FITS: dict[str, tuple[GrooveFit, ...]] = {
    "default": _POP,
    "pop": _POP,
    "jazz": _fits(GrooveFit(("stdlib/gypsyjazz",), words=("gypsy", "manouche", "django")),
                  GrooveFit(("stdlib/bebop", "stdlib/jazzcombo", "stdlib/swing", "stdlib/jazzguitar"),
                            words=("bebop", " bop", "hard bop"), walk=True),
                  GrooveFit(("stdlib/slowjazz", "stdlib/nitejazz", "stdlib/mellowjazz"), words=("ballad",)),
                  GrooveFit(("stdlib/bebop", "stdlib/fastswing"), tempo_bpm=(172, 999), walk=True),
                  GrooveFit(("stdlib/slowjazz", "stdlib/nitejazz"), tempo_bpm=(0, 90)),
                  GrooveFit(("stdlib/swing", "stdlib/jazzguitar", "stdlib/jazzcombo"), walk=True),
                  _JAZZ_WALTZ),
    "swing": _fits(GrooveFit(("stdlib/fastswing",), tempo_bpm=(180, 999), walk=True),
                   GrooveFit(("stdlib/bigband", "stdlib/swing", "stdlib/easyswing"), walk=True), _JAZZ_WALTZ),
    "jazz_waltz": _fits(_JAZZ_WALTZ),
    "blues": _fits(GrooveFit(("stdlib/boggiewoggie", "stdlib/shuffleboggie"), words=("boogie",)),
                   GrooveFit(("stdlib/slowblues",), tempo_bpm=(0, 76)),
                   GrooveFit(("stdlib/fastblues",), tempo_bpm=(150, 999)),
                   GrooveFit(("kara/happyshuffle",), words=("happy",)),
                   GrooveFit(("stdlib/blues", "stdlib/shuffleboggie", "stdlib/blues68"))),
    "bossa_nova": _fits(GrooveFit(("stdlib/bossanova", "kara/kbossa"))),
    "latin": _fits(GrooveFit(("stdlib/samba",), words=SAMBA_WORDS), GrooveFit(("stdlib/salsa",), words=("salsa",)),
                   GrooveFit(("stdlib/mambo",), words=("mambo",)),
                   GrooveFit(("stdlib/chacha",), words=("cha cha", "cha-cha", "chacha")),
                   GrooveFit(("stdlib/rhumba", "stdlib/jazzrhumba"), words=("rumba", "rhumba")),
                   GrooveFit(("stdlib/merengue",), words=("merengue",)),
                   GrooveFit(("stdlib/afro-cuban",), words=("afro-cuban", "afro cuban")),
                   GrooveFit(("stdlib/son", "stdlib/cubanguitar"), words=("son cubano",)),
                   GrooveFit(("stdlib/bolero", "stdlib/slowbolero"), words=("bachata", "bolero")),
                   GrooveFit(("stdlib/calypso",), words=("calypso", "cumbia")),
                   GrooveFit(("stdlib/salsa", "stdlib/mambo")), GrooveFit(("stdlib/latinwaltz",))),
    "tango": _fits(GrooveFit(("stdlib/tango", "stdlib/lighttango"))),
    "rock": _fits(GrooveFit(("stdlib/50srock", "kara/K50s_rock", "stdlib/twist"),
                            words=("rock and roll", "rock n roll", "rock'n'roll", "50s")),
                  GrooveFit(("stdlib/rockballad", "pflib/slowrock"), words=("ballad",)),
                  GrooveFit(("pflib/rock1", "pflib/highfive", "pflib/metal1"), words=("hard rock", "punk", "grunge")),
                  GrooveFit(("stdlib/softrock",), words=("soft rock", "softrock")),
                  GrooveFit(("stdlib/60srock",), words=("60s", "sixties")),
                  GrooveFit(("stdlib/basicrock", "pflib/rock1", "pflib/highfive")),
                  GrooveFit(("stdlib/rockwaltz",))),
    "metal": _fits(GrooveFit(("pflib/metal1", "pflib/metal2"))),
    "funk": _fits(GrooveFit(("stdlib/boneym",), words=("disco",)),
                  GrooveFit(("stdlib/bvfunk",), words=("horns", "half-time", "half time")),
                  GrooveFit(("kara/Kfunk1",))),
    "neo_soul": _fits(GrooveFit(("kara/8beatmotown",), words=("motown",)),
                      GrooveFit(("stdlib/rb-ballad",), tempo_bpm=(0, 80)),
                      GrooveFit(("stdlib/rb", "stdlib/dsoul"))),
    "lofi": _fits(GrooveFit(("alexis/hiphop",))),
    "hip_hop": _fits(GrooveFit(("alexis/hiphop",))),
    "techno": _fits(GrooveFit(("alexis/teamtechno", "stdlib/trance"))),
    "house": _fits(GrooveFit(("stdlib/trance", "alexis/teamtechno"))),
    "edm": _fits(GrooveFit(("stdlib/trance", "alexis/teamtechno"))),
    "synthwave": _fits(GrooveFit(("pflib/16beat1", "pflib/8beat2", "stdlib/8beat"))),
    "chiptune": _fits(GrooveFit(("pflib/8beat1", "stdlib/8beat"))),
    "folk": _FOLK_GROOVES,
    "celtic": _FOLK_GROOVES,
    "reel": _fits(GrooveFit(("stdlib/bluegrass", "stdlib/folk"))),
    "jig": _fits(GrooveFit(("stdlib/68march", "stdlib/arpeggio68", "stdlib/folk"))),
    "hornpipe": _fits(GrooveFit(("stdlib/folk", "stdlib/bluegrass"))),
    "sea_shanty": _fits(GrooveFit(("stdlib/68march", "stdlib/folk", "stdlib/waltz"))),
    "polka": _fits(GrooveFit(("stdlib/polka", "kara/2beatp"))),
    "waltz": _fits(GrooveFit(("stdlib/vienesewaltz", "stdlib/fastwaltz"), tempo_bpm=(150, 999)),
                   GrooveFit(("stdlib/waltz", "stdlib/frenchwaltz", "stdlib/countrywaltz", "stdlib/broadwaywaltz"))),
    "march": _fits(GrooveFit(("stdlib/march", "stdlib/bwmarch", "stdlib/dixiemarch", "stdlib/68march"))),
    "reggae": _fits(GrooveFit(("stdlib/ska",), words=("ska", "rocksteady"))),
    "ragtime": _fits(GrooveFit(("stdlib/ragtime", "stdlib/softshoe", "stdlib/charleston"))),
    "gospel": _fits(GrooveFit(("stdlib/slowspiritual",), tempo_bpm=(0, 80)),
                    GrooveFit(("stdlib/popspiritual",), words=("pop",)),
                    GrooveFit(("stdlib/spiritual",))),
    "lullaby": _fits(GrooveFit(("stdlib/lullaby",))),
}
"""Motif genre id -> the groove families that play it. trap, ambient, cinematic, the classical styles,
klezmer, medieval, flamenco and (non-ska) reggae have none in MMA's libraries: Motif's own patterns play.
stdlib/lullaby has no drums and is in 4/4, so a lullaby with drums or in 3/4 keeps Motif's patterns; stdlib/hymn
(organ chords and bass, no drums) stays off chorale, whose own four-voice writing is the chorale."""
