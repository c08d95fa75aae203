"""The genres Motif knows, as data: synonyms, a one-sentence description, and musical defaults.

The ids are a contract: the composer keys its styles (harmony plans, grooves) by them. The description is
what the text encoder compares free words against ("noir" -> jazz), so it names the genre's sound.
Defaults (tempo range, meter, mode, instruments, drums, usual keys) sit below anything the user states
and below mood tendencies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GenreInfo:
    """One genre: how people name it, what it sounds like, and what to assume when the prompt is silent."""

    id: str
    synonyms: tuple[str, ...]
    description: str
    tempo_bpm: tuple[int, int]
    meter: str
    mode: str
    instruments: tuple[tuple[int, str], ...]
    """(General MIDI program, role) in arrangement order."""
    drums: bool
    major_tonics: tuple[str, ...]
    """Usual tonics for major-family modes, most idiomatic first."""
    minor_tonics: tuple[str, ...]


def _genre(gid: str, synonyms: str, description: str, tempo: tuple[int, int], meter: str, mode: str,
           instruments: str, drums: bool, major: str, minor: str) -> GenreInfo:
    """Compact constructor: synonyms are ';'-separated, instruments 'program:role' space-separated."""
    parts = [item.split(":") for item in instruments.split()]
    return GenreInfo(
        id=gid,
        synonyms=tuple(s.strip() for s in synonyms.split(";") if s.strip()),
        description=description,
        tempo_bpm=tempo,
        meter=meter,
        mode=mode,
        instruments=tuple((int(program), role) for program, role in parts),
        drums=drums,
        major_tonics=tuple(major.split()),
        minor_tonics=tuple(minor.split()),
    )


SAMBA_PHRASES: tuple[str, ...] = (
    "samba", "samba enredo", "samba de enredo", "escola de samba", "samba school", "batucada", "carnival",
    "carnaval", "rio carnival", "carnival in rio", "carnaval in rio", "brazilian carnival",
)
"""The phrases that name samba as a genre (latin): each holds one of `prompts.music.SAMBA_WORDS`. "Carnival in Rio" is samba,
not the bossa nova of Rio's beaches that its words are nearest by text similarity."""

