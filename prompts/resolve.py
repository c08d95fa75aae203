"""From a `Reading` (what the user stated) to a complete `Spec` (every field decided).

Precedence for every field: what the user stated, then what the moods imply, then the genre's defaults,
then Motif's defaults. Choices that were not stated are explained in `Spec.notes` where the user would
wonder ("no key given: chose D minor for moody jazz").
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

from prompts.errors import ParseError
from prompts.limits import MAX_PARTS
from prompts.music import MINOR_THIRD_MODES
from prompts.reading import Reading
from prompts.spec import Instrument, Section, Spec
from prompts.words.form import fit_form
from prompts.words.genres import GENRES, JAZZ_CONTEXT, GenreInfo, is_band
from prompts.words.instruments import DRUM_WORDS, GENERIC_BY_GENRE, GROUPS, family_role, gm_name
from prompts.words.lexicon import lookup
from prompts.words.moods import MOODS, MoodInfo
from prompts.words.progressions import fits_key, infer_key
from prompts.words.timing import TEMPO_WORDS, bars_for_duration, tempo_in_range

DEFAULT_TEMPO_RANGE = (90, 120)
DEFAULT_MAJOR_TONICS = ("C", "G", "D", "F", "A", "Bb")
DEFAULT_MINOR_TONICS = ("A", "D", "E", "C", "G")


@dataclass(frozen=True)
class Defaults:
    """What a Discord server's style fills in where a prompt is silent, as data (`prompts.parse.parse` reads
    the prompt once with them): a genre (canonical id) where the prompt names none, and instruments (names as
    a moderator wrote them) where it names none. What they fill counts as stated, as if typed after the prompt,
    so everything the genre implies (tempo, meter, band) follows, and a later remix keeps them."""

    genre: str | None = None
    instruments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    """The bar limits a resolution must respect (from ParseConfig)."""

    max_bars: int
    default_bars: int


def family(mode: str) -> str:
    """"minor" for modes with a minor third, else "major"."""
    return "minor" if mode in MINOR_THIRD_MODES else "major"


def choose_mode(reading: Reading, genre: GenreInfo | None, moods: list[MoodInfo]) -> str:
    """Stated mode, else the first mood's colour (keeping the genre's mode if it is the same family).

    A key named without a mode ("in C") is major, or the genre's mode, unless a mood word the user said
    colours it ("a sad ballad in C" is C minor); a mood the text encoder only guessed from an unknown word
    ("heartfelt", nearest to sad) does not make "in C" minor."""
    if reading.mode:
        return reading.mode
    guessed = set(reading.guessed_moods) if reading.tonic is not None else set()
    mood_mode = next((m.mode for m in moods if m.mode and m.id not in guessed), None)
    if mood_mode and genre and family(genre.mode) == family(mood_mode):
        return genre.mode
    return mood_mode or (genre.mode if genre else "major")


def choose_tonic(prompt: str, mode: str, genre: GenreInfo | None, moods: list[MoodInfo]) -> str:
    """A usual tonic for the genre (varied by prompt, stable for the same prompt), else the mood's."""
    minor = family(mode) == "minor"
    if genre:
        options = genre.minor_tonics if minor else genre.major_tonics
    elif moods:
        return moods[0].tonic
    else:
        options = DEFAULT_MINOR_TONICS if minor else DEFAULT_MAJOR_TONICS
    return options[zlib.crc32(prompt.strip().lower().encode("utf-8", "replace")) % len(options)]


def choose_tempo(reading: Reading, genre: GenreInfo | None, moods: list[MoodInfo]) -> int:
    """Stated bpm, else the middle of a tempo word's range, else the genre range nudged by the moods."""
    if reading.tempo_bpm is not None:
        return reading.tempo_bpm
    if reading.tempo_word is not None:
        low, high = TEMPO_WORDS[reading.tempo_word]
        return tempo_in_range(low, high)
    low, high = genre.tempo_bpm if genre else DEFAULT_TEMPO_RANGE
    tendency = sum(m.tempo for m in moods) / len(moods) if moods else 0.0
    return tempo_in_range(low, high, tendency)


