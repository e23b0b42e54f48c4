# SPDX-License-Identifier: EUPL-1.2
"""The font files the letters need, from Debian's Noto packages, found where Debian puts them.

No font ships with the project and none is downloaded: `.ci/run` installs, as docs/notices.md
asks of a node, fonts-noto-core (Latin, Arabic, Urdu's Nastaliq, Bengali) and fonts-noto-cjk
(Chinese). A missing file stops the batch before anything is written, naming the package.
INTERSCAMBIO_FONT_DIRS (settings.NOTICES_FONT_DIRS) adds folders to search first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from django.conf import settings
from fontTools.ttLib import TTCollection

DEBIAN_FOLDERS: Final = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)


@dataclass(frozen=True)
class Face:
    """A font file, with the face's number inside a collection (.ttc)."""

    family: str
    path: Path
    number: int = 0


@dataclass(frozen=True)
class Wanted:
    family: str
    file: str
    package: str
    collection_face: str = ""  # the face's full name inside a .ttc


LATIN: Final = "noto-sans"
# The families a letter uses; `script` below says which one writes each language.
WANTED: Final = (
    Wanted(LATIN, "NotoSans-Regular.ttf", "fonts-noto-core"),
    Wanted(f"{LATIN}-bold", "NotoSans-Bold.ttf", "fonts-noto-core"),
    Wanted("noto-naskh-arabic", "NotoNaskhArabic-Regular.ttf", "fonts-noto-core"),
    Wanted("noto-nastaliq-urdu", "NotoNastaliqUrdu-Regular.ttf", "fonts-noto-core"),
    Wanted("noto-sans-bengali", "NotoSansBengali-Regular.ttf", "fonts-noto-core"),
    Wanted("noto-sans-sc", "NotoSansCJK-Regular.ttc", "fonts-noto-cjk", "Noto Sans CJK SC"),
)
# Urdu is written in Nastaliq, as its readers expect; Arabic in Naskh, the print style.
SCRIPT: Final = {
    "ar": "noto-naskh-arabic",
    "ur": "noto-nastaliq-urdu",
    "bn": "noto-sans-bengali",
    "zh": "noto-sans-sc",
}


class MissingFont(FileNotFoundError):
    pass


def _folders() -> list[Path]:
    extra = [Path(p) for p in getattr(settings, "NOTICES_FONT_DIRS", ())]
    return [*extra, *DEBIAN_FOLDERS]


def _face_number(path: Path, name: str) -> int:
    collection = TTCollection(str(path), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(4) == name:
            return number
    raise MissingFont(f"{path} holds no face named {name!r}")


@cache
def faces() -> dict[str, Face]:
    """Every family the letters use, by name; MissingFont names the Debian package to install."""
    found: dict[str, Face] = {}
    missing: dict[str, list[str]] = {}
    for wanted in WANTED:
        path = next((f / wanted.file for f in _folders() if (f / wanted.file).is_file()), None)
        if path is None:
            missing.setdefault(wanted.package, []).append(wanted.file)
            continue
        number = _face_number(path, wanted.collection_face) if wanted.collection_face else 0
        found[wanted.family] = Face(wanted.family, path, number)
    if missing:
        packages = " ".join(sorted(missing))
        files = ", ".join(f for names in missing.values() for f in names)
        raise MissingFont(
            f"the letters' fonts are missing ({files}, looked in "
            f"{', '.join(str(f) for f in _folders())}): apt-get install {packages}"
        )
    return found


def family_for(language: str) -> str:
    return SCRIPT.get(language, LATIN)
