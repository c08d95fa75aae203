"""Per-genre progression tables: the chords each genre's players actually play, as Roman numerals.

One place for what a musician would recognise in each harmony kind (the kinds `composer.styles.Style.harmony`
names): a blues plays dominant sevenths on I, IV and V with bar 11 on I7 and a V7 turnaround; a chorale's
vii° is diminished and stands in first inversion (vii°6), its phrases close V-I or on a half cadence; a
freygish klezmer's home chord is major (D F# A in D freygish) with the minor iv and vii and the bII that
cadences home; samba and bossa play ii-V-I with VI7 secondary dominants and diminished passing chords, salsa
the son montuno's I-IV-V-IV and i-iv-V7 / i-bVII-bVI-V7;
tango i-V7 with iv and VI-V; reggae I-IV, I-V and ii-V skanks; rock I-bVII-IV and I-IV-V; funk one-chord i7
vamps and i7-IV7; gospel I-I7-IV-iv with walk-ups through #iv°7; ragtime the circle of secondary dominants.

The numerals are `composer.harmony.progressions.roman` tokens, read relative to the piece's mode: no suffix is
the mode's diatonic chord under the style's vocabulary (a triad, a seventh, a ninth); a suffix fixes the
quality whatever the vocabulary ("7" dominant on an upper-case numeral, "M"/"m" a plain triad, "o" dim,
"o7" dim7, "h7" half-diminished); a trailing figure puts the chord in an inversion ("6" third in the bass,
"64" fifth, "65"/"43"/"42" a seventh chord's inversions). The qualities themselves are facts of
`prompts.music` (CHORD_INTERVALS, TRIAD_OF), realised by `composer.harmony.plan.step_quality`.

Each entry is keyed by a mode name first, then by the mode's family ("major", "minor" for the tonal minor
modes, "modal" for phrygian and locrian); a kind with no entry for a mode plays the mode's vamp
(`MODAL_LOOPS`), as a modal piece should.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prompts.music import MAJOR_THIRD_MODES, TONAL_MINOR_MODES

Phrases = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Table:
    """One harmony kind's progressions and how a piece in it starts and ends.

    `phrases`: mode or family -> templates (bars split by "|", chords in a bar by spaces; a loop kind reads
    them as slots at the style's harmonic rhythm). `by_words`: other phrases a word of the prompt picks (samba
    within latin, see `phrases_for`). `home`: the chord a piece starts and ends on (default: the
    tonic triad, or the tonic with its ninth in jazzier vocabularies). `cadence`: the chord before the final
    home (default: V7, or the mode's own leading chord); empty for kinds whose templates carry their own
    cadence (`cadenced`, the blues turnaround). `pedal`: whether a church mode's chords sit over a tonic
    pedal (klezmer's oom-pah bass plays the roots of its freygish chords instead). `half`: the chord a section
    that closes open rests on (`composer.harmony.form.close_on_half`; default the major V, which a mode whose
    third or seventh it contradicts names here: freygish rests on its minor vii, Cm in D, the chord that
    cadences home as vii-I, where A7's C# is foreign). `applied`: the chord a ii (or a V the close would
    only repeat) just before a half close gives way to, the dominant of the dominant (the functional kind's
    II7 in major, V7/V: D7 before G in C): the raised fourth leading up to V is the half cadence of Haydn and
    Mozart, and the commonest note outside the key in the corpus's real classical lines (2.5% of the notes of
    its major pieces; the flat seventh is next, at 1.3%), which the plans never held.
    """

    phrases: Phrases
    by_words: tuple[tuple[tuple[str, ...], Phrases], ...] = ()
    home: dict[str, str] = field(default_factory=dict)
    cadence: dict[str, str] = field(default_factory=dict)
    cadenced: bool = False
    pedal: bool = True
    half: dict[str, str] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)


MODAL_LOOPS: Phrases = {
    "major": ("I IV I I", "I ii I I", "I IV I V"),
    "minor": ("i iv i i", "i VI VII i", "i VII i i", "i VI i VII"),
    "aeolian": ("i VI VII i", "i VII i i", "i iv i VII"),
    "dorian": ("i IV i i", "i IV i VII", "i i IV i"),
    "mixolydian": ("I VII I I", "I VII IV I", "I I VII I"),
    "lydian": ("I II I I", "I I II I"),
    "phrygian": ("i II i i", "i II III II", "i i II i"),
    "locrian": ("i II i i", "i i II i"),
}
"""Vamps that name the mode by its colour chord while the tonic keeps most of the time."""

POP_LOOPS: Phrases = {
    "major": ("I V vi IV", "I vi IV V", "I IV vi V", "I IV V IV", "I iii IV V", "I V IV V"),
    "minor": ("i VI III VII", "i VII VI VII", "i iv VI V7", "i VI VII i", "i iv VII III", "i VI iv V7"),
}
"""The four-chord loops of pop (I-V-vi-IV, I-vi-IV-V ...), played as written (vi-IV-I-V is I-V-vi-IV heard from
its third chord: a loop that starts at home)."""
POP_BALLAD: Phrases = {
    "major": ("I V6 vi IV", "I V6 vi V", "I V6 vi I64 IV I6 ii V", "I V vi IV", "I vi IV V"),
    "minor": ("i v6 iv6 V7", "i v6 VI V7", "i VI III VII", "i VII6 VI V7", "i iv VI V7"),
}
"""The ballad's descending bass (a prompt that says "ballad" or "lament", `Table.by_words`): I-V6-vi (C B A), the full
walk down I-V6-vi-I6/4-IV-I6-ii-V (C B A G F E D G) with its passing 6/4, and minor's lament i-v6-iv6-V (A G
F E)."""
CHROMATIC_POP: Phrases = {"major": ("I bVII IV I", "I IV bVII IV"), "minor": ("i bII VII i",)}

ROCK_LOOPS: Phrases = {
    "major": ("I bVII IV I", "I IV V IV", "I IV I V", "I bVII IV IV", "I V IV IV", "I IV bVII IV", "I IV V V"),
    "minor": ("i VII VI VII", "i VI VII i", "i iv VII i", "i VII iv i", "i VI iv V"),
}
"""Rock riffs' chords: the mixolydian I-bVII-IV, the three-chord I-IV-V, the aeolian i-bVII-bVI."""