def choose_bars(reading: Reading, limits: Limits, tempo_bpm: int, bar_quarters: float) -> int:
    """Stated bars, else a duration converted at the chosen tempo, else a length word, else the default."""
    if reading.bars is not None:
        asked, what = reading.bars, str(reading.bars)
    elif reading.duration_s is not None:
        asked = bars_for_duration(reading.duration_s, tempo_bpm, bar_quarters)
        what = f"{asked} ({reading.duration_s:g} s at {tempo_bpm} bpm)"
    elif reading.length_bars is not None:
        return min(reading.length_bars, limits.max_bars)
    else:
        return max(1, min(limits.default_bars, limits.max_bars))
    if asked < 1:
        raise ParseError(f"A piece needs at least 1 bar; you asked for {asked}.")
    if asked > limits.max_bars:
        raise ParseError(f"Motif writes at most {limits.max_bars} bars at a time; you asked for {what}.")
    return asked


def _part_members(part_word: str, program: int | None, group: str | None, genre: str | None) -> list[tuple[int, str | None]]:
    if group is not None:
        if group == "piano trio" and genre in JAZZ_CONTEXT:
            group = "jazz trio"
        return list(GROUPS[group].members)
    phrase = lookup(part_word)
    generic = GENERIC_BY_GENRE.get(phrase.text if phrase else part_word, {})
    return [(generic.get(genre or "", program if program is not None else 0), None)]


def choose_instruments(reading: Reading, genre: GenreInfo | None, notes: list[str],
                       prompt: str = "") -> tuple[Instrument, ...]:
    """Exactly the instruments named (roles assigned), else the genre's defaults, else a piano.

    "solo piano" is that instrument alone (an ensemble named solo keeps its members). Named basses play the
    bass ("synth bass", "808", "upright bass"); when nothing else was named the style's lead is added for
    the melody, since a bass playing the tune is not what anyone asked for.
    """
    gid = genre.id if genre else None
    if reading.parts:
        parts: list[tuple[int, str | None]] = []
        for part in reading.parts:
            parts += _part_members(part.word, part.program, part.group, gid)
        if is_solo(reading) and reading.parts[0].group is None:
            return (Instrument(gm_name(parts[0][0]), parts[0][0], "melody"),)
        players = line_up_size(reading, parts, prompt)
        if not is_solo(reading) and all((hint or family_role(p)) == "bass" for p, hint in parts):
            lead = style_lead(genre)
            notes.append(f"no melody instrument named: {gm_name(lead)} plays the tune over the {reading.parts[0].word}")
            parts.insert(0, (lead, "melody"))
        if len(parts) > MAX_PARTS:
            raise ParseError(f"Motif writes at most {MAX_PARTS} instruments in one piece (besides drums); "
                             f"that request names {len(parts)}. Name fewer, or ask for a smaller ensemble.")
        named = style_roles(parts, genre)
        if is_solo(reading) or players >= FULL_LINE_UP:
            return named
        return named + rhythm_section(named, genre, reading, notes)
    excluded = _excluded(reading, gid)
    defaults = [(p, r) for p, r in (genre.instruments if genre else ((0, "melody"),)) if p not in excluded]
    if not defaults:
        defaults = [(0, "melody")]
    return tuple(Instrument(gm_name(p), p, role) for p, role in defaults)


def style_roles(parts: list[tuple[int, str | None]], genre: GenreInfo | None,
                lead: int | None = None) -> tuple[Instrument, ...]:
    """Roles for the named (program, hinted role) parts as the style and the instruments have them, not the
    order of the words: "salsa with piano montuno, trumpet and drums" is the trumpet's tune over the piano's
    montuno. The lead (`lead_index`, or `lead` where the user chose it: a remix keeps the lead that was set)
    plays the melody; the others play their hinted role, else their family's (keys and guitars comp, pads
    hold, basses play the bass, other melodic instruments answer in a counter line: a cello beside a violin
    is a second voice, not the bass); a hinted melody after the lead comps or answers. Remix instrument edits
    (`prompts.edit.ensemble`) give roles through here too, so a line-up gets the same roles either way."""
    lead = lead_index(parts, genre) if lead is None else lead
    result = []
    for index, (program, hint) in enumerate(parts):
        family = family_role(program)
        role = "melody" if index == lead else hint or family
        if index != lead and role == "melody":
            role = "chords" if family == "chords" else "counter"
        result.append(Instrument(name=gm_name(program), program=program, role=role))
    return tuple(result)


