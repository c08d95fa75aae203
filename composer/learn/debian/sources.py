"""The Debian sources: which files of which package, read by which format, under which licence.

One source may hold files under several licences (LMMS's demos, MuseScore's); each licence gets its own
derived file, because material under different terms (GPL-2.0-only next to GPL-3+, CC-BY-SA next to
Artistic-2) is never merged. The per-file licences are those of each package's `debian/copyright`, read on
2026-12-01 (there a later stanza overrides an earlier one, and so does the later rule here).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch


@dataclass(frozen=True)
class Terms:
    """A licence and the notice every derived file under it carries (who holds the copyright, which terms)."""

    licence: str
    notice: str


@dataclass(frozen=True)
class DebianSource:
    """Files of one package (globs under the unpacked tree), their format, and per-file terms.

    `rules` are (glob on the path relative to `base`, licence); the last matching rule wins, `default`
    otherwise."""

    name: str
    package: str
    base: str
    patterns: tuple[str, ...]
    kind: str
    default: str
    terms: tuple[Terms, ...]
    rules: tuple[tuple[str, str], ...] = ()

    def licence_of(self, relative: str) -> str:
        licence = self.default
        for pattern, name in self.rules:
            if fnmatch(relative, pattern):
                licence = name
        return licence

    def terms_of(self, licence: str) -> Terms:
        return next(t for t in self.terms if t.licence == licence)

    def output_name(self, licence: str) -> str:
        """The derived file for one licence: `<source>.jsonl.gz`, or `<source>-<licence>.jsonl.gz`."""
        if len(self.terms) == 1:
            return f"{self.name}.jsonl.gz"
        return f"{self.name}-{licence.lower().replace('+', '-plus').replace('.', '-')}.jsonl.gz"


def _notice(what: str, holders: str, terms: str) -> str:
    return (f"Derived from {what} (lead lines and chords extracted by Motif). Copyright {holders}. "
            f"Distributed under {terms}, the terms of the material it is derived from.")


LMMS_WHAT = "the demo projects of LMMS 1.2.2 (Debian package lmms-common 1.2.2+dfsg1-6)"
MUSESCORE_WHAT = "the demo scores of MuseScore 3.2.3 (Debian package musescore3-common 3.2.3+dfsg2-16)"

SOURCES: tuple[DebianSource, ...] = (
    DebianSource(
        "openmsx", "openttd-openmsx", "usr/share/games/openttd/baseset/openmsx", ("*.mid",), "midi", "GPL-2.0",
        (Terms("GPL-2.0", _notice("OpenMSX 0.4.2 (Debian package openttd-openmsx 0.4.2-1)",
                                  "(C) 2010-2021 the OpenMSX authors (see the package's readme.txt)",
                                  "the GNU General Public License version 2 only (GPL-2.0)")),),
    ),
    DebianSource(
        "freedoom", "freedoom", "usr/share/games/doom", ("freedoom1.wad", "freedoom2.wad"), "wad", "BSD-3-Clause",
        (Terms("BSD-3-Clause", _notice(
            "the music lumps of Freedoom 0.12.1 (Debian package freedoom 0.12.1-2)",
            "(c) 2001-2019 contributors to the Freedoom project (see its CREDITS)",
            "the Freedoom licence, a BSD 3-clause licence: redistribution and use in source and binary forms, "
            "with or without modification, are permitted provided that the copyright notice, this list of "
            "conditions and the disclaimer are retained, and the project's name is not used to endorse "
            "derived products; provided AS IS, without any warranty")),),
    ),
    DebianSource(
        "lmms", "lmms-common", "usr/share/lmms/projects", ("demos/**/*.mmp*", "demos/*.mmp*", "shorties/*.mmp*"),
        "lmms", "GPL-2+",
        (Terms("GPL-2+", _notice(LMMS_WHAT, "the LMMS developers and the projects' authors",
                                 "the GNU General Public License version 2 or later (GPL-2.0-or-later)")),
         Terms("Artistic-2", _notice(LMMS_WHAT, "2009-2011 Achim Settelmeier, Peter Asplund, Thomasso, E.SoX, "
                                     "Impulslogik, Der Daniel (CapDan), Sam (socceroos), mauro (momo64), tame "
                                     "anderson, Umit (oglsdl), Greshz", "the Artistic License 2.0")),
         Terms("BSD-2-Clause", _notice(LMMS_WHAT, "Saber Rastikerdar", "the BSD 2-clause licence")),
         Terms("CC-BY-SA-3.0", _notice(LMMS_WHAT, "2010-2011 Armin Heller (Alf42red), 2011 Der Daniel (CapDan)",
                                       "Creative Commons Attribution-ShareAlike 3.0")),
         Terms("CC-BY-SA-4.0", _notice(LMMS_WHAT, "Jousboxx, Skiessi",
                                       "Creative Commons Attribution-ShareAlike 4.0"))),
        rules=(
            ("demos/CapDan/CapDan-ReggaeTry.*", "Artistic-2"), ("demos/CapDan/CapDan-ReggaetonTry.*", "Artistic-2"),
            ("demos/CapDan/CapDan-ZeroSumGame-*", "Artistic-2"), ("demos/EsoXLB-*", "Artistic-2"),
            ("demos/Impulslogik-*", "Artistic-2"), ("demos/Momo64-*", "Artistic-2"), ("demos/Oglsdl-*", "Artistic-2"),
            ("demos/Settel-*", "Artistic-2"), ("demos/Socceroos-*", "Artistic-2"),
            ("demos/TameAnderson-*", "Artistic-2"), ("demos/Thomasso-*", "Artistic-2"),
            ("shorties/Crunk*", "Artistic-2"), ("shorties/Greshz-*", "Artistic-2"),
            ("shorties/Surrender-*", "Artistic-2"), ("demos/Saber-*", "BSD-2-Clause"),
            ("demos/Alf42red-*", "CC-BY-SA-3.0"), ("demos/CapDan/CapDan-TwilightArea-*", "CC-BY-SA-3.0"),
            ("demos/Jousboxx-*", "CC-BY-SA-4.0"), ("*/Skiessi/*", "CC-BY-SA-4.0"),
        ),
    ),
    DebianSource(
        "blupi", "planetblupi-music-midi", "usr/share/planetblupi/music", ("*.mid",), "midi", "GPL-3+",
        (Terms("GPL-3+", _notice("the MIDI music of Planet Blupi 1.14.2 (Debian package planetblupi-music-midi "
                                 "1.14.2-3)", "1997 Daniel Roux, EPSITEC SA & Denis Dumoulin; 2017-2018 Mathieu "
                                 "Schroeter", "the GNU General Public License version 3 or later "
                                 "(GPL-3.0-or-later)")),),
    ),
    DebianSource(
        "musescore", "musescore3-common", "usr/share/mscore3-3.2/demos", ("*.mscx", "*.mscz"), "mscx", "CC-BY-3.0",
        (Terms("CC-BY-3.0", _notice(MUSESCORE_WHAT, "2011-2012 Marc Sabatella",
                                    "Creative Commons Attribution 3.0")),
         Terms("CC-BY-SA-4.0", _notice(MUSESCORE_WHAT, "2019 James Thistlewood",
                                       "Creative Commons Attribution-ShareAlike 4.0"))),
        rules=(("Brassed_Up.*", "CC-BY-SA-4.0"), ("Dynamic_Strings.*", "CC-BY-SA-4.0")),
    ),
    DebianSource(
        "pingus", "pingus-data", "usr/share/games/pingus/data/music", ("*.it",), "it", "GPL-2+",
        (Terms("GPL-2+", _notice("the Impulse Tracker music of Pingus 0.7.6 (Debian package pingus-data "
                                 "0.7.6-5.1)", "(C) 1999-2007 Ingo Ruhnke and the Pingus contributors (the "
                                 "modules' composers, among them Yuri R. Sucupira, named in their sample names)",
                                 "the GNU General Public License version 2 or later (GPL-2.0-or-later)")),),
    ),
    DebianSource(
        "pachi", "pachi-data", "usr/share/pachi/music", ("*.s3m",), "module", "GPL-2+",
        (Terms("GPL-2+", _notice("the Scream Tracker music of Pachi el marciano 1.0 (Debian package pachi-data "
                                 "1:1.0-10)", "(c) 2002-2003 Santiago Radeff, Nicolas Radeff and Peter Hajba "
                                 "(Skaven, the modules' composer)",
                                 "the GNU General Public License version 2 or later (GPL-2.0-or-later)")),),
    ),
    DebianSource(
        "heroes", "heroes-sound-tracks", "usr/share/games/heroes/mod", ("*.xm",), "module", "GPL-2+",
        (Terms("GPL-2+", _notice("the FastTracker 2 music of Heroes (Debian package heroes-sound-tracks 1.0-6)",
                                 "1997, 1998, 2000 Alexandre Duret-Lutz, Romuald Genevois, Alexandre Liverneaux "
                                 "and Philippe Meisburger (the modules by Alexel and Tnk, named in sound.conf)",
                                 "the GNU General Public License version 2 or later (GPL-2.0-or-later)")),),
    ),
    DebianSource(
        "circuslinux", "circuslinux-data", "usr/share/games/circuslinux/data/music", ("*.mod",), "module",
        "GPL-1+",
        (Terms("GPL-1+", _notice("the ProTracker music of Circus Linux! 1.0.3 (Debian package circuslinux-data "
                                 "1.0.3-34.1)", "(c) 2000-2001 Bill Kendrick (New Breed Software)",
                                 "the GNU General Public License, no version named (so any version may be "
                                 "chosen: GPL-1.0-or-later)")),),
    ),
)
"""Every Debian source, in build order."""