REGGAE_LOOPS: Phrases = {
    "major": ("I IV I IV", "I IV V IV", "ii V ii V", "I vi IV V", "I I IV IV", "I IV I V", "I V I V"),
    "minor": ("i iv i iv", "i VII i VII", "i VI VII i", "i iv VII i", "i VII VI VII"),
}
"""Reggae's skanked two- and four-chord riddims: I-IV, I-V, the ii-V, i-iv and i-bVII in minor."""

CINEMATIC_LOOPS: Phrases = {
    "major": ("I bVI bVII I", "I V vi IV", "I bVI IV I", "I IIM IV I", "I iii IV iv", "I IV bVII I"),
    "minor": ("i VI III VII", "i VI VII i", "i VI iv V7", "i III VII IVM", "i iv VI V7", "i VI III V7"),
}
"""A film cue's slow loops (two bars a chord): in major the borrowed chords of the epic sound, the aeolian
bVI-bVII-I, the lydian II, the minor iv, and in minor the major V and the dorian IV, with the plain loops
among them. Why: the real cinematic leads Motif learned from leave the mode on 12-19% of their notes (the flat
third, raised fourth, flat sixth and seventh in major; the raised sixth and seventh in minor), where the pop
loops the style played before kept the line in the key; the melody sounds a chord's notes outside the key where
that chord does (`composer.melody.sample.plan_colour`)."""

FUNK_LOOPS: Phrases = {
    "minor": ("i7 i7 i7 i7", "i7 IV7 i7 IV7", "i7 i7 i7 IV7", "i7 i7 IV7 IV7", "i7 IV7 i7 VII"),
    "aeolian": ("i7 i7 i7 i7", "i7 iv7 i7 iv7", "i7 i7 VII i7"),
    "dorian": ("i7 i7 i7 i7", "i7 IV7 i7 IV7", "i7 i7 IV7 i7"),
    "major": ("I I I I", "I IV7 I IV7", "I I IV7 I"),
    "mixolydian": ("I7 I7 I7 I7", "I7 IV7 I7 IV7", "I7 VII I7 I7"),
}
"""Funk vamps: one chord for bars (i7), or i7 against the dorian IV7 (Em7-A7)."""