def lead_index(parts: list[tuple[int, str | None]], genre: GenreInfo | None) -> int:
    """Which named part carries the tune: the first melodic one (`is_melodic`), in the user's order, since a
    band's keys and guitars comp when one is there; else the first part that is no bass (a funk clavinet over
    a slap bass plays the riff); a bass never leads while anyone else plays."""
    playing = [i for i, (program, hint) in enumerate(parts) if (hint or family_role(program)) != "bass"]
    melodic = [i for i in playing if is_melodic(parts[i][0], genre)]
    return next(iter(melodic or playing), 0)


def is_melodic(program: int, genre: GenreInfo | None) -> bool:
    """An instrument that leads wherever it plays: a sax, trumpet, flute, violin, whistle, synth lead
    (`family_role` "counter"), or the style's own lead (tango's bandoneon, gospel's choir)."""
    return family_role(program) == "counter" or (genre is not None and program == style_lead(genre))


FULL_LINE_UP = 3
"""Named parts that make a line-up of the user's own: "sax, piano and bass" is the band they asked for, and so
is "sax, bass and drums" (a bebop trio has no piano): the drums count when the user names them."""


def line_up_size(reading: Reading, parts: list[tuple[int, str | None]], prompt: str) -> int:
    """How many players the user named: their `parts` (an ensemble's members), and the drummer where the prompt
    names one beside a bass, the two that keep a band's time ("sax, bass and drums" is a bebop trio, "guitar,
    bass and drums" a power trio: three players, not two parts short of a band; "trumpet, sax and drums" still
    lacks a rhythm section). A lead Motif adds over a lone bass is not one of them, nor is a "trap beat" a
    drummer."""
    text = prompt.lower()
    drummer = reading.drums and any(re.search(rf"\b{re.escape(word)}\b", text) for word in DRUMMER_WORDS)
    bass = any((hint or family_role(program)) == "bass" for program, hint in parts)
    return len(parts) + (1 if drummer and bass else 0)


DRUMMER_WORDS: tuple[str, ...] = tuple(word for word in DRUM_WORDS if word not in ("beat", "beats"))
"""The drum words that name a player in a line-up ("a beat" is the whole track)."""
RHYTHM_ROLES: tuple[tuple[str, ...], ...] = (("bass",), ("chords", "pad"))
"""The rhythm section a style's band has: a bass, and a chord instrument (or a pad where the style comps with
one: trap, synthwave)."""


def rhythm_section(named: tuple[Instrument, ...], genre: GenreInfo | None, reading: Reading,
                   notes: list[str]) -> tuple[Instrument, ...]:
    """The style's bass and chord players that the named instruments leave out: "bebop with alto sax and
    drums" is a band with a bass and a piano, as the style has them; a named instrument keeps its role (a named
    piano in a trio comps). Nothing for a style that is no band (`prompts.words.genres.is_band`), for "solo" / "just" / "only", a named ensemble
    or a line-up of three or more (named drums count: `line_up_size`; an ensemble counts its members: a string quartet is one, an "808" is a bass), and
    nothing the user excluded ("no bass")."""
    if genre is None or not is_band(genre):
        return ()
    excluded = _excluded(reading, genre.id)
    have = {inst.role for inst in named}
    added: list[Instrument] = []
    for roles in RHYTHM_ROLES:
        if have & set(roles):
            continue
        pick = next(((p, r) for p, r in genre.instruments if r in roles and p not in excluded), None)
        if pick is not None and not any(inst.program == pick[0] for inst in named):
            added.append(Instrument(gm_name(pick[0]), pick[0], pick[1]))
    if added:
        names = " and ".join(f"{inst.name.lower()} ({inst.role})" for inst in added)
        notes.append(f"added the {genre.id.replace('_', ' ')} rhythm section: {names}; say 'solo' or 'only' "
                     "to hear just what you named")
    return tuple(added)


