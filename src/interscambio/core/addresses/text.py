# SPDX-License-Identifier: EUPL-1.2
"""Address text as tokens: folded to upper-case ASCII, dots noted, numbers apart from letters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final, NamedTuple

from interscambio.core.addresses.vocabulary import (
    DOTTED_WORDS,
    NAME_ABBREVIATIONS,
    NAME_VARIANTS,
    ORDINALS,
    SAINT,
    SAINTS,
    STOPWORDS,
)

# An apostrophe either elides ("DELL'ARSENALE") or stands for an accent ("PIETA'"): as a space
# it gives the same words in both cases. Ordinal signs read as dots: "N° 12", "3° piano".
_PUNCTUATION: Final = str.maketrans(
    {"'": " ", "’": " ", "‘": " ", "`": " ", "´": " ", "°": ".", "º": ".", "ª": "."}
)
_PARENTHESES: Final = re.compile(r"\([^)]*\)")
_TOKEN: Final = re.compile(r"[A-Z]+(?:\.[A-Z]+)*\.?|[0-9]+|[/,;\-]")
_ROMAN: Final = re.compile(r"(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES: Final = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

WORD: Final = "w"
NUMBER: Final = "n"
SLASH: Final = "/"
COMMA: Final = ","
DASH: Final = "-"


class Token(NamedTuple):
    text: str  # upper case, no dots
    dotted: bool  # written with a dot: an abbreviation or an initial
    kind: str  # WORD, NUMBER, SLASH, COMMA or DASH


class NameToken(NamedTuple):
    """A word of a street name as matching sees it."""

    text: str
    canon: str  # the form two spellings of the same word share
    dotted: bool
    stopword: bool


def fold(text: str) -> str:
    """Upper case, accents removed, apostrophes as spaces, parenthesised remarks dropped."""
    text = text.translate(_PUNCTUATION)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PARENTHESES.sub(" ", text.upper())


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(fold(text)):
        piece = match.group()
        first = piece[0]
        if first.isdigit():
            tokens.append(Token(piece, False, NUMBER))
        elif first in "/-":
            tokens.append(Token(piece, False, first))
        elif first in ",;":
            tokens.append(Token(",", False, COMMA))
        else:
            tokens.extend(_words(piece))
    return tokens


def _words(piece: str) -> list[Token]:
    dotted = piece.endswith(".")
    parts = piece.rstrip(".").split(".")
    if len(parts) == 1:
        return [Token(parts[0], dotted, WORD)]
    joined = "".join(parts)
    if joined in DOTTED_WORDS:  # "C.SO", "P.ZZA", "F.LLI"
        return [Token(joined, True, WORD)]
    # "V.EMANUELE", "S.GIOVANNI": initials written without a space.
    last = len(parts) - 1
    return [Token(part, i < last or dotted, WORD) for i, part in enumerate(parts)]


def roman_value(text: str) -> int | None:
    if not text or not _ROMAN.fullmatch(text):
        return None
    total = 0
    for current, following in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[current]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


@lru_cache(maxsize=65_536)
def canon(text: str, dotted: bool) -> str:
    """The shared form of a name word: saints as S, numerals in digits, abbreviations expanded."""
    if text in SAINTS:
        return SAINT
    if dotted and text in NAME_ABBREVIATIONS:
        return NAME_ABBREVIATIONS[text]
    if text in NAME_VARIANTS:
        return NAME_VARIANTS[text]
    if text in ORDINALS:
        return ORDINALS[text]
    if text.isdigit():
        return text.lstrip("0") or "0"
    if not dotted:
        value = roman_value(text)
        if value is not None:
            return str(value)
    return text


def name_tokens(tokens: list[Token] | tuple[Token, ...]) -> tuple[NameToken, ...]:
    return tuple(
        NameToken(t.text, canon(t.text, t.dotted), t.dotted, not t.dotted and t.text in STOPWORDS)
        for t in tokens
        if t.kind in (WORD, NUMBER)
    )


@lru_cache(maxsize=65_536)
def words_of(name: str) -> tuple[NameToken, ...]:
    """The name tokens of a street name; cached, since the same names come back all the time."""
    return name_tokens(tokenize(name))


def render(tokens: list[Token] | tuple[Token, ...]) -> str:
    """Tokens back as text, the dots of abbreviations kept: "VITT. EMANUELE II"."""
    return " ".join(t.text + "." if t.dotted else t.text for t in tokens)