AMBIENT_LOOPS: Phrases = {"major": ("I IV", "I vi IV I", "I IV vi IV"), "minor": ("i VI", "i iv VI i", "i VI iv i")}
ANDALUSIAN_LOOPS: Phrases = {"major": ("I IV V IV",), "minor": ("i VII VI V7",), "modal": ("i iv III II",)}
"""The Andalusian cadence (i-bVII-bVI-V), which phrygian reads as iv-bIII-bII-i."""

FUNCTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "major": {"T": ("I", "I", "vi", "vi", "iii"), "PD": ("IV", "ii", "IV"), "D": ("V7", "V7", "V")},
    "minor": {"T": ("i", "i", "VI"), "PD": ("iv", "iv", "iio"), "D": ("V7",)},
}
"""Tonal functions (tonic, predominant, dominant) of the classical styles (baroque, classical, romantic, waltz,
march), in root position; their bass lines figure them (`BASS_FIGURES`). The leading-tone triad is left to
the chorale, which can put it in first inversion; in root position it was the review's complaint."""

BASS_FIGURES: dict[str, dict[str, tuple[str, ...]]] = {
    "major": {"I": ("I", "I", "I6"), "ii": ("ii6", "ii6", "ii"), "IV": ("IV", "IV", "IV6"), "V7": ("V7", "V65"),
              "V": ("V", "V6")},
    "minor": {"i": ("i", "i", "i6"), "iv": ("iv", "iv", "iv6"), "iio": ("iio6",), "V7": ("V7", "V65")},
}
"""How a classical bass line plays a `FUNCTIONS` chord inside a phrase (one of these, drawn evenly): I6 and
IV6, ii6 more often than ii (the usual form of ii before V: the bass steps up 4-5), V6/5 and V6 only into a
root-position tonic (the leading tone in the bass rising to it); minor's ii° always as ii°6. A phrase's first
chord, its cadence (the V or V7 that closes it) and the tonic it goes home to stay on their roots
(`composer.harmony.progressions.figure_bass`)."""

CHORALE_FUNCTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "major": {"T": ("IM", "IM", "vim", "vim", "IM6"), "PD": ("IVM", "iim6", "iim", "IVM"),
              "D": ("VM", "V7", "V65", "viio6"), "cadence": ("VM", "V7"), "home": ("IM",)},
    "minor": {"T": ("im", "im", "VIM"), "PD": ("ivm", "iio6", "ivm"),
              "D": ("VM", "V7", "V65", "#viio6"), "cadence": ("VM", "V7"), "home": ("im",)},
}
"""A chorale's chords, each fixed as a harmony student writes it: vii°6 and V6/5 inside a phrase (the
leading tone in the bass rising to the tonic), ii6 before the dominant, and a root-position V or V7 at
every phrase end (`cadence`) going home to a root-position tonic."""

MODAL_PREDOMINANT: dict[str, str] = {"lydian": "II", "mixolydian": "IV", "phrygian": "iv", "locrian": "iv"}
"""The predominant of the functional kinds in the modes whose V would contradict them (their dominant is
`composer.harmony.progressions.dominant`: IV in mixolydian, bII in phrygian and locrian, V in lydian)."""

FOLK_CHORDS: dict[str, tuple[tuple[str, ...], str]] = {
    "major": (("IV", "IV", "V", "vi"), "V"),
    "minor": (("iv", "VII", "VI"), "V7"),
    "aeolian": (("iv", "VII", "VI"), "VII"),
    "dorian": (("IV", "VII", "IV"), "VII"),
    "mixolydian": (("VII", "IV", "VII"), "VII"),
    "lydian": (("II", "V", "II"), "II"),
    "phrygian": (("II", "vii", "II"), "II"),
    "locrian": (("II", "vii"), "II"),
}
"""Folk tunes' primary chords per mode (the others, and the chord that closes a phrase)."""

