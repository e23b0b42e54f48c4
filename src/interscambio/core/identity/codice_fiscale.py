# SPDX-License-Identifier: EUPL-1.2
"""A fast codice fiscale encoder and validator.

`python-codicefiscale` is the reference implementation and stays the one to trust; it spends
about 0.7 ms per code looking places up by name, too slow for millions of synthetic people.
This module takes the Belfiore place code directly and does only string work; a test checks
it against the reference on a large random sample, omocodia included.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

MONTH_LETTERS: Final = "ABCDEHLMPRST"
VOWELS: Final = frozenset("AEIOU")
# Omocodia replaces digits with these letters, rightmost digit position first.
OMOCODIA_LETTERS: Final = "LMNPQRSTUV"
OMOCODIA_POSITIONS: Final = (14, 13, 12, 10, 9, 7, 6)
_TO_LETTER: Final = {str(d): OMOCODIA_LETTERS[d] for d in range(10)}
_TO_DIGIT: Final = str.maketrans(OMOCODIA_LETTERS, "0123456789")

# Values of characters in odd positions: digits 0-9, then letters A-Z.
_ODD_SEQUENCE: Final = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21) * 2 + (
    2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
)  # fmt: skip
_ODD_VALUES: Final = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", _ODD_SEQUENCE, strict=True))
_EVEN_VALUES: Final = {
    **{str(d): d for d in range(10)},
    **{chr(ord("A") + i): i for i in range(26)},
}

# Letters or omocodia letters where digits belong; the check letter is verified separately.
_CODE_RE: Final = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_PROVISIONAL_RE: Final = re.compile(r"^[0-9]{11}$")


def letters_of(text: str) -> str:
    """Upper-case A-Z letters of a name, accents folded, everything else dropped."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded.upper() if "A" <= c <= "Z")


def _consonants_vowels(text: str) -> tuple[str, str]:
    letters = letters_of(text)
    consonants = "".join(c for c in letters if c not in VOWELS)
    vowels = "".join(c for c in letters if c in VOWELS)
    return consonants, vowels


def surname_part(surname: str) -> str:
    consonants, vowels = _consonants_vowels(surname)
    return (consonants + vowels + "XXX")[:3]


def name_part(given_names: str) -> str:
    consonants, vowels = _consonants_vowels(given_names)
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return (consonants + vowels + "XXX")[:3]


def date_part(birth_date: date, sex: str) -> str:
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{birth_date.year % 100:02d}{MONTH_LETTERS[birth_date.month - 1]}{day:02d}"


def check_letter(first15: str) -> str:
    # Odd positions (1st, 3rd...) and even ones weigh differently; slicing keeps this hot path
    # (every record of every flow) free of per-character Python branching.
    total = sum(map(_ODD_VALUES.__getitem__, first15[0::2])) + sum(
        map(_EVEN_VALUES.__getitem__, first15[1::2])
    )
    return chr(ord("A") + total % 26)


def encode(surname: str, given_names: str, sex: str, birth_date: date, place_code: str) -> str:
    """The codice fiscale of a person, `place_code` being the Belfiore code (Z330, L219...)."""
    if sex not in {"M", "F"}:
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    body = (
        surname_part(surname)
        + name_part(given_names)
        + date_part(birth_date, sex)
        + place_code.upper()
    )
    return body + check_letter(body)


def omocode(code: str, level: int) -> str:
    """The code with its `level` rightmost digits replaced by letters (omocodia, 1..7)."""
    if not 1 <= level <= len(OMOCODIA_POSITIONS):
        raise ValueError(f"omocodia level must be 1..{len(OMOCODIA_POSITIONS)}, not {level}")
    chars = list(code[:15])
    for position in OMOCODIA_POSITIONS[:level]:
        chars[position] = _TO_LETTER.get(chars[position], chars[position])
    body = "".join(chars)
    return body + check_letter(body)


def fold_omocodia(code: str) -> str:
    """The base code of an omocode: letters in digit places turned back into digits."""
    if not _CODE_RE.fullmatch(code[:15] + "A"):
        raise ValueError(f"{code!r} is not in the form of a codice fiscale")
    chars = list(code[:15])
    for position in OMOCODIA_POSITIONS:
        chars[position] = chars[position].translate(_TO_DIGIT)
    body = "".join(chars)
    return body + check_letter(body)


def written(code: str) -> str:
    """A code as people write it, made comparable: spaces dropped, upper case."""
    return "".join(code.split()).upper()


def same_code(a: str, b: str) -> bool:
    """Whether two codes as written are the same codice fiscale: spaces and case do not count,
    an omocode is the same as its base code (the check letter, which follows from the rest, is
    not compared), any other text (a provisional code, a malformed one) is the same only as
    itself. Symmetric, and never raises."""
    a, b = written(a), written(b)
    if _CODE_RE.fullmatch(a) and _CODE_RE.fullmatch(b):
        return fold_omocodia(a)[:15] == fold_omocodia(b)[:15]
    return a == b


def is_valid(code: str) -> bool:
    """True for a well-formed 16-character code (omocodes included) with the right check letter."""
    if not _CODE_RE.fullmatch(code):
        return False
    return check_letter(code[:15]) == code[15]


def provisional_check_digit(first10: str) -> str:
    """Check digit of an 11-digit numeric code (the algorithm of the partita IVA)."""
    total = 0
    for i, c in enumerate(first10):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_provisional(code: str) -> bool:
    """True for a well-formed provisional 11-digit numeric code."""
    return bool(_PROVISIONAL_RE.fullmatch(code)) and provisional_check_digit(code[:10]) == code[10]


def validation_error(code: str) -> str | None:
    """Why `code` is not an acceptable codice fiscale, or None when it is."""
    if _PROVISIONAL_RE.fullmatch(code):
        return None if is_provisional(code) else "wrong check digit of the provisional code"
    if len(code) != 16:
        return f"must be 16 characters (or an 11-digit provisional code), not {len(code)}"
    if not _CODE_RE.fullmatch(code):
        return "not in the form of a codice fiscale"
    if check_letter(code[:15]) != code[15]:
        return f"wrong check letter (expected {check_letter(code[:15])})"
    return None