_GENRES: tuple[GenreInfo, ...] = (
    _genre("jazz", "jazz; jazzy; bebop; bop; cool jazz; smooth jazz; hard bop; modal jazz; jazz standard; jazz club",
           "Jazz: swung eighth notes, seventh and extended chords, ii-V-I progressions, walking bass and a saxophone in a smoky late-night club.",
           (90, 160), "4/4", "major", "66:melody 0:chords 32:bass", True, "F Bb Eb C Ab", "D C G F"),
    _genre("swing", "swing; big band; swing band; lindy hop; jump blues; swing era",
           "Swing: a big band with brass section riffs, a driving four-to-the-bar groove and a danceable 1930s ballroom feel.",
           (140, 200), "4/4", "major", "56:melody 61:chords 0:chords 32:bass", True, "Bb F Eb C", "G C D"),
    _genre("jazz_waltz", "jazz waltz; waltz jazz",
           "Jazz waltz: jazz harmony and swing phrasing in three-four time, lilting piano and brushes.",
           (100, 160), "3/4", "major", "0:melody 32:bass", True, "F Bb C Eb", "D G C"),
    _genre("blues", "blues; bluesy; delta blues; chicago blues; blues shuffle; shuffle; boogie woogie; boogie",
           "Blues: a twelve-bar form with dominant seventh chords, blue notes, call-and-response guitar licks and a shuffle.",
           (70, 120), "4/4", "mixolydian", "26:melody 0:chords 33:bass", True, "E A G C Bb", "A E G C"),
    _genre("bossa_nova", "bossa nova; bossa; bossanova; brazilian jazz; girl from ipanema",
           "Bossa nova: Brazilian syncopated nylon guitar, soft jazz chords, gentle samba rhythm and a breezy beach melody.",
           (120, 145), "4/4", "major", "73:melody 24:chords 32:bass", True, "F C D G", "D A E"),
    _genre("latin", "latin; salsa; mambo; cha cha; cha-cha; rumba; cumbia; afro-cuban; son cubano; merengue; bachata; "
           + "; ".join(SAMBA_PHRASES),
           "Latin: salsa and Afro-Cuban rhythms with clave, piano montunos, horns, congas and a hot dance-floor energy.",
           (120, 180), "4/4", "major", "56:melody 0:chords 32:bass", True, "C F G Bb", "A D G"),
    _genre("tango", "tango; argentine tango; milonga; nuevo tango; piazzolla",
           "Tango: Argentine dance with a bandoneon, dramatic staccato strings, sharp accents and passionate minor melodies.",
           (112, 128), "4/4", "minor", "23:melody 40:counter 0:chords 43:bass", False, "C G D", "D A E G"),
    _genre("pop", "pop; pop song; radio hit; top 40; k-pop; kpop; j-pop; jpop; dance pop; synth pop; synthpop; indie pop",
           "Pop: a catchy radio song with a simple memorable hook, four-chord loop, verse and chorus, bright and polished.",
           (100, 125), "4/4", "major", "0:melody 25:chords 33:bass", True, "C G D A F", "A E B D"),
    _genre("rock", "rock; rock and roll; rock n roll; rock'n'roll; classic rock; hard rock; punk; punk rock; grunge; indie rock; alternative rock; garage rock",
           "Rock: loud electric guitars with power chords and riffs, bass guitar and a big backbeat on the drum kit.",
           (110, 150), "4/4", "major", "29:melody 30:chords 34:bass", True, "E A D G C", "E A B D"),
    _genre("metal", "metal; heavy metal; thrash; thrash metal; death metal; doom metal; black metal; djent; metalcore; power metal",
           "Metal: heavily distorted guitars, fast palm-muted riffs, double kick drums and dark aggressive power.",
           (120, 190), "4/4", "phrygian", "30:melody 30:chords 34:bass", True, "E D", "E D A B C"),
    _genre("funk", "funk; funky; p-funk; disco; groove music",
           "Funk: tight syncopated sixteenth-note grooves, slap bass, clavinet and muted guitar stabs and horn hits on the one.",
           (95, 120), "4/4", "dorian", "61:melody 7:chords 36:bass", True, "E A G C", "E A D G"),
    _genre("neo_soul", "neo soul; neo-soul; neosoul; soul; r&b; rnb; rhythm and blues; motown; quiet storm",
           "Neo-soul: warm electric piano with lush extended chords, laid-back behind-the-beat grooves and smooth R&B vocals.",
           (70, 95), "4/4", "dorian", "65:melody 4:chords 33:bass", True, "Eb Ab Db F", "C F Bb Eb"),
    _genre("lofi", "lofi; lo-fi; lo fi; lofi hip hop; lo-fi hip hop; chillhop; chill hop; study beats; beats to study; lofi beats; jazzhop",
           "Lo-fi hip hop: dusty mellow beats to study and relax to, jazzy electric piano chords, vinyl crackle and a lazy swing.",
           (70, 90), "4/4", "major", "26:melody 4:chords 33:bass", True, "F C Eb Bb", "D A C G"),
    _genre("hip_hop", "hip hop; hip-hop; hiphop; rap; boom bap; boom-bap; old school hip hop; beat tape",
           "Hip hop: a head-nodding boom-bap drum break, sampled piano loop, deep bass and space for a rapper.",
           (85, 100), "4/4", "minor", "0:melody 89:pad 33:bass", True, "C F", "C F G D"),
    _genre("trap", "trap; drill; trap beat; phonk",
           "Trap: booming 808 bass, rapid hi-hat rolls, half-time snares and dark bell or pluck melodies.",
           (130, 160), "4/4", "minor", "81:melody 89:pad 38:bass", True, "C F", "C# F G A"),
    _genre("techno", "techno; minimal techno; detroit techno; acid techno; acid; industrial techno; hard techno",
           "Techno: relentless four-on-the-floor kick, hypnotic repeating synthesizer patterns and a dark warehouse rave.",
           (125, 140), "4/4", "minor", "81:melody 90:pad 38:bass", True, "C", "A F D E"),
    _genre("house", "house; house music; deep house; tech house; garage house; uk garage; disco house; chicago house; piano house",
           "House: four-on-the-floor club beat with offbeat hi-hats, soulful piano chords and a warm bassline.",
           (118, 128), "4/4", "minor", "0:melody 4:chords 38:bass", True, "C F G", "A F C D"),
    _genre("edm", "edm; electronic dance; electronic dance music; dance music; trance; dubstep; drum and bass; drum & bass; drum n bass; dnb; big room; future bass; electro; rave; electronica; electronic",
           "EDM: festival electronic dance music with big synth leads, builds and drops, sidechained pads and a pounding beat.",
           (124, 140), "4/4", "minor", "81:melody 90:chords 39:bass", True, "C G F", "A F C# D"),
    _genre("synthwave", "synthwave; retrowave; outrun; vaporwave; darksynth; 80s synth; eighties synth; 80s; eighties; retro synth",
           "Synthwave: retro 1980s analog synthesizers, gated drums, arpeggiated bass and neon night drives along the coast.",
           (80, 118), "4/4", "minor", "81:melody 89:pad 38:bass", True, "C F", "A E F# D"),
    _genre("chiptune", "chiptune; chip tune; chipmusic; 8-bit; 8 bit; 8bit; 16-bit; video game; videogame; video game music; game music; nes; gameboy; game boy; retro game; pixel",
           "Chiptune: 8-bit video game music from square and triangle wave sound chips, fast arpeggios and a cheerful retro console sound.",
           (120, 160), "4/4", "major", "80:melody 80:chords 38:bass", True, "C G D", "A E D"),
    _genre("ambient", "ambient; drone; atmospheric; soundscape; new age; meditation; ambient music; space music",
           "Ambient: slowly evolving atmospheric pads and sparse piano, no beat, a calm floating soundscape.",
           (60, 80), "4/4", "lydian", "0:melody 89:pad 88:pad", False, "D C F G", "D E A"),
    _genre("cinematic", "cinematic; orchestral; film score; film music; movie score; movie soundtrack; soundtrack; trailer music; epic orchestral; hans zimmer; john williams",
           "Cinematic: a sweeping film score for orchestra with soaring strings, horns, harp and timpani building to a climax.",
           (70, 110), "4/4", "minor", "60:melody 48:pad 46:chords 43:bass", False, "D C Eb", "D C G"),
    _genre("classical", "classical; classical music; classical era; mozart; haydn; beethoven; sonata; sonatina; minuet; chamber music",
           "Classical: elegant balanced phrases in the style of Mozart and Haydn, clear functional harmony and cadences.",
           (90, 130), "4/4", "major", "40:melody 0:chords 42:bass", False, "C G D F Bb", "A D G C"),
    _genre("baroque", "baroque; bach; vivaldi; handel; telemann; fugue; invention; concerto grosso; counterpoint; partita",
           "Baroque: Bach-style counterpoint with harpsichord continuo, busy sequences, ornaments and a steady motor rhythm.",
           (90, 120), "4/4", "major", "40:melody 6:chords 42:bass", False, "D G C F", "D A E G"),
    _genre("chorale", "chorale; hymn; hymnal; four-part harmony; four part harmony; satb; bach chorale; church music; sacred music",
           "Chorale: a slow four-part hymn for choir in homophonic harmony, with fermatas and church cadences.",
           (60, 90), "4/4", "major", "52:melody 52:counter 52:chords 52:bass", False, "G D F C", "A D E"),
    _genre("romantic", "romantic era; romantic period; romanticism; chopin; liszt; schumann; brahms; tchaikovsky; rachmaninoff; rachmaninov; nocturne; debussy; impressionist; impressionism",
           "Romantic: expressive nineteenth-century piano music like Chopin, rich chromatic harmony, rubato and sweeping emotion.",
           (60, 100), "4/4", "minor", "0:melody 0:bass 48:pad", False, "Db Ab E", "C# E C G"),
    _genre("folk", "folk; folk song; folksy; americana; bluegrass; country; country music; acoustic folk; singer-songwriter; campfire; appalachian",
           "Folk: simple acoustic guitar strumming, fiddle and banjo, a singable traditional tune around a campfire.",
           (90, 120), "4/4", "major", "40:melody 25:chords 32:bass", False, "G D C A", "E A D"),
    _genre("celtic", "celtic; irish; scottish; gaelic; irish folk; celtic folk; irish traditional; trad; highland",
           "Celtic: Irish and Scottish traditional music with tin whistle, fiddle and bouzouki, modal tunes and lively ornaments.",
           (100, 130), "4/4", "major", "78:melody 40:counter 25:chords", False, "D G A", "E A B"),
    _genre("reel", "reel; irish reel; scottish reel",
           "Reel: a fast Irish or Scottish dance tune in running eighth notes for fiddle and whistle.",
           (170, 210), "4/4", "major", "40:melody 78:counter 25:chords", False, "D G A", "E A B"),
    _genre("jig", "jig; irish jig; double jig; single jig; gigue",
           "Jig: a lively Irish dance tune in six-eight time with bouncing triplet groups of eighth notes.",
           (160, 190), "6/8", "major", "78:melody 40:counter 25:chords", False, "D G A", "E A B"),
    _genre("hornpipe", "hornpipe; sailor's hornpipe; sailors hornpipe",
           "Hornpipe: a stately dotted-rhythm British and Irish dance tune, swung eighth notes, ending with three stamped beats.",
           (140, 170), "4/4", "major", "40:melody 78:counter 25:chords", False, "D G A", "E A"),
    _genre("sea_shanty", "sea shanty; shanty; sea shanties; shanties; sea song; sailor song; pirate; pirates; wellerman",
           "Sea shanty: a rousing sailors' work song sung by a crowd, with accordion, fiddle and stomping rhythm on a ship.",
           (90, 115), "4/4", "dorian", "21:melody 40:counter 32:bass", False, "D G F", "D E A"),
    _genre("polka", "polka; oompah; oom-pah; bavarian",
           "Polka: a bouncy two-step Central European dance with accordion, clarinet and an oom-pah tuba bass.",
           (110, 140), "2/4", "major", "21:melody 71:counter 58:bass", True, "F Bb C G", "D G"),
    _genre("waltz", "waltz; waltzes; valse; viennese waltz; mazurka; ländler; landler; ballroom waltz",
           "Waltz: an elegant ballroom dance in three-four time with an oom-pah-pah accompaniment and a flowing melody.",
           (90, 150), "3/4", "major", "40:melody 0:chords 42:bass", False, "D G F Bb", "A D E"),
    _genre("march", "march; marching band; military march; military; sousa; parade; marching",
           "March: a brisk military parade tune for brass band, strong two-beat pulse, snare drum and confident fanfares.",
           (110, 125), "2/4", "major", "56:melody 61:chords 58:bass", True, "Bb Eb F C", "G C"),
    _genre("klezmer", "klezmer; freilach; freylekhs; hora; jewish folk; yiddish",
           "Klezmer: Eastern European Jewish dance music with a crying clarinet, violin and accordion in the freygish mode.",
           (80, 140), "4/4", "phrygian", "71:melody 40:counter 21:chords 58:bass", False, "D G", "D A E G"),
    _genre("reggae", "reggae; ska; dub; rocksteady; dancehall; roots reggae; jamaican",
           "Reggae: Jamaican offbeat guitar skank, heavy one-drop drums, deep melodic bass and an easy island groove.",
           (70, 90), "4/4", "major", "16:melody 27:chords 33:bass", True, "G A C D", "A E D G"),
    _genre("ragtime", "ragtime; rag; scott joplin; joplin; stride; stride piano; cakewalk",
           "Ragtime: syncopated piano in the style of Scott Joplin, a steady oom-pah left hand and a playful right-hand melody.",
           (90, 110), "2/4", "major", "0:melody 0:bass", False, "C F G Bb", "A D"),
    _genre("gospel", "gospel; spiritual; spirituals; praise; worship; black gospel",
           "Gospel: joyful church music with a choir, Hammond organ, soulful piano chords and hand claps.",
           (70, 100), "4/4", "major", "52:melody 16:chords 0:chords 33:bass", True, "Ab Db Eb F", "C F"),
    _genre("medieval", "medieval; renaissance; troubadour; bard; bardcore; tavern; minstrel; gregorian; gregorian chant; madrigal; ye olde",
           "Medieval: an old modal tavern tune with recorder, lute and harp, drones and simple dance rhythms of the Middle Ages.",
           (80, 110), "4/4", "dorian", "74:melody 24:chords 46:counter", False, "D G F", "D E A"),
    _genre("lullaby", "lullaby; lullabies; cradle song; berceuse; bedtime song; bedtime; nursery rhyme; sleep music",
           "Lullaby: a soft gentle bedtime song rocking in three, with music box and harp to send a baby to sleep.",
           (60, 80), "3/4", "major", "10:melody 46:chords", False, "F C G D Bb", "D A"),
    _genre("flamenco", "flamenco; andalusian; bulerias; soleares; rumba flamenca; gypsy kings; sevillanas",
           "Flamenco: passionate Spanish guitar with rasgueado strums, the Andalusian cadence in the Phrygian mode and hand claps.",
           (100, 140), "3/4", "phrygian", "24:melody 24:chords", False, "E A", "E A B"),
)