JAZZ: Phrases = {
    "major": ("I | vi | ii | V7", "ii | V7 | I | I", "I | IV | iii vi | ii V7", "ii V7 | I | ii V7 | I",
              "I vi | ii V7 | I | V7", "I | IV | ii | V7", "I | iii vi | ii | V7"),
    "minor": ("i | iv | iih7 V7 | i", "iih7 | V7 | i | i", "i | VI | iih7 | V7", "i | iv | VII | III"),
}
"""ii-V-I, I-vi-ii-V and iii-vi-ii-V phrases with their turnarounds."""
JAZZ_CHROMATIC: Phrases = {
    "major": ("I | VI7 | ii | V7", "I vi | ii V7 | iii VI7 | ii V7", "I | #Io7 | ii | V7"),
    "minor": ("i | bII | V7 | i",),
}
"""The secondary dominants (VI7-ii-V7-I, II7-V7) and the diminished passing chord (I-#I°7-ii) of jazz,
bossa nova and samba; every major template has its ii-V."""

SAMBA: Phrases = {
    "major": ("I vi | ii V7 | I vi | ii V7", "I VI7 | ii V7 | I I | ii V7", "I #Io7 | ii V7 | I VI7 | ii V7",
              "ii V7 | I I | ii V7 | I VI7", "I I | II7 II7 | ii V7 | I I", "I I7 | IVM ivm | I VI7 | ii V7"),
    "minor": ("iih7 V7 | im im | iih7 V7 | im im", "im VI | iih7 V7 | im ivm | V7 V7",
              "im ivm | VII III | VI iih7 | V7 im", "im im | iih7 V7 | im VI7 | iih7 V7"),
}
"""Samba: ii-V-I, the VI7-ii-V7-I cycle, I-#I°7-ii-V passing, the II7 (V7/V) and I-I7-IV-iv."""

SALSA: Phrases = {
    "major": ("I IVM | V7 IVM | I IVM | V7 IVM", "I IVM | V7 V7 | I IVM | V7 IVM", "ii V7 | ii V7 | ii V7 | I I",
              "I I | ii V7 | I I | ii V7", "I IVM | V7 IVM | ii V7 | I I"),
    "minor": ("im ivm | V7 V7 | im ivm | V7 im", "im VII | VI V7 | im VII | VI V7", "im ivm | V7 ivm | im ivm | V7 V7",
              "iih7 V7 | im im | iih7 V7 | im im", "im VII | VI V7 | im ivm | V7 im"),
}
"""Salsa and son montuno (the latin kind's own unless the prompt says samba): the montuno's I-IV-V-IV, the
two-chord ii-V vamp and ii-V-I turns in major; i-iv-V7 and the descending i-bVII-bVI-V7 in minor."""

LATIN_BY_WORDS: tuple[tuple[tuple[str, ...], Phrases], ...] = ((("samba",), SAMBA),)
"""Which words of a prompt pick another table of the latin kind (as `composer.styles.GROOVE_FITS` picks the
samba groove within latin); the rest (salsa, mambo, son, cha-cha) play SALSA."""

TANGO: Phrases = {
    "minor": ("im | im | V7 | V7", "im | ivm | V7 | im", "im | VI | V7 | im", "ivm | im | V7 | im",
              "im | V7 | V7 | im", "VI | V7 | im | im", "im ivm | V7 | im ivm | V7"),
    "major": ("IM | V7 | V7 | IM", "IM | IVM | V7 | IM", "IM | ii | V7 | IM", "IM | V7 | IVM V7 | IM"),
}
"""Tango: i-V7 for bars on end, the iv, and the VI-V descent."""

RAGTIME: Phrases = {
    "major": ("IM | IM | V7 | IM", "IM | VI7 | II7 | V7", "IM | III7 | VI7 | II7 V7", "IVM | IM | II7 | V7",
              "IM | I7 | IVM | #IVo7", "IM | VI7 | II7 V7 | IM"),
}
"""Ragtime's circle of fifths through secondary dominants (III7-VI7-II7-V7-I) and the IV-#iv°7 rise."""

