"""`motif eval`: one JSON report on the learned model against the Markov baseline (design.md section 2).

It lives at the edge because it joins everything: held-out corpus data and models (composer), the text
encoder (prompts), and the whole compose path through the studio for control accuracy and latency.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import math
import random
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.cli.bench import percentile
from composer.files.midi import piece_to_midi_bytes
from composer.generate import compose
from composer.harmony import plan_harmony
from composer.learn.analyze import check_explicit, melody_notes, read_midi
from composer.learn.chords_heard import hear_progression
from composer.learn.classify import (
    FEATURE_NAMES,
    GENRE_FAMILIES,
    GenreClassifier,
    fit,
    held_out,
    line_windows,
    real_windows,
)
from composer.learn.evaluate import (
    compare_features,
    constrained_nats,
    features,
    form_counts,
    form_figures,
    markov_bits_per_note,
    model_examples,
    normalised_tonic_name,
    real_form_figures,
    test_windows,
)
from composer.learn.groove_checks import GROOVE_SUITE, groove_report, heard_groove
from composer.learn.train import score_examples
from composer.melody import MarkovMelody
from composer.melody.attributes import DENSITIES, caption, melody_attributes
from composer.melody.corpus import LEADS_DIR, load_melodies
from composer.melody.markov import MarkovModel
from composer.styles import style_for
from composer.theory import tonic_pc
from prompts import parse
from prompts.errors import UserError
from prompts.limits import MAX_TEMPO_BPM, MIN_TEMPO_BPM
from prompts.spec import MODES, TIME_SIGNATURES, Spec

CONTROL_SUITE: tuple[str, ...] = (
    "moody jazz in D minor, 8 bars", "a happy pop song in G major at 120 bpm with drums, 8 bars",
    "bossa nova in Bb with nylon guitar, 8 bars", "a lively reel in D for fiddle, 16 bars",
    "a jig in G, 6/8, 8 bars", "sad waltz in E minor for piano, 3/4, 12 bars",
    "dark cinematic strings in C minor, slow, 8 bars", "lofi hip hop at 80 bpm, 4 bars",
    "baroque chorale in F major for choir, 8 bars", "12-bar blues in E with drums",
    "calm ambient in A dorian, 8 bars", "energetic rock in A with drums at 140 bpm, 8 bars",
    "klezmer in D phrygian for clarinet, 8 bars", "a march in Bb for brass with drums, 8 bars",
    "a lullaby for music box in F, 4 bars", "synthwave in F# minor at 100 bpm, 8 bars",
    "a medieval tune in D dorian for recorder, 8 bars", "ragtime in C for piano, 8 bars",
    "a sea shanty in G minor, 8 bars", "tango in A minor for accordion and strings, 8 bars",
    "chiptune in C major at 150 bpm, 8 bars", "funk in E minor with drums, 4 bars",
    "gospel in Ab for organ and choir, 8 bars", "flamenco in E phrygian for nylon guitar, 8 bars",
    "polka in F with drums, 8 bars", "a hornpipe in A, 8 bars", "epic orchestral in D minor, 16 bars",
    "reggae in G with drums, 8 bars", "neo-soul in Eb major with rhodes, 8 bars", "a folk song in E minor, 8 bars",
)

CHORD_SUITE: tuple[str, ...] = (
    "pop song in C major, 8 bars, chords: C G Am F", "jazz in C major, 8 bars, chords: Dm7 | G7 | Cmaj7 | A7",
    "bossa nova in F, 8 bars, over Gm7 C7 Fmaj7 D7b9", "folk tune in G, 8 bars, the progression is G C D G",
    "waltz in 3/4 in D minor, 8 bars, chords: Dm A7 Dm Gm", "a jig in 6/8 in D, 8 bars, chords: D G D A two per bar",
    "rock in E minor, 8 bars, chords: Em C G D", "slow ballad in C, 8 bars, chords: C Em/B Am C/G F C/E Dm G",
    "lofi hip hop in A minor, 8 bars, chords: Am7 Dm7 Gmaj7 Cmaj7", "funk in E minor, 4 bars, chords: Em7 A7",
    "12-bar blues in A, chords: A7 D7 A7 A7 D7 D7 A7 A7 E7 D7 A7 E7", "ambient in C, 8 bars, chords: Cmaj7 Fmaj7",
    "cinematic in D minor, 8 bars, a chord every two bars: Dm Bb F C", "reggae in G, 8 bars, alternates between G and C",
)
"""Chord requests in prose: the progression must be read (`prompts`) and heard in the written MIDI."""

REVIEW_SUITE: tuple[tuple[str, str, str], ...] = (
    ("jazz", "jazz_ballad", "a slow romantic jazz ballad in Eb for tenor sax and piano trio, 16 bars"),
    ("jazz", "bebop", "fast bebop in F with alto sax, walking bass and drums, 16 bars"),
    ("blues", "blues", "a 12-bar blues in G with electric guitar, bass and drums, 12 bars"),
    ("latin", "bossa", "bossa nova in Bb at 130 bpm with nylon guitar and drums, 16 bars"),
    ("latin", "samba", "an energetic samba in D with flute, guitar and percussion, 16 bars"),
    ("latin", "salsa", "salsa in C minor with piano montuno, trumpet and drums, 16 bars"),
    ("latin", "tango", "a dramatic tango in A minor for bandoneon and violin, 16 bars"),
    ("pop", "pop_ballad", "a heartfelt pop ballad in C with piano, 16 bars"),
    ("rock", "rock", "an energetic rock song in E with distorted guitar, bass and drums, 16 bars"),
    ("funk", "funk", "tight funk groove in E minor with slap bass, clavinet and drums, 16 bars"),
    ("electronic", "lofi", "chill lofi hip hop in F with rhodes and drums, 16 bars"),
    ("electronic", "trap", "dark trap beat in C minor with 808 and synth lead, 16 bars"),
    ("electronic", "house", "deep house at 124 bpm in A minor with piano chords and drums, 16 bars"),
    ("electronic", "synthwave", "synthwave in D minor with synth lead and bass, 16 bars"),
    ("electronic", "chiptune", "happy chiptune in C, 16 bars"),
    ("ambient", "ambient", "calm ambient pad music in D, slow, 16 bars"),
    ("ambient", "cinematic", "epic cinematic strings and brass in D minor, 16 bars"),
    ("classical", "baroque", "a baroque minuet in G for harpsichord, 16 bars"),
    ("classical", "chorale", "a four-part chorale in G major, 16 bars"),
    ("classical", "romantic", "a romantic piano nocturne in Db, 16 bars"),
    ("folk", "celtic_reel", "a lively celtic reel in D for tin whistle and fiddle, 16 bars"),
    ("klezmer", "klezmer", "a klezmer tune in D with clarinet and violin, 16 bars"),
    ("folk", "waltz", "a gentle waltz in F, 16 bars"),
    ("folk", "march", "a triumphant march in Bb with brass and drums, 16 bars"),
    ("reggae", "reggae", "a laid-back reggae tune in G with organ, bass and drums, 16 bars"),
    ("gospel", "gospel", "a joyful gospel song in Ab with organ and choir, 16 bars"),
)
"""The listening review's 26 prompts (`shared/reviews/2026-12-01-listening.md`) as (family, key, prompt): the
form and idiom figures are reported per family."""
REAL_FAMILIES: dict[str, tuple[str, ...]] = {
    "jazz": ("jazz",), "blues": ("blues",), "latin": ("latin",), "pop": ("pop",), "rock": ("rock",),
    "electronic": ("edm", "house", "synthwave", "trance", "chiptune"), "ambient": ("ambient", "cinematic"),
    "classical": ("bach",), "folk": ("oneills1850", "ryansMammoth", "essenFolksong"), "reggae": ("reggae",),
}
"""Which real melodies each review family is compared with: Debian lead families and corpus collections (funk,
klezmer and gospel have none)."""

GENRE_OF_REVIEW_FAMILY: dict[str, str] = {
    "jazz": "jazz_blues", "blues": "jazz_blues", "rock": "rock_pop", "pop": "rock_pop", "electronic": "electronic",
    "ambient": "cinematic", "classical": "classical", "folk": "folk",
}
"""The classifier's family (`composer.learn.classify.GENRE_FAMILIES`) of each review family it can hear."""
GENRE_SUITE: tuple[tuple[str, str], ...] = (
    *((GENRE_OF_REVIEW_FAMILY[f], p) for f, _, p in REVIEW_SUITE if f in GENRE_OF_REVIEW_FAMILY),
    ("jazz_blues", GROOVE_SUITE["swing"][0]), ("rock_pop", GROOVE_SUITE["pop"][0]),
    ("rock_pop", GROOVE_SUITE["metal"][0]),
    ("jazz_blues", "a slow minor blues in A minor with piano and harmonica, 12 bars"),
    ("jazz_blues", "a shuffle blues in E with electric guitar, bass and drums, 12 bars"),
    ("rock_pop", "a punk rock song in A with guitar, bass and drums, 16 bars"),
    ("rock_pop", "a catchy pop song in G major at 120 bpm with synth and drums, 16 bars"),
    ("cinematic", "a dreamy ambient soundscape in E minor with synth pad, 16 bars"),
    ("folk", "a folk song in E minor, 16 bars"), ("folk", "a jig in G, 6/8, 16 bars"),
)
"""(family, prompt) for the genre check: the review suite's prompts of the families the classifier knows, and
a few more so each family has three or more (funk, latin, klezmer, reggae and gospel have no real data)."""
PROBE_WORDS: dict[str, str] = {
    "folk": "celtic folk", "classical": "baroque", "jazz_blues": "bebop jazz", "rock_pop": "hard rock",
    "electronic": "synthwave", "cinematic": "cinematic",
}
"""The genre words the text probe puts into one Spec's prompt, one set per classifier family."""
PROBE_TEMPLATES: tuple[str, ...] = (
    "a {} tune in D minor for piano at 110 bpm, 16 bars", "a {} melody in G major for flute at 96 bpm, 16 bars",
)
"""The probe's Specs: each template read without genre words (so no style rule acts), then composed with
every `PROBE_WORDS` entry put into its prompt text and nothing else changed."""