GENRES: dict[str, GenreInfo] = {genre.id: genre for genre in _GENRES}
GENRE_IDS: tuple[str, ...] = tuple(GENRES)

BANDS_WITHOUT_DRUMS: frozenset[str] = frozenset({
    "tango", "klezmer", "celtic", "reel", "jig", "hornpipe", "folk", "sea_shanty", "waltz", "flamenco",
})
"""Styles played by a band with no drum kit: their rhythm section is a bass and a chord instrument (a tango
orquesta's piano and contrabass, a ceili band's guitar). With the styles that have drums, these are the band
styles, whose rhythm section comes with the instruments a user names (`prompts.resolve.rhythm_section`);
a piano nocturne, a chorale or a lullaby keeps just what was named."""


def is_band(genre: GenreInfo) -> bool:
    """Is the style played by a band (a rhythm section under the lead)?"""
    return genre.drums or genre.id in BANDS_WITHOUT_DRUMS


JAZZ_CONTEXT: frozenset[str] = frozenset({"jazz", "swing", "jazz_waltz", "bossa_nova", "blues", "lofi", "neo_soul"})
"""Genres in which "piano trio" means piano, bass and drums rather than piano, violin and cello."""


def genre_info(genre_id: str) -> GenreInfo:
    """The genre's data; a clear error for an unknown id (the composer calls this with stored specs)."""
    try:
        return GENRES[genre_id]
    except KeyError:
        raise ValueError(f"unknown genre {genre_id!r}; expected one of {', '.join(GENRE_IDS)}") from None


