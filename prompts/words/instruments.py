"""Instruments: the 128 General MIDI programs, the words people use for them, ensembles, and roles.

Everything the renderer can play is a General MIDI program, so every instrument word ends as one:
directly ("cello" -> 42), through a group ("string quartet" -> 40, 40, 41, 42), by genre context (plain
"guitar" in rock is overdriven, in bossa nova nylon) or, for instruments General MIDI lacks ("ukulele",
"kazoo"), the nearest program plus a note telling the user what was substituted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GM_NAMES: tuple[str, ...] = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet", "Celesta", "Glockenspiel", "Music Box",
    "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer", "Drawbar Organ", "Percussive Organ",
    "Rock Organ", "Church Organ", "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)", "Electric Guitar (clean)",
    "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics", "Acoustic Bass",
    "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass", "Slap Bass 1", "Slap Bass 2",
    "Synth Bass 1", "Synth Bass 2", "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings",
    "Pizzicato Strings", "Orchestral Harp", "Timpani", "String Ensemble 1", "String Ensemble 2",
    "Synth Strings 1", "Synth Strings 2", "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit", "Trumpet",
    "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)", "Lead 5 (charang)",
    "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)", "Pad 1 (new age)", "Pad 2 (warm)",
    "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)",
    "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)", "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba",
    "Bagpipe", "Fiddle", "Shanai", "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum",
    "Melodic Tom", "Synth Drum", "Reverse Cymbal", "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
)

_SYNONYM_TEXT = """
0: piano; acoustic piano; grand piano; concert grand; upright piano; keys; keyboard; pianist
1: bright piano; bright acoustic piano
2: electric grand; electric grand piano; cp70
3: honky tonk piano; honky-tonk piano; honky tonk; saloon piano; barrelhouse piano
4: electric piano; e-piano; epiano; rhodes; fender rhodes; rhodes piano
5: wurlitzer; wurli; dx7 piano; fm piano
6: harpsichord; cembalo; clavecin
7: clavinet; clav
8: celesta; celeste
9: glockenspiel; glock; bells glockenspiel
10: music box; musicbox
11: vibraphone; vibes; vibraharp
12: marimba
13: xylophone
14: tubular bells; chimes; church bells; bells; bell
15: dulcimer; hammered dulcimer
16: organ; hammond; hammond organ; b3; drawbar organ; jazz organ; organist
17: percussive organ
18: rock organ
19: church organ; pipe organ; cathedral organ
20: reed organ; harmonium; pump organ
21: accordion; squeezebox; concertina
22: harmonica; blues harp; mouth organ
23: bandoneon; tango accordion
24: nylon guitar; nylon-string guitar; nylon string guitar; classical guitar; spanish guitar; flamenco guitar
25: guitar; acoustic guitar; steel guitar; steel-string guitar; steel string guitar; folk guitar
26: jazz guitar; hollow body guitar; archtop guitar
27: electric guitar; clean guitar; clean electric guitar
28: muted guitar; funk guitar; palm muted guitar
29: overdriven guitar; overdrive guitar; rock guitar; crunchy guitar
30: distortion guitar; distorted guitar; heavy guitar; metal guitar
31: guitar harmonics
32: upright bass; double bass; acoustic bass; string bass; walking bass; jazz bass
33: bass; bass guitar; electric bass; fingered bass; finger bass
34: picked bass; pick bass; rock bass
35: fretless bass; fretless
36: slap bass; funk bass
38: synth bass; synth-bass; sub bass; moog bass; bass synth; 808 bass
39: synth bass 2; acid bass; reese bass
40: violin; fiddle; violinist; fiddler
41: viola
42: cello; violoncello; cellist
43: contrabass; orchestral bass
44: tremolo strings
45: pizzicato; pizzicato strings; pizz strings
46: harp; orchestral harp; concert harp; harpist
47: timpani; kettle drums; kettledrum
48: strings; string section; string ensemble; string orchestra; orchestral strings; lush strings
49: slow strings; string ensemble 2
50: synth strings; string synth; solina
52: choir; choir aahs; voices; vocal choir
53: voice; vocals; vocal; singer; singing; voice oohs; oohs; humming
54: synth voice; vocoder
55: orchestra hit; orch hit
56: trumpet; cornet; flugelhorn; trumpeter; trumpet player
57: trombone
58: tuba; sousaphone
59: muted trumpet; harmon mute trumpet
60: french horn; horn; horns in f
61: brass; brass section; horn section; horns
62: synth brass
64: soprano sax; soprano saxophone
65: sax; saxophone; alto sax; alto saxophone; saxophonist; sax player
66: tenor sax; tenor saxophone; tenor
67: baritone sax; bari sax; baritone saxophone
68: oboe
69: english horn; cor anglais
70: bassoon
71: clarinet; bass clarinet; clarinetist; clarinettist
72: piccolo
73: flute; concert flute; flautist; flutist
74: recorder
75: pan flute; pan pipes; panpipes; pan pipe; panflute
76: blown bottle
77: shakuhachi
78: whistle; tin whistle; penny whistle; irish whistle
79: ocarina
80: square lead; square wave; chip lead; square synth
81: synth lead; lead synth; synth; synths; synthesizer; synthesiser; saw lead; sawtooth lead
82: calliope
83: chiff lead
84: charang
86: fifths lead
88: new age pad
89: pad; pads; synth pad; warm pad; synth pads
90: polysynth; poly synth
91: choir pad
92: bowed pad
93: metallic pad
94: halo pad
95: sweep pad
104: sitar
105: banjo
106: shamisen
107: koto
108: kalimba; mbira; thumb piano
109: bagpipe; bagpipes; highland pipes
110: erhu
111: shanai; shehnai
112: tinkle bell; sleigh bells
113: agogo; cowbell
114: steel drums; steel drum; steel pan; steelpan
115: woodblock; wood block
116: taiko; taiko drums; taiko drum
117: melodic tom
118: synth drum
119: reverse cymbal
120: guitar fret noise; fret noise
121: breath noise
122: seashore; ocean waves
123: bird tweet; birdsong; birds
124: telephone ring; telephone
125: helicopter
126: applause
127: gunshot
"""


def _parse_synonyms(text: str) -> dict[str, int]:
    table: dict[str, int] = {}
    for line in text.strip().splitlines():
        program, words = line.split(":", 1)
        for word in words.split(";"):
            table[word.strip()] = int(program)
    for program, name in enumerate(GM_NAMES):
        table.setdefault(re.sub(r"[()+]", " ", name).lower().replace("  ", " ").strip(), program)
    return table


SYNONYMS: dict[str, int] = _parse_synonyms(_SYNONYM_TEXT)
"""Instrument phrase -> General MIDI program (the GM names themselves, lower-cased, included)."""


@dataclass(frozen=True)
class InstrumentGroup:
    """An ensemble word: its members as (program, role) and what else it implies."""

    members: tuple[tuple[int, str], ...]
    drums: bool | None = None
    genre: str | None = None


GROUPS: dict[str, InstrumentGroup] = {
    "string quartet": InstrumentGroup(((40, "melody"), (40, "counter"), (41, "chords"), (42, "bass"))),
    "string trio": InstrumentGroup(((40, "melody"), (41, "chords"), (42, "bass"))),
    "piano trio": InstrumentGroup(((40, "melody"), (0, "chords"), (42, "bass"))),
    "jazz trio": InstrumentGroup(((0, "melody"), (32, "bass")), drums=True, genre="jazz"),
    "jazz combo": InstrumentGroup(((66, "melody"), (0, "chords"), (32, "bass")), drums=True, genre="jazz"),
    "jazz quartet": InstrumentGroup(((66, "melody"), (0, "chords"), (32, "bass")), drums=True, genre="jazz"),
    "brass quintet": InstrumentGroup(((56, "melody"), (56, "counter"), (60, "chords"), (57, "chords"), (58, "bass"))),
    "brass band": InstrumentGroup(((56, "melody"), (60, "counter"), (57, "chords"), (58, "bass")), drums=True),
    "woodwind quintet": InstrumentGroup(((73, "melody"), (68, "counter"), (71, "chords"), (60, "pad"), (70, "bass"))),
    "woodwinds": InstrumentGroup(((73, "melody"), (68, "counter"), (71, "chords"), (70, "bass"))),
    "orchestra": InstrumentGroup(((40, "melody"), (73, "counter"), (48, "pad"), (60, "counter"), (43, "bass"))),
    "full orchestra": InstrumentGroup(((40, "melody"), (73, "counter"), (48, "pad"), (60, "counter"), (43, "bass"))),
    "rhythm section": InstrumentGroup(((0, "chords"), (33, "bass")), drums=True),
    "rock band": InstrumentGroup(((29, "melody"), (30, "chords"), (34, "bass")), drums=True, genre="rock"),
    "power trio": InstrumentGroup(((29, "melody"), (34, "bass")), drums=True, genre="rock"),
    "808": InstrumentGroup(((38, "bass"),), drums=True),
    "808s": InstrumentGroup(((38, "bass"),), drums=True),
    "satb": InstrumentGroup(((52, "melody"), (52, "counter"), (52, "chords"), (52, "bass")), genre="chorale"),
}
"""Ensemble words. "piano trio" is the classical trio; in a jazz context parse reads it as "jazz trio"."""

APPROXIMATIONS: dict[str, int] = {
    "ukulele": 24, "uke": 24, "lute": 24, "oud": 24, "mandolin": 25, "bouzouki": 25, "balalaika": 105,
    "kazoo": 85, "theremin": 79, "didgeridoo": 58, "mellotron": 48, "moog": 81, "keytar": 81, "toy piano": 8,
    "handpan": 114, "hang drum": 114, "hurdy gurdy": 109, "hurdy-gurdy": 109, "zither": 15, "guzheng": 107,
    "pipa": 106, "dizi": 73, "melodica": 22, "autoharp": 46, "glass harmonica": 98, "clavichord": 6,
    "fortepiano": 0, "harmonizer": 54, "euphonium": 57, "flugabone": 57, "alphorn": 60, "bagpipe chanter": 109,
    "duduk": 68, "ney": 77, "koto harp": 107, "celesta bells": 8, "steel guitar pedal": 25, "pedal steel": 25,
    "lap steel": 25, "dobro": 25, "harmonium organ": 20, "crumhorn": 68, "shawm": 68, "sackbut": 57,
    "viol": 41, "viola da gamba": 42, "psaltery": 15, "tambura": 104, "tanpura": 104, "veena": 104,
}
"""Instruments General MIDI lacks -> the nearest program (the parser adds a note saying so)."""

DRUM_WORDS: tuple[str, ...] = (
    "drums", "drum", "drum kit", "drumkit", "drum set", "drumset", "percussion", "beat", "beats",
    "drum machine", "hi-hat", "hi-hats", "hihat", "hihats", "snare", "snare drum", "kick drum", "breakbeat",
    "brushes", "cajon", "congas", "bongos", "djembe", "tabla", "bodhran", "beatbox", "tambourine", "shaker",
    "hand claps", "handclaps", "claps", "drummer",
)
NO_DRUM_WORDS: tuple[str, ...] = ("drumless", "no beat", "beatless", "a cappella", "acapella")
SOLO_WORDS: tuple[str, ...] = ("solo", "unaccompanied", "alone", "only", "just", "by itself", "on its own")

GENERIC_BY_GENRE: dict[str, dict[str, int]] = {
    "guitar": {
        "rock": 29, "metal": 30, "jazz": 26, "swing": 26, "jazz_waltz": 26, "blues": 26, "lofi": 26,
        "bossa_nova": 24, "flamenco": 24, "classical": 24, "baroque": 24, "medieval": 24, "latin": 24,
        "tango": 24, "funk": 28, "reggae": 27, "neo_soul": 27, "house": 27, "synthwave": 27, "pop": 27,
    },
    "bass": {
        "jazz": 32, "swing": 32, "jazz_waltz": 32, "bossa_nova": 32, "latin": 32, "tango": 43, "folk": 32,
        "celtic": 32, "sea_shanty": 32, "classical": 43, "baroque": 43, "cinematic": 43, "romantic": 43,
        "waltz": 43, "rock": 34, "metal": 34, "funk": 36, "techno": 38, "house": 38, "edm": 39, "trap": 38,
        "synthwave": 38, "chiptune": 38, "polka": 58, "march": 58,
    },
}
"""Plain "guitar" and "bass" take the genre's usual kind (a jazz bass is upright, a techno bass a synth)."""

_CHORD_FAMILIES = (range(0, 16), range(24, 32), range(104, 109), (16, 17, 18, 21, 23, 46))
_PAD_FAMILIES = ((19, 20, 44, 45), range(48, 56), range(88, 104))
BASS_PROGRAMS: frozenset[int] = frozenset({*range(32, 40), 43, 58})


def gm_name(program: int) -> str:
    """The General MIDI name of a program (0-127)."""
    return GM_NAMES[program]


def family_role(program: int) -> str:
    """The role an instrument plays when nothing else decides: bass, chords (keys, guitars), pad, counter."""
    if program in BASS_PROGRAMS:
        return "bass"
    if any(program in family for family in _CHORD_FAMILIES):
        return "chords"
    if any(program in family for family in _PAD_FAMILIES):
        return "pad"
    return "counter"