GOSPEL: Phrases = {
    "major": ("IM | I7 | IVM | ivm", "IM | vi | ii | V7", "IM | IVM | IM | V7", "IM IVM | IM | ii V7 | IM",
              "IM | I7 | IVM | #IVo7", "IVM | IM | IVM | V7", "IM | IM6 | IVM | #IVo7", "IM V6 | vi IM64 | IVM IM6 | ii V7",
              "IVM | IM64 | ii | V7"),
}
"""Gospel: I-I7-IV-iv, plagal I-IV-I, I-vi-ii-V, the I7 into IV, the walk-up I-I6-IV-#iv°7 (C E F F# in the
bass), the walk down I-V6-vi-I6/4-IV-I6 and IV-I6/4 before the ii-V."""

KLEZMER: Phrases = {
    "freygish": ("IM | ivm | IM | IM", "IM | IIM | IM | IM", "IM | viim | IM | IIM", "ivm | IM | IIM | IM",
                 "IM | ivm | viim | IM", "IM IIM | IM | ivm | IM"),
    "minor": ("im | ivm | V7 | im", "im | ivm | bIIM | V7", "im | V7 | ivm | im", "ivm | im | V7 | im",
              "im | im | ivm V7 | im"),
}
"""Klezmer: freygish (phrygian dominant: the parser's default mode for klezmer is phrygian, see `harmony_key`) on
a MAJOR tonic with the minor iv and vii and the bII that closes (D, Gm, Cm, Eb in D); a minor klezmer i-iv-V7."""

BLUES: dict[str, dict[int, str]] = {
    "major": {
        12: "I7 | IV7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        8: "I7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        16: "I7 | I7 | I7 | I7 | I7 | I7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        4: "I7 | IV7 | V7 | I7",
    },
    "minor": {
        12: "i7 | iv7 | i7 | i7 | iv7 | iv7 | i7 | i7 | VI7 | V7 | i7 | V7",
        8: "i7 | iv7 | i7 | i7 | V7 | iv7 | i7 | V7",
        16: "i7 | i7 | i7 | i7 | i7 | i7 | i7 | i7 | iv7 | iv7 | i7 | i7 | VI7 | V7 | i7 | V7",
        4: "i7 | iv7 | V7 | i7",
    },
}
"""The blues forms: dominant sevenths on I, IV and V, bar 11 on I7 and bar 12 the V7 turnaround (the last
chorus ends on I7). The forms carry their cadence, so the planner does not put another one in bar 11."""

TABLES: dict[str, Table] = {
    "pop_loop": Table(POP_LOOPS, ((("ballad", "lament"), POP_BALLAD),)),
    "rock": Table(ROCK_LOOPS),
    "reggae": Table(REGGAE_LOOPS),
    "funk": Table(FUNK_LOOPS),
    "cinematic": Table(CINEMATIC_LOOPS),
    "modal_vamp": Table(MODAL_LOOPS),
    "modal_drone": Table(MODAL_LOOPS),
    "minimal_pad": Table(AMBIENT_LOOPS),
    "andalusian": Table(ANDALUSIAN_LOOPS),
    "jazz_ii_v_i": Table(JAZZ),
    "latin": Table(SALSA, LATIN_BY_WORDS, home={"minor": "im"}),
    "tango": Table(TANGO, home={"minor": "im", "major": "IM"}),
    "ragtime_circle": Table(RAGTIME, home={"major": "IM"}),
    "gospel": Table(GOSPEL, cadence={"major": "IVM", "minor": "ivm"}),
    "klezmer": Table(KLEZMER, home={"freygish": "IM", "minor": "im"}, cadence={"freygish": "IIM"}, pedal=False,
                     half={"freygish": "viim"}),
    "blues_12": Table({"major": tuple(BLUES["major"].values()), "minor": tuple(BLUES["minor"].values()),
                       "modal": tuple(BLUES["minor"].values())},
                      home={"major": "I7", "minor": "i7", "modal": "i7"}, cadence={"major": "V7", "minor": "V7",
                      "modal": "V7"}, cadenced=True, pedal=False),
    "functional": Table({}, applied={"major": "II7"}),
    "chorale_functional": Table({}, home={"major": "IM", "minor": "im"}),
    "folk_simple": Table({}),
}
"""Every harmony kind's table (the functional kinds draw from FUNCTIONS / CHORALE_FUNCTIONS, folk from
FOLK_CHORDS; their `phrases` stay empty)."""