def is_solo(reading: Reading) -> bool:
    """One instrument (or ensemble) named with "solo", "alone", "unaccompanied"...: no drums, nothing added."""
    return reading.solo and len(reading.parts) == 1


def style_lead(genre: GenreInfo | None) -> int:
    """The program that carries the genre's melody (a piano without a genre)."""
    melody = [program for program, role in genre.instruments if role == "melody"] if genre else []
    return melody[0] if melody else 0


def _excluded(reading: Reading, genre_id: str | None) -> set[int]:
    """Programs the user excluded ("no bass", "without drums"), as the genre names its instruments."""
    return {p for word in reading.excluded for p, _ in _part_members(word, _program(word), None, genre_id)}


def _program(word: str) -> int | None:
    phrase = lookup(word)
    return int(phrase.value) if phrase and phrase.kind in ("instrument", "approx") else None


def resolve(reading: Reading, prompt: str, limits: Limits) -> Spec:
    """The complete Spec for a reading; `Spec.explicit` lists exactly the fields the user stated."""
    genre_id = reading.genre or reading.implied_genre
    genre = GENRES.get(genre_id) if genre_id else None
    moods = [MOODS[m] for m in reading.moods]
    tonic, mode, key_note = choose_key(reading, prompt, genre, moods)
    tempo_bpm = choose_tempo(reading, genre, moods)
    meter = reading.time_signature or (genre.meter if genre else "4/4")
    num, den = (int(x) for x in meter.split("/"))
    bars = choose_bars(reading, limits, tempo_bpm, num * 4.0 / den)
    notes = list(reading.notes)
    instruments = choose_instruments(reading, genre, notes, prompt)
    solo = is_solo(reading)
    drums = reading.drums if reading.drums is not None else (False if solo else bool(genre and genre.drums))
    if key_note:
        notes.append(key_note)
    chords, chords_per_bar = choose_chords(reading, tonic, mode, notes)
    bars = fit_bars(reading, bars, len(chords) / chords_per_bar, limits, notes)
    form = choose_form(reading, bars, limits, notes)
    bars = sum(section.bars for section in form) or bars
    return Spec(
        prompt=prompt, tonic=tonic, mode=mode, tempo_bpm=tempo_bpm, time_signature=meter, bars=bars,
        genre=genre.id if genre else None, moods=tuple(reading.moods), instruments=instruments, drums=drums,
        density=_density(reading, moods), register=_register(reading, moods),
        chords=chords, chords_per_bar=chords_per_bar, form=form,
        ending=(reading.form.ending if reading.form else None) or "tonic", explicit=explicit_fields(reading, solo),
        notes=tuple(notes),
    )


def choose_form(reading: Reading, bars: int, limits: Limits, notes: list[str]) -> tuple[Section, ...]:
    """The user's sections with their bars (`prompts.words.form.fit_form`), fitted to a length they stated;
    empty when they named no form (the style's shape)."""
    if reading.form is None:
        return ()
    if not reading.form.sections:
        if reading.form.key_change:
            notes.append("a key change needs sections to change between ('verse, chorus, chorus with a key change "
                         "for the last chorus'): the piece stays in one key")
        return ()
    return fit_form(reading.form, bars if _length_stated(reading) else None, limits.max_bars, notes)


def _length_stated(reading: Reading) -> bool:
    return any(x is not None for x in (reading.bars, reading.duration_s, reading.length_bars))


def fit_bars(reading: Reading, bars: int, cycle_bars: float, limits: Limits, notes: list[str]) -> int:
    """A length the user did not state, made long enough to play their progression once through (a
    quick-change blues is 12 bars, not the default 8); a stated length stands."""
    stated = _length_stated(reading)
    needed = min(math.ceil(cycle_bars), limits.max_bars)
    if stated or needed <= bars:
        return bars
    notes.append(f"{needed} bars: once through the progression")
    return needed


