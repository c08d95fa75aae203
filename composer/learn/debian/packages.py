"""The Debian packages the lead lines come from: pinned versions and digests, fetched and unpacked here.

`apt-get download` fetches a package file (no root, nothing installed) from the system's configured
archive; the digest is checked against the one recorded below, so a rebuild reads exactly the bytes DATA.md
names or stops. `dpkg-deb -x` unpacks it into the build folder (ignored by git), never into the system.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parents[3] / "build" / "debian"
"""Where packages are downloaded and unpacked (the repository's ignored build/ folder)."""
COMMAND_TIMEOUT_S = 300


class PackageError(RuntimeError):
    """A package that cannot be downloaded, has another digest than recorded, or does not unpack."""


@dataclass(frozen=True)
class Package:
    """One Debian package at one version, with the sha256 of its .deb file."""

    name: str
    version: str
    sha256: str

    @property
    def deb_name(self) -> str:
        return f"{self.name}_{self.version.replace(':', '%3a')}_all.deb"


PACKAGES: dict[str, Package] = {p.name: p for p in (
    Package("openttd-openmsx", "0.4.2-1", "1a728a4ac37a1c614de1f597d3024caa7f54ce93d28f5b979b5758305b916a54"),
    Package("freedoom", "0.12.1-2", "c5b7cf1aa6dde8c980271981ce75b9b4a9e7b634b9db93d471f54bab7a8e1290"),
    Package("lmms-common", "1.2.2+dfsg1-6", "7d9aa55dd05f11edc57104203ee1c350e3e41f8936ab3741da2bb1158fd46c37"),
    Package("planetblupi-music-midi", "1.14.2-3",
            "74ad0ff0bedbd9c5f4b1fc31163523193a1a2ec57d130adf3130543211fee7e3"),
    Package("musescore3-common", "3.2.3+dfsg2-16",
            "f5b60f12d83ee5a1aab794d76039d57e09d9cd9907f5e2c0705c40d919174627"),
    Package("pingus-data", "0.7.6-5.1", "db503fdc34a7f86a02f2f1a77219b5cf4d813224cd4b13b5f0aad3af3d213805"),
    Package("pachi-data", "1:1.0-10", "2f9bc03ee2bdb8dd4a9d07f793abaa181b6e946c198fde3060fd368b6a90a3a8"),
    Package("heroes-sound-tracks", "1.0-6", "b80a11d6bf5e3e7322e4bb511afa4f5d8b4dbea5b157408d1dede161c336371a"),
    Package("circuslinux-data", "1.0.3-34.1", "0ebf20793f5fdfab35b05906b483d0b8b78bac543121154e89bfedfca09b6af0"),
)}
"""Debian 12 (bookworm) versions, digests as downloaded on 2026-12-01."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(package: Package, build_dir: Path = BUILD_DIR) -> Path:
    """The package's .deb in `build_dir`, downloaded unless already there; PackageError on a wrong digest."""
    build_dir.mkdir(parents=True, exist_ok=True)
    deb = build_dir / package.deb_name
    if not deb.exists():
        _run(["apt-get", "download", f"{package.name}={package.version}"], build_dir)
    if not deb.exists():
        raise PackageError(f"apt-get download left no {deb.name} in {build_dir}")
    found = sha256_of(deb)
    if found != package.sha256:
        raise PackageError(f"{deb.name}: sha256 {found}, expected {package.sha256}")
    return deb


def unpack(package: Package, build_dir: Path = BUILD_DIR) -> Path:
    """The unpacked tree of the package (fetched and unpacked on first use)."""
    deb = fetch(package, build_dir)
    root = build_dir / f"{package.name}_{package.version}"
    if not (root / ".unpacked").exists():
        root.mkdir(parents=True, exist_ok=True)
        _run(["dpkg-deb", "-x", str(deb.resolve()), str(root.resolve())], build_dir)
        (root / ".unpacked").write_text(package.sha256 + "\n", encoding="utf-8")
    return root


def _run(command: list[str], cwd: Path) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=COMMAND_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise PackageError(f"{command[0]} is not installed (a Debian-based system is needed)") from exc
    except subprocess.CalledProcessError as exc:
        raise PackageError(f"{' '.join(command)} failed: {exc.stderr.decode(errors='replace')[-400:]}") from exc