@dataclass(frozen=True)
class EvalConfig:
    """How much to evaluate; the defaults take a few minutes on two cores."""

    pieces: int = 200
    stats_pieces: int = 400
    """Histogram overlaps are noisy on few pieces (the same Markov engine scores 0.748 on 120 windows and 0.786
    on 500), so the statistics use more windows than the likelihoods; both engines always get the same ones."""
    seed: int = 0
    control_seeds: int = 1
    """Each control-suite prompt is composed with this many seeds (0, 1, ...): more seeds, a finer share."""
    review_seeds: int = 3
    """Each review-suite prompt is composed with seeds 1..this, per engine, for the form and idiom figures."""
    genre_seeds: int = 3
    """Each genre-suite prompt is composed with seeds 1..this, per engine."""
    probe_seeds: int = 6
    """Each text-probe Spec is composed with seeds 1..this for every set of genre words, per engine."""
    grooves_seeds: int = 3
    """Each groove-suite style is composed with seeds 1..this (on the model)."""


SECTIONS: tuple[str, ...] = ("bits", "stats", "control", "chords", "form_idiom", "genre", "text_probe", "grooves")
"""The report's sections, in the order they run; `motif eval --only` picks some."""


def window_spec(melody, seed: int) -> Spec:
    """A Spec asking for what a held-out window is (key normalised as the data is, its meter, length, tempo and
    note-density band), so both engines are asked for the same thing the reference melodies are."""
    mode = melody.mode if melody.mode in MODES else "major"
    meter = melody.meter if melody.meter in TIME_SIGNATURES else "4/4"
    attrs = melody_attributes(mode, meter, melody.tempo_bpm, melody.notes, melody.bars, melody.source, melody.dance)
    return Spec(prompt=caption(attrs, random.Random(seed)), tonic=normalised_tonic_name(mode), mode=mode,
                tempo_bpm=min(MAX_TEMPO_BPM, max(MIN_TEMPO_BPM, melody.tempo_bpm)), time_signature=meter, bars=melody.bars, seed=seed,
                density=(DENSITIES.index(attrs.density) + 0.5) / len(DENSITIES))


