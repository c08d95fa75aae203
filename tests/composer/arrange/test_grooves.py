"""The committed groove library and its player: what the file holds, which groove a style gets, and how a
groove's chord-relative notes come out over a harmony plan (read from the Tracks the arranger writes)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from composer.arrange import arrange
from composer.arrange.accompaniment import Context
from composer.arrange.groove_play import groove_bass, groove_chords, groove_drums, plan_bars
from composer.arrange.grooves import (
    GROOVE_TEXTS_PATH,
    GROOVES_PATH,
    GrooveSet,
    choose_grooves,
    groove_note,
    load_groove_texts,
    load_library,
    to_groove,
)
from composer.harmony.plan import plan_harmony
from composer.meter import meter_of
from composer.piece import Chord
from composer.styles import GROOVE_FITS, STYLES, style_for
from composer.theory import chord_pcs, scale_pcs
from prompts.spec import Instrument, Section, Spec
from tests.composer.arrange.test_arrange import ChordToneMelody


def test_the_file_is_small_licensed_and_holds_the_four_libraries() -> None:
    library = load_library()
    assert GROOVES_PATH.stat().st_size < 2_000_000
    assert "GPL" in library.notice and "version 2" in library.notice and "not merged" in library.notice
    assert len(library.rows) >= 1300
    assert {family.split("/")[0] for family in library.by_family} == {"stdlib", "pflib", "kara", "alexis"}
    variants = {row["variant"] for row in library.rows}
    assert {"main", "sus", "plus", "fill", "intro", "end"} <= variants
    assert sum(bool(text) for text in library.families.values()) > 100  # the files' Doc descriptions


def test_loading_is_cached() -> None:
    """The groove file is read once per process (its load time is a benchmark figure, `motif bench`, not a
    test's: timed tests fail on a busy machine)."""
    load_library.cache_clear()
    first = load_library()
    assert load_library() is first


def test_every_family_the_styles_name_exists_and_every_style_is_a_motif_style() -> None:
    library = load_library()
    named = {family for fits in GROOVE_FITS.values() for fit in fits for family in fit.families}
    assert named <= set(library.by_family), sorted(named - set(library.by_family))
    assert set(GROOVE_FITS) - {"default"} <= set(STYLES)


@pytest.mark.parametrize(("genre", "prompt", "family"), [
    ("latin", "an energetic samba in D", "stdlib/samba"),
    ("latin", "salsa in C minor", "stdlib/salsa"),
    ("bossa_nova", "bossa nova in Bb", "stdlib/bossanova"),
    ("tango", "a dramatic tango", "stdlib/tango"),
    ("jazz", "fast bebop in F", "stdlib/swing"),  # MMA's own bebop keeps time on an unswung hi-hat
    ("reggae", "a ska tune", "stdlib/ska"),
    ("polka", "a polka", "stdlib/polka"),
])
def test_prompt_words_pick_the_sub_style(genre: str, prompt: str, family: str) -> None:
    for seed in range(3):
        grooves = choose_grooves(Spec(prompt=prompt, genre=genre, tempo_bpm=120, seed=seed))
        assert grooves is not None and grooves.main.family == family


def test_meter_and_tempo_choose_among_families() -> None:
    waltz = choose_grooves(Spec(genre="jazz", time_signature="3/4", seed=1))
    assert waltz is not None and waltz.main.time_signature == "3/4" and "waltz" in waltz.main.family
    fast = choose_grooves(Spec(genre="jazz", tempo_bpm=220, seed=1))
    assert fast is not None and fast.main.family in ("stdlib/bebop", "stdlib/fastswing")
    assert choose_grooves(Spec(genre="trap", seed=1)) is None  # no trap groove in MMA: Motif's own patterns
    assert choose_grooves(Spec(genre="rock", time_signature="7/8", seed=1)) is None


def _context(spec: Spec, chords: list[Chord]) -> Context:
    return Context(spec, meter_of(spec), chords, np.random.default_rng(0))


def _set(name: str, walk: bool = False) -> GrooveSet:
    row = next(r for r in load_library().rows if r["name"] == name)
    return GrooveSet(to_groove(row), walk=walk)


CHORDS = [Chord(0.0, 4.0, 2, "m7", "Dm7"), Chord(4.0, 4.0, 7, "7", "G7"), Chord(8.0, 8.0, 0, "maj7", "Cmaj7")]


def test_a_walking_bass_names_each_chord_by_its_root_and_stays_in_key() -> None:
    spec = Spec(tonic="C", mode="major", bars=4, genre="jazz")
    grooves = _set("SwingWalk", walk=True)
    notes = groove_bass(_context(spec, CHORDS), grooves, plan_bars(spec, grooves), (28, 52), False)
    for chord in CHORDS:
        (first,) = [n for n in notes if n.start == chord.start]
        assert first.pitch % 12 == chord.root_pc
    assert all(28 <= n.pitch <= 52 for n in notes)
    key = set(scale_pcs("C", "major"))
    outside = [n for n in notes if n.pitch % 12 not in key]
    assert len(outside) <= len(notes) // 4  # chromatic approach notes only
    assert len({n.pitch for n in notes}) >= 6


def test_chord_hits_sound_the_plan_and_move_smoothly() -> None:
    spec = Spec(tonic="C", mode="major", bars=4, genre="bossa_nova")
    grooves = _set("BossaNova")
    notes = groove_chords(_context(spec, CHORDS), grooves, plan_bars(spec, grooves), (48, 76), 4, "chords", False)
    for chord in CHORDS:
        sounding = {n.pitch % 12 for n in notes if chord.start <= n.start < chord.end}
        assert sounding and sounding <= set(chord_pcs(chord.root_pc, chord.quality))
    assert all(n.end <= next(c.end for c in CHORDS if c.start <= n.start < c.end) + 1e-9 for n in notes)
    onsets = sorted({n.start for n in notes})
    assert len(onsets) > 8 and any(t % 1 for t in onsets)  # syncopated hits, not a chord per bar


def test_each_bar_plays_its_bar_of_the_sequence_and_fills_close_sections() -> None:
    spec = Spec(genre="bossa_nova", bars=16, drums=True, form=(Section("A", 8), Section("B", 8)), seed=3)
    grooves = choose_grooves(spec)
    assert grooves is not None and grooves.fill is not None and grooves.main.bars > 1
    plans = plan_bars(spec, grooves)
    assert [p.seq_bar for p in plans[:4]] == list(range(4))[: grooves.main.bars] * (4 // grooves.main.bars)
    assert [bar for bar, p in enumerate(plans) if p.fill] == [7]
    track = groove_drums(spec, grooves, plans, False, np.random.default_rng(0))
    bars = [frozenset((round(n.start % 4, 3), n.pitch) for n in track.notes if b * 4 <= n.start < b * 4 + 4)
            for b in range(15)]
    assert bars[7] != bars[3] and len(set(bars)) >= 3


def test_intro_and_outro_sections_play_the_grooves_intro_and_ending() -> None:
    form = (Section("intro", 4), Section("verse", 8), Section("outro", 4))
    spec = Spec(genre="bossa_nova", bars=16, drums=True, form=form, seed=1)
    grooves = choose_grooves(spec)
    assert grooves is not None and grooves.intro is not None and grooves.end is not None
    plans = plan_bars(spec, grooves)
    assert all(p.groove is grooves.intro for p in plans[:4])
    assert all(p.groove is grooves.end for p in plans[12:])
    assert plans[15].seq_bar == grooves.end.bars - 1  # the ending's last bar ends the piece
    assert plans[4].groove is grooves.main


def test_a_swung_piece_keeps_the_grooves_notes_straight_for_the_midi_writer() -> None:
    spec = Spec(genre="jazz", bars=4, drums=True, seed=1)
    grooves = _set("Swing")
    swung = groove_drums(spec, grooves, plan_bars(spec, grooves), True, np.random.default_rng(0))
    played = groove_drums(spec, grooves, plan_bars(spec, grooves), False, np.random.default_rng(0))
    assert any(abs(n.start % 1 - 2 / 3) < 1e-6 for n in played.notes)
    assert not any(abs(n.start % 1 - 2 / 3) < 1e-6 for n in swung.notes)
    assert any(abs(n.start % 1 - 0.5) < 1e-6 for n in swung.notes)


def test_the_choice_follows_the_generator_when_given() -> None:
    spec = Spec(genre="rock", seed=1, prompt="rock")
    names = {choose_grooves(spec, np.random.default_rng(seed)).main.name for seed in range(12)}  # type: ignore[union-attr]
    assert len(names) > 1
    assert choose_grooves(replace(spec, seed=5)) == choose_grooves(replace(spec, seed=5))


def test_a_four_four_groove_plays_a_two_four_piece_in_halves() -> None:
    spec = Spec(genre="polka", time_signature="2/4", bars=8, drums=True, seed=2)
    grooves = choose_grooves(spec)
    assert grooves is not None and grooves.main.time_signature == "4/4"
    plans = plan_bars(spec, grooves)
    assert [p.part for p in plans[:4]] == [0, 1, 0, 1]
    track = groove_drums(spec, grooves, plans, False, np.random.default_rng(0))
    for bar in range(1, 7):
        hits = [n for n in track.notes if bar * 2 <= n.start < bar * 2 + 2]
        assert {n.pitch for n in hits} & {35, 36, 28} and {n.pitch for n in hits} & {38, 40, 42}, bar


def test_mma_hands_the_bass_between_tracks_and_the_player_follows_it() -> None:
    waltz = to_groove(next(r for r in load_library().rows if r["name"] == "Waltz"))
    bass = waltz.part("bass")
    assert bass is not None and {n[0] for n in bass.notes} == set(range(waltz.bars))


def test_a_leading_piano_in_a_band_comps_under_its_tune() -> None:
    spec = Spec(genre="pop", bars=8, drums=True, seed=4, instruments=(Instrument("Piano", 0, "melody"),
                                                                     Instrument("Bass", 33, "bass")))
    rng = np.random.default_rng(spec.seed)
    chords = plan_harmony(spec, style_for("pop"), rng)
    tracks = arrange(spec, style_for("pop"), chords, ChordToneMelody().generate(spec, chords, rng), rng)
    piano = tracks[0].notes
    struck = {}
    for n in piano:
        struck.setdefault(round(n.start, 3), []).append(n.pitch)
    chorded_bars = {int(t // 4) for t, pitches in struck.items() if len(pitches) >= 3}
    assert len(chorded_bars) >= 6 and max(n.pitch for n in piano) > 66
    assert min(n.pitch for n in piano) >= 36  # the left hand stays above the bass player's register floor


def test_the_note_says_where_no_groove_plays() -> None:
    band = (Instrument("Synth", 81, "melody"), Instrument("808", 38, "bass"))
    assert "Motif's own accompaniment" in (groove_note(Spec(genre="trap", instruments=band, drums=True)) or "")
    assert groove_note(Spec(genre="rock", instruments=band, drums=True)) is None
    assert groove_note(Spec(genre="trap", instruments=band[:1], drums=False)) is None


def test_a_piece_on_motifs_own_patterns_says_so_in_its_notes() -> None:
    """The Spec the user sees (card, terminal) says where no groove of the library plays."""
    from composer.generate import compose
    from prompts import ParseConfig, parse
    from tests.engines import melody_source

    trap = compose(parse("dark trap beat in C minor with 808 and synth lead, 8 bars", ParseConfig(use_encoder=False)),
                   melody_source("markov"))
    rock = compose(parse("rock with guitar, bass and drums, 8 bars", ParseConfig(use_encoder=False)),
                   melody_source("markov"))
    assert any("Motif's own accompaniment" in note for note in trap.spec.notes), trap.spec.notes
    assert not any("Motif's own accompaniment" in note for note in rock.spec.notes), rock.spec.notes


def test_a_groove_the_spec_names_plays_with_its_own_fill_intro_and_ending() -> None:
    """Spec.groove (the prompt's free words chose it) overrides the style's table, companions kept; a name the
    library lacks, a variant, or a groove the piece's meter or drums cannot use leaves today's choice."""
    spec = Spec(genre="jazz", tempo_bpm=104, drums=True, seed=3, bars=16,
                form=(Section("intro", 4), Section("A", 8), Section("outro", 4)))
    named = choose_grooves(replace(spec, groove="SlowJazz1Walk"))
    assert named is not None and named.main.name == "SlowJazz1Walk" and named.walk
    assert {g.family for g in (named.fill, named.intro, named.end) if g is not None} == {"stdlib/slowjazz"}
    assert named.fill is not None and named.intro is not None and named.end is not None
    today = choose_grooves(spec)
    assert today is not None and today.main.name != "SlowJazz1Walk"
    for unusable in ("NoSuchGroove", "SlowJazzFill", "JazzWaltz"):  # unknown, not a main groove, 3/4 in 4/4
        assert choose_grooves(replace(spec, groove=unusable)) == today
    no_drums = next(r for r in load_library().rows if r["variant"] == "main" and not r["drums"]
                    and r["time_signature"] == "4/4")
    assert choose_grooves(replace(spec, groove=no_drums["name"])) == today  # a band with drums needs its drums


def test_the_groove_texts_belong_to_the_committed_grooves() -> None:
    texts = load_groove_texts()
    library = load_library()
    assert texts is not None and GROOVE_TEXTS_PATH.stat().st_size < 2_000_000
    assert set(texts.names) == {r["name"] for r in library.rows if r["variant"] == "main"}
    assert texts.vectors.shape == (len(texts.owner), 384) and len(texts.owner) > 2 * len(texts.names)


def test_funk_plays_kara_funk_with_its_stabs_as_chords_and_its_own_fill() -> None:
    """kara's Kfunk1 names every pitched track "Bass-N"; its clavinet stabs and guitar chops are chord parts (they
    strike chords above the bass), so funk plays its groove, the low line as the bass and its fill at phrase ends."""
    band = (Instrument("Clavinet", 7, "chords"), Instrument("Slap Bass", 36, "bass"))
    spec = Spec(genre="funk", tonic="E", mode="minor", tempo_bpm=108, bars=8, instruments=band, drums=True)
    grooves = choose_grooves(spec)
    assert grooves is not None and grooves.main.family == "kara/Kfunk1" and groove_note(spec) is None
    chords, bass = grooves.main.part("chords"), grooves.main.part("bass")
    assert chords is not None and bass is not None and chords.name != bass.name
    assert chords.register >= 48 > bass.register
    assert grooves.fill is not None and grooves.fill.family == "kara/Kfunk1" and grooves.fill.variant == "fill"
    plans = plan_bars(spec, grooves)
    assert plans[3].fill and plans[3].groove is grooves.fill
    drums = groove_drums(spec, grooves, plans, False, np.random.default_rng(0))
    bars = {frozenset((round(n.start % 4, 3), n.pitch) for n in drums.notes if int(n.start // 4) == b) for b in range(7)}
    assert len(bars) >= 4  # the groove's sequence varies bar to bar, the fill differs again
