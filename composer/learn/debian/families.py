"""The genre family of every piece the Debian sources give, judged per piece.

Why by hand: the files name no genre. Each label was chosen from the piece's title (OpenMSX's own names in
`openmsx.obm`, LMMS's project names), its instruments (General MIDI programs, LMMS synth and track names),
its tempo and meter, read off the files, not from listening to a rendering. The labels use Motif's genre ids
where one fits (`prompts/words/genres.py`: jazz, blues, ragtime, rock, metal, synthwave, ambient, house,
techno, edm, reggae, latin, chiptune, hip_hop, pop, folk, cinematic, classical) plus `game` and `trance`,
which the genre list has no id for. A piece missing here is skipped, never guessed.
"""

from __future__ import annotations

FAMILIES: dict[str, dict[str, str]] = {
    "openmsx": {
        # Redfarn's piano-led set: boogie-woogie counts as blues, its 12-bar home.
        "be_sharp_bw_redfarn": "blues", "boogi_marabi_redfarn": "blues", "moo_redfarn": "blues",
        "city_blues_redfarn": "blues", "careless_perc_redfarn": "blues", "no_work_song_redfarn": "blues",
        "the_hobo_redfarn": "blues", "mosey_along_redfarn": "ragtime", "5432gone_redfarn": "jazz",
        "say_what_redfarn": "jazz", "slow_neasy_redfarn": "jazz",
        "keep_on_rolling": "jazz", "ttsong_iv_imuh3": "jazz", "busy_schedule": "jazz",
        "train_filled_with_cash": "jazz",
        "flying_scotsman": "rock", "chuggachugga": "rock", "run_for_your_life": "rock",
        "modern_motion": "synthwave", "ttsong_iii_imuh3": "synthwave", "ultimate_run": "synthwave",
        "mighty_giant_run": "synthwave",
        "the_fast_route": "pop", "midnight_snow_run": "pop", "harp_harmony": "pop", "relax_song": "pop",
        "coconut_run2": "latin", "wood_whistles": "folk", "linns_basket": "cinematic", "chemistry_lab": "ambient",
        "tttheme2": "game",
    },
    "freedoom": {
        "D_E1M1": "metal", "D_E1M2": "metal", "D_E2M1": "metal", "D_E2M7": "metal", "D_E2M8": "metal",
        "D_E3M7": "metal", "D_THEDA2": "metal", "D_SHAWN3": "metal", "D_EVIL": "metal", "D_ULTIMA": "metal",
        "D_E1M6": "rock", "D_E1M7": "rock", "D_E1M9": "rock", "D_INTROA": "rock", "D_E2M3": "rock",
        "D_E2M5": "rock", "D_E3M3": "rock", "D_E3M6": "rock", "D_BUNNY": "rock", "D_READ_M": "rock",
        "D_RUNNIN": "rock", "D_COUNTD": "rock", "D_BETWEE": "rock", "D_THE_DA": "rock", "D_SHAWN": "rock",
        "D_DDTBLU": "rock", "D_STLKS2": "rock", "D_DDTBL2": "rock", "D_STLKS3": "rock", "D_ROMERO": "rock",
        "D_MESSAG": "rock", "D_COUNT2": "rock", "D_AMPIE": "rock", "D_ADRIAN": "rock", "D_MESSG2": "rock",
        "D_ROMER2": "rock",
        "D_INTER": "synthwave", "D_E2M2": "synthwave", "D_E3M1": "synthwave", "D_E3M4": "synthwave",
        "D_E3M5": "synthwave", "D_DM2INT": "synthwave", "D_DOOM": "synthwave", "D_IN_CIT": "synthwave",
        "D_RUNNI2": "synthwave", "D_TENSE": "synthwave",
        "D_E1M3": "ambient", "D_E1M4": "ambient", "D_E1M5": "ambient", "D_E1M8": "ambient", "D_VICTOR": "ambient",
        "D_E2M4": "ambient", "D_E2M6": "ambient", "D_E2M9": "ambient", "D_E3M8": "ambient", "D_E3M9": "ambient",
        "D_DEAD": "ambient", "D_DEAD2": "ambient", "D_DDTBL3": "ambient", "D_THEDA3": "ambient",
        "D_INTRO": "cinematic", "D_E3M2": "cinematic", "D_DM2TTL": "cinematic", "D_STALKS": "cinematic",
        "D_DOOM2": "cinematic", "D_SHAWN2": "cinematic", "D_OPENIN": "cinematic",
    },
    "lmms": {
        "CapDan-ReggaeTry": "reggae", "CapDan-ReggaetonTry": "latin", "Skiessi-C64": "chiptune",
        "Crunk(Demo)": "hip_hop", "Thomasso-AxeFromThe80s": "synthwave",
        "Jousboxx-BuzzerBeater": "house", "Shovon-ProgressiveHousePluckDemo": "house", "EsoXLB-CPU": "techno",
        "Impulslogik-Zen": "trance", "Momo64-esp": "trance", "Oglsdl-PpTrip": "trance",
        "Settel-InnerRecreation": "trance",
        "CapDan-TwilightArea-OriginalByAlf42red": "edm", "CapDan-ZeroSumGame-OriginalByZakarra": "edm",
        "Saber-FinalStep": "edm", "Skiessi-Onion": "edm", "Socceroos-Progress": "edm", "TameAnderson-MakeMe": "edm",
        "DirtyLove": "edm", "Greshz-CoolSnip": "edm", "Surrender-Main": "edm",
        "Oglsdl-Dr8v2": "ambient", "Alf42red-Mauiwowi": "pop", "StrictProduction-DearJonDoe": "pop",
        "Skiessi-222": "pop",
    },
    "blupi": {f"music{n:03d}": "game" for n in range(10)},
    "musescore": {
        "Unclaimed_Gift": "jazz", "Reunion": "jazz", "Fugue_1": "classical", "Brassed_Up": "classical",
        "Dynamic_Strings": "cinematic",
    },
    "pingus": {
        # Pingus's level tunes are game music; a piece gets a style where its module's title (the IT song
        # name) or its instruments (sample names) say one: congas under flutes, a rock/pop band's guitars,
        # synth lead over hi-hat, strings and piano for the menu and the snow level.
        "gd-cancn": "classical",  # "pingus cancan": Offenbach's can-can on trumpet and guitars
        "sorcerer": "classical",  # "The Sorcerer's Apprentice": Dukas, arranged
        "gd-ite": "jazz",  # vibraphone, flute, bass and closed hi-hat: a jazz combo's lineup
        "gd-myla": "edm",  # "Synth" lead and "Comp" chords over hi-hat and synth bass at 172 bpm
        "pingus-3": "latin",  # flutes and piano over congas and bass
        "pingus-6": "pop",  # analog synth bass, CS1x strings, bright and medium pianos, drums
        "pingus-7": "pop",  # acoustic guitar, bass guitar, piano, chime, snare
        "pingus-8": "pop",  # pianos, bass guitar, square-wave synth, bass and snare drum
        "pingus-1": "cinematic",  # the menu theme: string pianos, deep strings, flute, toms
        "pingus-4": "cinematic",  # "level (snow)": piano, chimes, brass choir, high strings in 3/4
        "pingus-2": "game", "pingus-5": "game", "pingus-9": "game", "gd-matth": "game", "success_2": "game",
        # Left out: goin_march, rough_journey and the_big_march_in_space loop arpeggios and ostinatos with
        # no tune on any channel (3-6 pitches each); success_1 is a 17-note run.
    },
    "pachi": {
        # Skaven's five platform-game modules, judged from the S3M song names and sample names.
        "menu": "edm",  # "Realm of Chaos": "SynthLead", "SynthSound", "RaumBass" over a bass drum, 125 bpm
        "stage1": "cinematic",  # "The Centipede": violin and synth pizzicato, kettledrum, soft strings
        "stage3": "cinematic",  # "Unreal Symphony": cello and solo strings, plucks, kettledrum, 107 bpm
        "stage4": "rock",  # "Space Deliria": "Metal.Bass", hard snares, toms, brass at 188 bpm
        "credits": "game",  # "Crystal Dragon": short violins, "TechnoDistString", synth brass lead
    },
    "heroes": {
        # Game music: the two modules whose lead channel carries a tune (8-10 pitches over two octaves).
        "heroes01": "game", "menu": "game",
        # Left out: the other eleven's busiest high channels are arpeggios (heroes02, 05, 06: most steps
        # leap over a fifth), one- to four-pitch riffs (03, 04, 07, 09, 10, endscroll) or a five-note loop
        # (08); the intro has no channel of 16 notes. Their titles would say trance, techno and synthwave.
    },
    "circuslinux": {
        # Circus-ride tunes of a four-channel arcade game (the samples name no instruments): the two whose
        # lead moves; finally and klovninarki's lead repeats its note in over 80% of steps (a riff), and
        # hiscreen is a 24-note jingle.
        "hiscore": "game", "kaupunki": "game",
    },
}
"""Source -> piece id (file stem, or WAD lump name) -> genre family."""


def family_of(source: str, piece: str) -> str | None:
    """The family of a piece, or None when the table has no label for it."""
    return FAMILIES.get(source, {}).get(piece)