GENRE_SCENES: dict[str, tuple[str, ...]] = {
    "jazz": ("film noir detective", "smoky late-night bar", "rainy city night with a saxophone", "cocktail lounge"),
    "swing": ("1940s ballroom dancing", "speakeasy party", "roaring twenties"),
    "jazz_waltz": ("autumn leaves in a jazz cafe",),
    "blues": ("mississippi delta porch", "whiskey and heartbreak", "crossroads at midnight"),
    "bossa_nova": ("rio de janeiro beach", "ipanema seaside cafe", "caipirinha at sunset"),
    "latin": ("havana street party", "tropical dance floor", "fiesta"),
    "tango": ("buenos aires dance hall", "passionate couple dancing"),
    "pop": ("summer radio hit", "teen movie montage", "sing-along chorus"),
    "rock": ("stadium concert", "garage band", "road trip with guitars"),
    "metal": ("headbanging mosh pit", "dark fantasy war", "screaming guitars"),
    "funk": ("seventies dance party", "soul train", "platform shoes"),
    "neo_soul": ("late night slow jam", "candlelit r&b", "velvet voice"),
    "lofi": ("coffee shop", "rainy day studying", "cozy bedroom anime girl studying"),
    "hip_hop": ("new york street corner", "rap cypher", "graffiti"),
    "trap": ("atlanta street", "luxury cars and chains", "club bangers"),
    "techno": ("berlin warehouse rave", "robots and machines", "underground club at 4am"),
    "house": ("ibiza club", "dance floor at midnight", "disco ball"),
    "edm": ("festival main stage", "laser light show", "bass drop"),
    "synthwave": ("neon city at night", "night drive at sunset", "cyberpunk", "1980s sports car", "miami vice"),
    "chiptune": ("retro video game", "boss fight", "arcade", "mario and zelda", "pixel art level"),
    "ambient": ("outer space", "floating among the stars", "meditation retreat", "slow sunrise over the ocean"),
    "cinematic": ("movie trailer", "epic battle", "fantasy adventure with dragons", "hero's journey", "disney film"),
    "classical": ("mozart concert hall", "powdered wigs", "elegant palace"),
    "baroque": ("bach cathedral", "harpsichord in a palace", "counterpoint fugue"),
    "chorale": ("church service", "sunday hymn", "choir in a cathedral"),
    "romantic": ("chopin by candlelight", "moonlit salon", "nineteenth-century ballroom"),
    "folk": ("campfire", "cowboy on the prairie", "country road", "front porch"),
    "celtic": ("green hills of ireland", "scottish highlands", "fairy forest"),
    "reel": ("irish pub session", "fast fiddle dance"),
    "jig": ("irish dance", "leprechaun"),
    "hornpipe": ("sailors dancing on deck",),
    "sea_shanty": ("pirate ship", "sailing the ocean", "sailors hauling rope", "whaling"),
    "polka": ("oktoberfest beer hall", "bavarian festival"),
    "waltz": ("viennese ballroom", "wedding dance", "ice skating"),
    "march": ("military parade", "soldiers marching", "marching band at a football game"),
    "klezmer": ("jewish wedding", "eastern european village dance", "fiddler on the roof"),
    "reggae": ("jamaica beach", "island vibes", "bob marley"),
    "ragtime": ("silent film", "old saloon piano", "1900s vaudeville"),
    "gospel": ("sunday church choir", "praise and worship", "hallelujah"),
    "medieval": ("castle", "knights and dragons", "tavern with a bard", "renaissance fair"),
    "lullaby": ("baby falling asleep", "goodnight", "twinkle twinkle little star"),
    "flamenco": ("spanish guitar in seville", "andalusian dancer", "gypsy camp"),
}
"""Scenes each genre evokes: what the text encoder compares free words against, besides the description."""
