"""Lead lines from Debian's music packages (offline): OpenMSX, Freedoom, LMMS demos, Planet Blupi, MuseScore.

Each package is fetched with `apt-get download` into an ignored build folder and unpacked with `dpkg-deb -x`
(never installed), so the build needs no root and leaves the system alone. One small reader per format turns
a file into a `song.Song` (`midi`, `wad`, `lmms`, `mscx`); `lead` picks the melodic track, takes its
skyline and the chords under it, and cuts it into records of the corpus schema (`composer.melody.corpus`);
`families` says which genre family each piece is; `build` writes one derived file per source and licence
under `composer/data/leads/`. Entry point: `motif data leads` (`build.build_leads`).
"""