def phrases_for(kind: str, prompt: str) -> Phrases:
    """A kind's phrases for a prompt: those of the first `Table.by_words` row whose word the prompt holds (a
    samba within latin), else the table's own (salsa)."""
    table = TABLES[kind]
    text = f" {prompt.lower()} "
    return next((phrases for words, phrases in table.by_words if any(w in text for w in words)), table.phrases)


def harmony_key(mode: str, flavour: str, mode_stated: bool) -> str:
    """The key the tables are read under: "freygish" for a klezmer (flavour "freygish") whose phrygian is the
    parser's reading of the genre, not the user's word; a user who says "phrygian" gets phrygian, minor tonic
    and all (the obedience checks hear a major tonic as major). Otherwise the mode itself."""
    return "freygish" if flavour == "freygish" and mode == "phrygian" and not mode_stated else mode


def family(mode: str) -> str:
    """"major", "minor" (the tonal minor modes) or "modal" (phrygian, locrian), the tables' fallback keys."""
    if mode in MAJOR_THIRD_MODES:
        return "major"
    return "minor" if mode in TONAL_MINOR_MODES else "modal"


def for_mode(entries: dict[str, str] | Phrases, mode: str) -> str | tuple[str, ...] | None:
    """A table entry for a mode: its own, else its family's, else None."""
    return entries.get(mode, entries.get(family(mode)))


_LEADING = {"mixolydian": "IV", "phrygian": "II", "locrian": "II", "lydian": "V"}
"""The chord that leads home in a mode whose V7 would contradict it (else V7)."""


def leading(mode: str) -> str:
    """The token of the chord that leads home in this mode: V7, or IV / bII / V where V7 would contradict it."""
    return _LEADING.get(mode, "V7")


def playable(kind: str, mode: str, key: str | None = None) -> frozenset[str]:
    """Every token a harmony kind's plan may hold in a mode: its table's chords for the mode, the mode's vamp
    (every kind falls back to it in a mode it has no progressions for), its home and cadence chords, and the
    functional chords a kind falls back to. What the tests hold every style's plan to."""
    table = TABLES[kind]
    key = key or mode
    tokens: set[str] = set()
    for phrases in (table.phrases, *(p for _, p in table.by_words)):
        for template in (for_mode(phrases, key) or ()):
            tokens.update(template.replace("|", " ").split())
    extra: list[tuple[str, ...]] = [MODAL_LOOPS[mode], tuple(CHROMATIC_POP.get(family(mode), ()))]
    if kind in ("jazz_ii_v_i",):
        extra.append(tuple(JAZZ_CHROMATIC.get(family(mode), ())))
    functions = CHORALE_FUNCTIONS if kind == "chorale_functional" else FUNCTIONS
    if kind in ("functional", "chorale_functional", "ragtime_circle", "gospel", "klezmer", "tango"):
        extra.extend(functions["major" if mode == "major" else "minor"].values())
        if kind != "chorale_functional":
            extra.extend(BASS_FIGURES["major" if mode == "major" else "minor"].values())
        extra.append(("I", MODAL_PREDOMINANT.get(mode, "IV"), leading(mode).rstrip("7")))
    if kind == "folk_simple":
        others, home = FOLK_CHORDS[mode]
        extra.append((*others, home, "I"))
    for group in extra:
        for template in group:
            tokens.update(template.replace("|", " ").split())
    tokens.update(str(t) for t in (for_mode(table.home, key), for_mode(table.cadence, key),
                                   for_mode(table.half, key), for_mode(table.applied, key)) if t)
    tokens.update(("I", "IV", leading(mode)))
    return frozenset(tokens)