def engine_features(source, specs: list[Spec]) -> list[dict[str, float]]:
    """Features of the melodies an engine writes for each Spec (melody line only, against the style's chords)."""
    rows = []
    for spec in specs:
        rng = np.random.default_rng(spec.seed)
        chords = plan_harmony(spec, style_for(spec.genre), rng)
        notes = source.generate(spec, chords, rng)
        rows.append(features([(n.pitch, n.start, n.duration) for n in notes], spec.bars, spec.mode, spec.tonic))
    return rows


def heldout_bits(windows, markov: MarkovModel, model_source, embed) -> dict[str, float]:
    """Bits per note on the same held-out windows: the model as the sampler uses it (grammar-constrained),
    the raw model (softmax over the whole vocabulary), and the Markov baseline."""
    model = model_source.model
    pairs = model_examples(windows, model_source.tokenizer, embed, model.config.max_tokens)
    examples = [e for _, e in pairs]
    notes = sum(e.n_notes for e in examples)
    raw_nats, _, _ = score_examples(model_source.model, examples, model_source.tokenizer.pad_id)
    scored = [constrained_nats(model_source.model, model_source.tokenizer, m, e) for m, e in pairs]
    to_bits = math.log(2) * max(1, notes)
    return {"model": round(sum(n for n, _ in scored) / to_bits, 3),
            "model_unconstrained": round(raw_nats / to_bits, 3),
            "markov": round(markov_bits_per_note(markov, [m for m, _ in pairs]), 3), "pieces": len(pairs),
            "notes": notes, "tokens_outside_grammar": sum(o for _, o in scored)}


