# SPDX-License-Identifier: EUPL-1.2
"""Name keys that survive romanization: Mohamed, Mohammed and Muhammad get the same key.

A name written in the Latin alphabet from Arabic, Cyrillic, Bengali or Tigrinya varies in its
vowels (Yusuf / Youssef, Tatiana / Tatyana), in doubled letters (Mohamed / Mohammed), in how a
sound is spelt (Aleksandr / Alexander, Khaled / Haled, Djamel / Jamal) and in how particles are
split (Abdelkader / Abd El Kader / Abdel Kader). The key keeps what is stable, the consonant
skeleton, after folding the spellings of the same sound and gluing particles to the word they
belong to; the first letter is kept as a vowel class when it is a vowel, since an initial vowel
carries much of a short name.

The keys are for agreement and blocking, never for display. They collide more than spellings do
(Maria and Mario share one), which is why the linkage model weighs a key agreement less than an
exact one and looks at the other fields too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Cyrillic letters as the usual Latin romanizations write them.
_CYRILLIC: Final = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐ",
        [
            "A",
            "B",
            "V",
            "G",
            "D",
            "E",
            "E",
            "ZH",
            "Z",
            "I",
            "Y",
            "K",
            "L",
            "M",
            "N",
            "O",
            "P",
            "R",
            "S",
            "T",
            "U",
            "F",
            "KH",
            "TS",
            "CH",
            "SH",
            "SHCH",
            "_",
            "Y",
            "_",
            "E",
            "YU",
            "YA",
            "I",
            "YI",
            "YE",
            "G",
        ],
        strict=True,
    )
)
# Particles that are glued to the next word: "ABD EL KADER" is one name, ABDELKADER.
_PARTICLES: Final = frozenset(
    [
        "ABD",
        "ABDEL",
        "ABDUL",
        "ABOU",
        "ABU",
        "AL",
        "EL",
        "UL",
        "UD",
        "ED",
        "AD",
        "ER",
        "AS",
        "ASH",
        "AN",
        "BEN",
        "BIN",
        "IBN",
        "BOU",
        "BU",
        "OULD",
        "DE",
        "DI",
        "DA",
        "DEL",
        "DELLA",
        "DOS",
        "DAS",
        "DU",
        "LA",
        "LE",
        "VAN",
        "VON",
        "DER",
    ]
)
# Spellings of the same sound, longest first; applied left to right on the whole word. CH is
# the French way of writing "sh" (Cherif / Sherif), the usual one in North African names.
_SOUNDS: Final = (
    ("SHCH", "S"),
    ("SCH", "S"),
    ("TCH", "S"),
    ("DJ", "J"),
    ("DZH", "J"),
    ("ZH", "J"),
    ("KH", "K"),
    ("GH", "G"),
    ("PH", "F"),
    ("TH", "T"),
    ("DH", "D"),
    ("SH", "S"),
    ("CH", "S"),
    ("CK", "K"),
    ("Q", "K"),
    ("C", "K"),
    ("X", "KS"),
    ("W", "V"),
    ("Z", "S"),
    ("G", "J"),
)
_SOUND_RE: Final = re.compile("|".join(re.escape(a) for a, _ in _SOUNDS))
_SOUND_MAP: Final = dict(_SOUNDS)
_VOWELS: Final = frozenset("AEIOUY")
# French OU before a vowel is a W: Oualid is Walid.
_OU_W: Final = re.compile(r"OU(?=[AEIY])")
_NOT_LETTER: Final = re.compile(r"[^A-Z]+")
_DOUBLE: Final = re.compile(r"(.)\1+")


def normalize(text: str | None) -> str:
    """Upper case, accents and Cyrillic folded to Latin letters, one space between words."""
    if not text:
        return ""
    latin = "".join(_CYRILLIC.get(c, c) for c in text.upper())
    folded = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_LETTER.sub(" ", folded.replace("_", "")).split())


def words(text: str | None) -> list[str]:
    """The words of a name with particles glued to the word after them."""
    out: list[str] = []
    pending = ""
    for word in normalize(text).split():
        if word in _PARTICLES:
            pending += word
            continue
        out.append(pending + word)
        pending = ""
    if pending:
        out.append(pending)
    return out


@lru_cache(maxsize=1 << 16)
def word_key(word: str) -> str:
    """The skeleton of one normalized word: sounds folded, vowels dropped, doubles collapsed."""
    if not word:
        return ""
    sounds = _SOUND_RE.sub(lambda m: _SOUND_MAP[m.group(0)], _OU_W.sub("V", word))
    # Doubled letters collapse before the vowels go, so that Tatiana keeps both its Ts.
    single = _DOUBLE.sub(r"\1", sounds)
    head = "*" if single[0] in _VOWELS else single[0]
    # A final H is silent (Fatimah / Fatima, Abdullah / Abdulla).
    return head + "".join(c for c in single[1:].removesuffix("H") if c not in _VOWELS)


def name_key(text: str | None) -> str:
    """The key of a whole name field: the keys of its words, in order, space-separated."""
    return " ".join(word_key(w) for w in words(text))


def first_key(text: str | None) -> str:
    """The key of the first word of a name field: what survives a dropped second name."""
    found = words(text)
    return word_key(found[0]) if found else ""


def bag_key(*fields: str | None) -> str:
    """The word keys of all the fields, sorted: the same whatever field each word went into."""
    return " ".join(sorted(word_key(w) for text in fields for w in words(text)))