def choose_key(reading: Reading, prompt: str, genre: GenreInfo | None,
               moods: list[MoodInfo]) -> tuple[str, str, str]:
    """Tonic, mode and the note that explains a key the user did not state: the key the chords are in when
    the prompt gives chord symbols, else the stated key, else the style's (in the mode numerals imply:
    "i-bVI-bVII" is minor)."""
    progression = reading.progression
    symbols = (progression.symbols if progression else []) or section_symbols(reading)
    if symbols and (reading.tonic is None or reading.mode is None):
        tonic, mode = infer_key(symbols, reading.tonic, reading.mode)
        return tonic, mode, "" if reading.tonic else f"no key given: read {tonic} {mode} from the chords"
    mode = choose_mode(reading, genre, moods)
    if progression and progression.mode and reading.mode is None and family(progression.mode) != family(mode):
        mode = progression.mode
    if reading.tonic is not None:
        return reading.tonic, mode, ""
    tonic = choose_tonic(prompt, mode, genre, moods)
    reason = " ".join([*reading.moods, genre.id if genre else ""]).strip() or "no genre or mood"
    return tonic, mode, f"no key given: chose {tonic} {mode} for '{reason}'"


def section_symbols(reading: Reading) -> list[str]:
    """The chords the user gave sections, in the order the sections come: what the key is read from when the
    piece has no progression of its own, so the sections the style harmonises are in the key of those the user
    did (a verse over Am F C G and a chorus in some other key would not be one song)."""
    form = reading.form
    if form is None:
        return []
    order = [*form.names, *form.chords]
    return [c for name in dict.fromkeys(order) for c in form.chords.get(name, [])]


def choose_chords(reading: Reading, tonic: str, mode: str, notes: list[str]) -> tuple[tuple[str, ...], float]:
    """The user's progression in the piece's key, and its chords per bar (one a bar unless stated); notes say
    how numerals and names were read and when a stated key does not fit the chords."""
    progression = reading.progression
    if progression is None:
        return (), 1.0
    chords = tuple(progression.realise(tonic, mode))
    if chords and progression.numerals:
        notes.append(f"read '{progression.said}' as {' '.join(chords)} in {tonic} {mode}")
    elif chords and reading.tonic is not None and not fits_key(list(chords), tonic, mode):
        heard = " ".join(infer_key(list(chords)))
        notes.append(f"the chords {' '.join(chords)} sound like {heard}, not {tonic} {mode}; "
                     "keeping the key you asked for")
    notes.extend(progression.notes)
    return chords, progression.per_bar or 1.0


def _density(reading: Reading, moods: list[MoodInfo]) -> float:
    if reading.density is not None:
        return reading.density
    return round(sum(m.density for m in moods) / len(moods), 3) if moods else 0.5


def _register(reading: Reading, moods: list[MoodInfo]) -> int:
    if reading.register is not None:
        return reading.register
    total = sum(m.register for m in moods)
    return (total > 0) - (total < 0)


def explicit_fields(reading: Reading, solo: bool) -> tuple[str, ...]:
    """The Spec fields the prompt itself stated (as opposed to inferred from genre, mood or defaults)."""
    stated = {
        "tonic": reading.tonic is not None,
        "mode": reading.mode is not None,
        "tempo_bpm": reading.tempo_bpm is not None or reading.tempo_word is not None,
        "time_signature": reading.time_signature is not None,
        "bars": any(x is not None for x in (reading.bars, reading.duration_s, reading.length_bars)),
        "genre": (reading.genre or reading.implied_genre) is not None,
        "moods": bool(reading.moods),
        "instruments": bool(reading.parts),
        "drums": reading.drums is not None or solo,
        "density": reading.density is not None,
        "register": reading.register is not None,
        "chords": bool(reading.progression and (reading.progression.symbols or reading.progression.numerals)),
        "form": reading.form is not None,
    }
    return tuple(name for name, is_stated in stated.items() if is_stated)