def statistics(markov: MarkovModel, model_source, limit: int, seed: int) -> dict[str, Any]:
    """Overlapping areas of each engine's melodies with `limit` held-out windows, both engines asked for the
    same window Specs."""
    chosen = test_windows(load_melodies(split="test"), limit, seed)
    specs = [window_spec(m, i) for i, m in enumerate(chosen)]
    reference = [features(m.notes, m.bars, s.mode, s.tonic) for m, s in zip(chosen, specs, strict=True)]
    by_engine = {"model": engine_features(model_source, specs), "markov": engine_features(MarkovMelody(markov), specs)}
    areas = {name: compare_features(rows, reference) for name, rows in by_engine.items()}
    stats = {f: {"model": areas["model"][f], "markov": areas["markov"][f]} for f in areas["model"]}
    stats["mean"] = {name: round(float(np.mean(list(a.values()))), 4) for name, a in areas.items()}
    stats["windows"] = len(chosen)
    return stats


async def control_and_latency(studio_factory, runs: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Compose the control suite through the studio (prompt i % suite size with seed i): attributes obeyed,
    originality, per-stage latency."""
    obeyed = total = 0
    misses: list[str] = []
    matches: list[int] = []
    rejected = 0
    stages: dict[str, list[float]] = {}
    async with studio_factory() as studio:
        for i in range(runs):
            result = await studio.compose(CONTROL_SUITE[i % len(CONTROL_SUITE)], seed=i)
            checks = check_explicit(result.spec, read_midi(Path(result.files["midi"]).read_bytes()))
            misses += [f"{CONTROL_SUITE[i % len(CONTROL_SUITE)]} (seed {i}): {c.field} {c.expected} heard as {c.found}"
                       for c in checks if not c.ok]
            obeyed += sum(c.ok for c in checks)
            total += len(checks)
            if result.originality:
                matches.append(int(result.originality["longest_match_notes"]))
                rejected += int(result.originality.get("rejected_copies", 0))
            for stage, ms in result.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
    latency = {s: {"p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1)} for s, v in stages.items()}
    originality = {
        "longest_match_notes": {"p50": percentile(matches, 50) if matches else None,
                                "max": max(matches) if matches else None,
                                "histogram": {str(k): matches.count(k) for k in sorted(set(matches))}},
        "rejected_candidates": rejected, "posted_above_threshold": sum(m >= 12 for m in matches),
    }
    control = {"share": round(obeyed / max(1, total), 4), "attributes": total, "compositions": runs,
               "missed": misses}
    return control, originality, latency


async def chords_heard(studio_factory, runs: int) -> dict[str, Any]:
    """Compose the chord suite through the studio (prompt i % suite size with seed i) and listen to each MIDI
    slot by slot (`composer.learn.chords_heard`): the share of slots that play the progression read from the
    prompt, and how many prompts had a progression read at all."""
    heard = slots = read = 0
    misses: list[str] = []
    async with studio_factory() as studio:
        for i in range(runs):
            prompt = CHORD_SUITE[i % len(CHORD_SUITE)]
            result = await studio.compose(prompt, seed=i)
            if not result.spec.chords:
                misses.append(f"{prompt} (seed {i}): no chords read")
                continue
            read += 1
            hearing = hear_progression(Path(result.files["midi"]).read_bytes(), result.spec)
            heard, slots = heard + hearing.matched, slots + len(hearing.slots)
            misses += [f"{prompt} (seed {i}): {s.asked} at {s.start_q:g} heard as {s.heard}"
                       for s in hearing.slots if not s.matched]
    return {"share": round(heard / max(1, slots), 4), "slots": slots, "compositions": runs, "read": read,
            "missed": misses}


async def review_lines(studio_factory, seeds: int, suite: tuple[tuple[str, str, str], ...] = REVIEW_SUITE
                       ) -> dict[str, list[dict[str, float]]]:
    """Compose the review suite through the studio (every prompt with seeds 1..`seeds`) and count each written
    melody's form and idiom (`composer.learn.evaluate.form_counts`), per family."""
    rows: dict[str, list[dict[str, float]]] = {}
    async with studio_factory() as studio:
        for family, _, prompt in suite:
            for seed in range(1, seeds + 1):
                result = await studio.compose(prompt, seed=seed)
                spec = result.spec
                line = [(n.pitch, n.start_q, n.end_q - n.start_q)
                        for n in melody_notes(Path(result.files["midi"]).read_bytes(), spec)]
                rows.setdefault(family, []).append(
                    form_counts(line, spec.bars, spec.time_signature, tonic_pc(spec.tonic), spec.mode))
    return rows


def form_and_idiom(factories: dict[str, Any], seeds: int) -> dict[str, Any]:
    """Form and idiom per review family: each engine's written melodies (`factories`: engine -> studio factory)
    against the real melodies of that family (`REAL_FAMILIES`), plus every engine over all families."""
    by_engine = {name: asyncio.run(review_lines(factory, seeds)) for name, factory in factories.items()}
    real = real_form_figures(load_melodies(), lambda m: m.source)
    real |= real_form_figures(load_melodies(LEADS_DIR), lambda m: m.family)
    families: dict[str, Any] = {}
    for family in dict.fromkeys(f for f, _, _ in REVIEW_SUITE):
        families[family] = {name: form_figures(rows[family]) for name, rows in by_engine.items()}
        families[family]["real"] = {group: real[group] for group in REAL_FAMILIES.get(family, ()) if group in real}
    overall = {name: form_figures([r for rows in by_rows.values() for r in rows]) for name, by_rows in by_engine.items()}
    return {"families": families, "all": overall, "seeds": seeds}


def written_line(spec: Spec, source) -> list[tuple[int, float, float]]:
    """Compose `spec` on a melody source and read its melody back from the written MIDI (`melody_notes`)."""
    piece = compose(spec, source)
    return [(n.pitch, n.start_q, n.end_q - n.start_q)
            for n in melody_notes(piece_to_midi_bytes(piece), piece.spec)]


def line_vectors(spec: Spec, line: list[tuple[int, float, float]]) -> list[np.ndarray]:
    """The classifier's feature vectors of a written line, one per window (`composer.learn.classify`)."""
    windows = line_windows(line, spec.bars, spec.time_signature, tonic_pc(spec.tonic), spec.mode, "motif")
    return [w.features for w in windows]


@dataclass
class GenreModel:
    """The classifier `motif eval` judges with (fit on every real window) and its held-out figures (each real
    piece labelled by a fold's classifier that never saw it)."""

    classifier: GenreClassifier
    real: dict[str, Any]

    @classmethod
    def train(cls, seed: int = 0) -> GenreModel:
        data = real_windows(seed=seed)
        return cls(fit(data), held_out(data, seed=seed).as_dict())


GENRE_TARGET = 0.7
"""Issue 14: Motif's melodies for a family's prompts are heard as that family this often, in 6+ families."""


def genre(model: GenreModel, sources: dict[str, Any], seeds: int, suite: tuple[tuple[str, str], ...] = GENRE_SUITE
          ) -> dict[str, Any]:
    """Per family: the share of each engine's pieces for that family's prompts (seeds 1..`seeds`) that the
    classifier labels as the family, beside the held-out accuracy on real pieces of the family."""
    labels: dict[str, dict[str, Counter[str]]] = {}
    for family, prompt in suite:
        spec = parse(prompt)
        for engine, source in sources.items():
            for seed in range(1, seeds + 1):
                asked = dataclasses.replace(spec, seed=seed)
                rows = line_vectors(asked, written_line(asked, source))
                label = model.classifier.label(rows) if rows else "too_few_notes"
                labels.setdefault(family, {}).setdefault(engine, Counter())[label] += 1
    families: dict[str, Any] = {}
    for family, by_engine in labels.items():
        row: dict[str, Any] = {"real_heldout": model.real["piece_accuracy"].get(family)}
        for engine, counts in by_engine.items():
            row[engine] = round(counts[family] / sum(counts.values()), 4)
            row[f"{engine}_labels"] = dict(counts.most_common())
        row["pieces"] = sum(by_engine[next(iter(by_engine))].values())
        families[family] = row
    at_target = {engine: sorted(f for f, row in families.items() if row[engine] >= GENRE_TARGET) for engine in sources}
    return {"families": families, "target": GENRE_TARGET, "families_at_target": at_target,
            "mean": {e: round(float(np.mean([row[e] for row in families.values()])), 4) for e in sources},
            "real_mean": model.real["mean_piece_accuracy"], "chance": round(1 / len(GENRE_FAMILIES), 4),
            "seeds": seeds, "real": model.real}


def text_probe(model: GenreModel, sources: dict[str, Any], seeds: int, permutations: int = 200,
               templates: tuple[str, ...] = PROBE_TEMPLATES) -> dict[str, Any]:
    """The same Spec (key, tempo, meter, bars, density, instruments, style and seed), only the genre words in
    its prompt swapped (`PROBE_WORDS`, `PROBE_TEMPLATES`): how far the words move the melody.

    Per engine: how often the classifier hears the family the words name (chance 1/6); the distance between
    the word groups' mean feature vectors (standardised as the classifier standardises them) against the same
    distance with the words shuffled within each Spec (a permutation test: ratio 1 and p near 1 = the words
    do nothing); the mean distance between two pieces that differ only in their words against two that differ
    only in their seed; the share of Specs and seeds whose melody is the same note for note whatever the words
    (the Markov engine never reads them: its 1.0 is the probe's control); and the features that move most
    (one-way F across the word groups)."""
    from sklearn.feature_selection import f_classif

    scaler = model.classifier.pipeline[0]
    report: dict[str, Any] = {"words": PROBE_WORDS, "templates": list(templates), "seeds": seeds,
                              "chance": round(1 / len(PROBE_WORDS), 4)}
    for engine, source in sources.items():
        vectors, families, bases, seeds_of, agree = [], [], [], [], 0
        identical = 0
        for base, template in enumerate(templates):
            spec = parse(" ".join(template.format("").split()))
            for seed in range(1, seeds + 1):
                lines = []
                for family, words in PROBE_WORDS.items():
                    asked = dataclasses.replace(spec, seed=seed, prompt=template.format(words))
                    line = written_line(asked, source)
                    lines.append(line)
                    rows = line_vectors(asked, line)
                    if not rows:
                        continue
                    agree += model.classifier.label(rows) == family
                    vectors.append(scaler.transform(np.vstack(rows)).mean(axis=0))
                    families.append(family)
                    bases.append(base)
                    seeds_of.append(seed)
                identical += all(line == lines[0] for line in lines)
        x, fam, base_of, seed_of = np.vstack(vectors), np.array(families), np.array(bases), np.array(seeds_of)
        observed = _centroid_spread(x, fam, base_of)
        rng = np.random.default_rng(0)
        null = []
        for _ in range(permutations):
            shuffled = fam.copy()
            for b in set(bases):
                shuffled[base_of == b] = rng.permutation(shuffled[base_of == b])
            null.append(_centroid_spread(x, shuffled, base_of))
        same_seed = [float(np.linalg.norm(x[i] - x[j])) for i, j in itertools.combinations(range(len(x)), 2)
                     if base_of[i] == base_of[j] and seed_of[i] == seed_of[j] and fam[i] != fam[j]]
        same_words = [float(np.linalg.norm(x[i] - x[j])) for i, j in itertools.combinations(range(len(x)), 2)
                      if base_of[i] == base_of[j] and fam[i] == fam[j] and seed_of[i] != seed_of[j]]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # features constant across the probe (no blue notes in any line)
            f_values, p_values = f_classif(x, fam)
        varies = x.std(axis=0) > 1e-9  # a feature the same in every piece has no F (only rounding noise)
        order = [i for i in np.argsort(-np.nan_to_num(f_values))
                 if varies[i] and np.isfinite(f_values[i]) and f_values[i] > 1e-6][:5]
        report[engine] = {
            "agreement": round(agree / max(1, len(x)), 4), "pieces": len(x),
            "centroid_spread": round(observed, 4), "shuffled_spread": round(float(np.mean(null)), 4),
            "spread_ratio": round(observed / float(np.mean(null)), 3) if np.mean(null) else None,
            "p": round((1 + sum(n >= observed - 1e-12 for n in null)) / (1 + permutations), 4),
            "distance_words_only": round(float(np.mean(same_seed)), 4) if same_seed else None,
            "distance_seed_only": round(float(np.mean(same_words)), 4) if same_words else None,
            "identical_whatever_the_words": round(identical / (len(templates) * seeds), 4),
            "moving_features": {FEATURE_NAMES[i]: {"F": round(float(f_values[i]), 2), "p": round(float(p_values[i]), 4)}
                                for i in order},
        }
    return report


def _centroid_spread(x: np.ndarray, families: np.ndarray, bases: np.ndarray) -> float:
    """Mean distance between the word groups' centroids, within each probe Spec, averaged over the Specs."""
    spreads = []
    for base in sorted(set(bases.tolist())):
        mine = bases == base
        centroids = [x[mine & (families == f)].mean(axis=0) for f in sorted(set(families[mine].tolist()))]
        spreads += [float(np.linalg.norm(a - b)) for a, b in itertools.combinations(centroids, 2)]
    return float(np.mean(spreads)) if spreads else 0.0


def grooves(source, seeds: int) -> dict[str, Any]:
    """The groove checks (`composer.learn.groove_checks`) per style, the suite composed on `source` with seeds
    1..`seeds` and read back from the written MIDI."""
    pieces = []
    for key, (prompt, _) in GROOVE_SUITE.items():
        spec = parse(prompt)
        for seed in range(1, seeds + 1):
            asked = dataclasses.replace(spec, seed=seed)
            pieces.append(heard_groove(key, seed, piece_to_midi_bytes(compose(asked, source)), asked))
    return groove_report(pieces) | {"seeds": seeds}


class EvalError(UserError):
    """A request `motif eval` cannot run (an unknown section); its message is for the user."""


def sections_of(only: str | None) -> tuple[str, ...]:
    """The sections a comma-separated `--only` names, in run order (all of them for None)."""
    if only is None:
        return SECTIONS
    asked = [part.strip() for part in only.split(",") if part.strip()]
    unknown = [part for part in asked if part not in SECTIONS]
    if unknown or not asked:
        raise EvalError(f"unknown section(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(SECTIONS)}")
    return tuple(section for section in SECTIONS if section in asked)


def run_eval(config: EvalConfig, studio_factory, model_source, embed,
             review_factories: dict[str, Any] | None = None, sections: tuple[str, ...] = SECTIONS) -> dict[str, Any]:
    """The report, or the `sections` of it asked for. `studio_factory` is an async context manager yielding a
    Studio using the model; `review_factories` (engine -> such a factory, MIDI only) compose the review suite for
    the form and idiom figures (left out without them)."""
    markov = MarkovModel.load()
    report: dict[str, Any] = {}
    if "bits" in sections:
        windows = test_windows(load_melodies(split="test"), config.pieces, config.seed)
        report["heldout_bits_per_note"] = heldout_bits(windows, markov, model_source, embed)
    if "stats" in sections:
        report["stats"] = statistics(markov, model_source, config.stats_pieces, config.seed)
    if "control" in sections:
        runs = len(CONTROL_SUITE) * max(1, config.control_seeds)
        control, originality, latency = asyncio.run(control_and_latency(studio_factory, runs))
        report |= {"control_accuracy": control["share"], "control": control, "originality": originality,
                   "latency_ms": latency}
    if "chords" in sections:
        report["chords_heard"] = asyncio.run(chords_heard(studio_factory, len(CHORD_SUITE)))
    if "form_idiom" in sections and review_factories:
        report["form_idiom"] = form_and_idiom(review_factories, config.review_seeds)
    sources = {"model": model_source, "markov": MarkovMelody(markov)}
    if "genre" in sections or "text_probe" in sections:
        model = GenreModel.train(config.seed)
        if "genre" in sections:
            report["genre"] = genre(model, sources, config.genre_seeds)
        if "text_probe" in sections:
            report["text_probe"] = text_probe(model, sources, config.probe_seeds)
    if "grooves" in sections:
        report["grooves"] = grooves(model_source, config.grooves_seeds)
    return report


def engine_studio_factory(engine: str, workdir: Path, source=None, **options: Any):
    """An async context manager factory of studios on one engine, MIDI only, writing under `workdir`."""
    from contextlib import asynccontextmanager

    from bot.studio import StudioConfig, load_melody_source, open_studio

    melody_source = source or load_melody_source(engine)

    @asynccontextmanager
    async def factory():
        config = StudioConfig(out_dir=workdir / engine, db_path=workdir / f"{engine}.db", want_audio=False,
                              want_images=False, engine=engine, **options)
        async with open_studio(config, melody_source) as studio:
            yield studio

    return factory


def temporary_outputs() -> Path:
    return Path(tempfile.mkdtemp(prefix="motif-eval-"))
