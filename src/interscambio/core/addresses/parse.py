# SPDX-License-Identifier: EUPL-1.2
"""Free-text Italian addresses split into street type, name, civic number and the rest.

The text is read left to right: the street type (DUG) at the start, then the name up to the
civic number, a comma or a staircase/interno keyword, then the civic number with its suffix
(esponente), then staircase, floor and interno in any order. Words the parser does not know
after the civic number ("TORINO", a CAP, "ITALIA") are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from interscambio.core.addresses.text import (
    COMMA,
    DASH,
    NUMBER,
    SLASH,
    WORD,
    Token,
    fold,
    render,
    tokenize,
    words_of,
)
from interscambio.core.addresses.vocabulary import (
    CARE_OF,
    CIVIC_MARKERS,
    DUG_FORMS,
    FLOOR_VALUES,
    FLOOR_WORDS,
    INTERNO_WORDS,
    MAX_DUG_WORDS,
    NAME_STOPPERS,
    NO_CIVIC,
    STAIRCASE_WORDS,
    SUFFIX_WORDS,
)

# A written form of a DUG (words without dots, joined by a space) -> the DUG.
DugTable = Mapping[str, str]
_CAP_DIGITS: Final = 5  # a five-digit number is a postal code, never a civic number
_NAME_ENDS: Final = NO_CIVIC | NAME_STOPPERS


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address as written, split into its parts; "" (or None) for a part not found."""

    dug: str = ""  # canonical street type: VIA, CORSO, PIAZZA, LUNGO PO...
    name: str = ""  # the street name as written, upper case: "VITT. EMANUELE II"
    civic: int | None = None
    suffix: str = ""  # esponente: "B", "BIS"
    staircase: str = ""
    floor: str = ""  # "0" for piano terra, "R" rialzato, "S" seminterrato
    interno: str = ""
    dug_as_written: str = ""  # "V.", "C.SO" read as a DUG: the resolver may read it as a name


def dug_table(extra: Iterable[str] = ()) -> dict[str, str]:
    """The DUG forms this module knows, plus `extra` street types (a gazetteer's own)."""
    table = {form: dug for dug, forms in DUG_FORMS.items() for form in forms}
    for dug in extra:
        words = [t.text for t in tokenize(dug) if t.kind == WORD]
        if words:
            canonical = " ".join(words)
            table.setdefault(canonical, canonical)
            table.setdefault("".join(words), canonical)
    return table


DEFAULT_DUGS: Final[DugTable] = dug_table()


def parse_address(text: str, dugs: DugTable = DEFAULT_DUGS) -> ParsedAddress:
    """Split `text`; never raises, an empty or meaningless text gives an empty address."""
    tokens = _without_care_of(tokenize(text if isinstance(text, str) else ""), dugs)
    start = _street_start(tokens, dugs)
    dug, width = match_dug(tokens, start, dugs)
    name, end = _name(tokens, start + width)
    tail = _Tail(tokens, end)
    tail.read()
    return ParsedAddress(
        dug=dug,
        name=render(name),
        civic=tail.civic,
        suffix=tail.suffix,
        staircase=tail.staircase,
        floor=tail.floor,
        interno=tail.interno,
        dug_as_written=render(tokens[start : start + width]),
    )


def address_key(text: str) -> str:
    """A canonical key of an address without a gazetteer: DUG, name words, civic/suffix.

    "C.so Vitt. Emanuele II, 12/b" and "CORSO VITTORIO EMANUELE 2 N. 12 B" give the same key,
    "CORSO VITTORIO EMANUELE 2 12/B"; staircase, floor and interno are left out. "" when the
    text has no street name.
    """
    parsed = parse_address(text)
    words = [t.canon for t in words_of(parsed.name) if not t.stopword]
    if not words:
        return ""
    civic = "" if parsed.civic is None else str(parsed.civic)
    if civic and parsed.suffix:
        civic += "/" + parsed.suffix
    return " ".join(part for part in (parsed.dug, *words, civic) if part)


def normalized(text: str) -> str:
    """The text folded and with single spaces: two spellings that give the same are one."""
    return " ".join(fold(text).split())


def match_dug(tokens: list[Token], start: int, dugs: DugTable) -> tuple[str, int]:
    """(DUG, number of tokens) at `start`, the longest written form that matches; ("", 0)."""
    for width in range(MAX_DUG_WORDS, 0, -1):
        words = tokens[start : start + width]
        if len(words) < width or any(t.kind != WORD for t in words):
            continue
        # Only the forms in the table: "VIA LE CHIUSE" is not "VIALE CHIUSE".
        dug = dugs.get(" ".join(t.text for t in words))
        if dug:
            return dug, width
    return "", 0


def _street_start(tokens: list[Token], dugs: DugTable) -> int:
    """Where the street begins: the first word, or a DUG after a comma ("10121 TORINO, VIA...")."""
    start = 0
    while start < len(tokens) and tokens[start].kind not in (WORD, NUMBER):
        start += 1
    if match_dug(tokens, start, dugs)[0]:
        return start
    for i, t in enumerate(tokens[start:-1], start):
        if t.kind == COMMA and len(tokens[i + 1].text) > 1 and match_dug(tokens, i + 1, dugs)[0]:
            return i + 1
    return start


def _is(tokens: list[Token], i: int, kind: str) -> bool:
    return i < len(tokens) and tokens[i].kind == kind


def _text_at(tokens: list[Token], i: int) -> str:
    return tokens[i].text if i < len(tokens) else ""


def _civic_number(token: Token) -> bool:
    return token.kind == NUMBER and len(token.text) < _CAP_DIGITS


def _care_of_at(tokens: list[Token]) -> tuple[int, int] | None:
    for i, t in enumerate(tokens):
        if t.kind == WORD and t.text in CARE_OF:
            return i, i + 1
        if t.text == "C" and _is(tokens, i + 1, SLASH) and _text_at(tokens, i + 2) == "O":
            return i, i + 3
    return None


def _without_care_of(tokens: list[Token], dugs: DugTable) -> list[Token]:
    """The address without "c/o Rossi" (before it, up to a comma or a DUG; or after it)."""
    found = _care_of_at(tokens)
    if found is None:
        return tokens
    start, end = found
    if any(t.kind in (WORD, NUMBER) for t in tokens[:start]):
        return tokens[:start]
    rest = tokens[end:]
    for j, t in enumerate(rest):
        if t.kind == COMMA:
            return rest[j + 1 :]
    for j in range(1, len(rest)):
        dug, _ = match_dug(rest, j, dugs)
        if dug and len(rest[j].text) > 1:
            return rest[j:]
    return []


def _name(tokens: list[Token], i: int) -> tuple[list[Token], int]:
    """The name's tokens and where the rest starts."""
    name: list[Token] = []
    while i < len(tokens):
        t = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if t.kind == COMMA:
            i += 1
            if name:
                break
            continue
        if t.kind == NUMBER:
            if not _civic_number(t) or following is None:
                break
            # "VIA 4 NOVEMBRE", and the numeral of "VITTORIO EMANUELE 2 12".
            leading = not name and following.kind == WORD and not _tail_word(following)
            if leading or (name and _civic_follows(tokens, i + 1)):
                name.append(t)
                i += 1
                continue
            break
        if t.kind == WORD:
            before_number = following is not None and following.kind == NUMBER
            if (t.text in CIVIC_MARKERS and before_number) or t.text in _NAME_ENDS:
                break
            name.append(t)
        i += 1
    return name, i


def _civic_follows(tokens: list[Token], i: int) -> bool:
    """Whether a civic number starts at `i` ("12", ", 12", "N. 12"), not a floor ("1° PIANO")."""
    if _is(tokens, i, COMMA):
        i += 1
    if _is(tokens, i, WORD) and tokens[i].text in CIVIC_MARKERS:
        i += 1
    if i >= len(tokens) or not _civic_number(tokens[i]):
        return False
    return not (i + 1 < len(tokens) and tokens[i + 1].text in FLOOR_WORDS)


def _tail_word(token: Token) -> bool:
    """A word that belongs after a civic number: "12 B", "12 BIS", "12 SC. A"."""
    text = token.text
    return (
        len(text) == 1
        or text in SUFFIX_WORDS
        or text in STAIRCASE_WORDS
        or text in INTERNO_WORDS
        or text in CIVIC_MARKERS
    )


class _Tail:
    """The civic number and the details after the name, read in one pass."""

    def __init__(self, tokens: list[Token], start: int) -> None:
        self.tokens, self.i = tokens, start
        self.civic: int | None = None
        self.suffix = self.staircase = self.floor = self.interno = ""

    def at(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def read(self) -> None:
        while (t := self.at()) is not None:
            following = self.at(1)
            if t.kind == NUMBER:
                self.number(t, following)
            elif t.kind == WORD:
                self.word(t, following)
            else:
                self.i += 1

    def number(self, t: Token, following: Token | None) -> None:
        if self.civic is None and _civic_number(t):
            self.civic = int(t.text)
            self.i += 1
            self.read_suffix()
        elif following is not None and following.text == "PIANO" and _civic_number(t):
            self.floor = str(int(t.text))  # "3 PIANO", "3° PIANO"
            self.i += 2
        else:
            self.i += 1

    def read_suffix(self) -> None:
        t, following = self.at(), self.at(1)
        if t is None:
            return
        if t.kind in (SLASH, DASH) and following is not None:
            short = len(following.text) <= 3 or following.text in SUFFIX_WORDS
            if following.kind == WORD and short and not _detail_word(following):
                self.suffix, self.i = following.text, self.i + 2
            elif following.kind == NUMBER and t.kind == SLASH and len(following.text) <= 3:
                self.suffix, self.i = str(int(following.text)), self.i + 2  # "12/1"
            elif following.kind == NUMBER:  # "12-14": a range of numbers, the first one counts
                self.i += 2
            return
        if t.kind == WORD and (t.text in SUFFIX_WORDS or len(t.text) == 1) and t.text != "N":
            # "12 P. 3", "12 I 5": a floor or an interno, not a suffix.
            before_number = following is not None and following.kind == NUMBER
            if not (before_number and (t.dotted or t.text in "PI")):
                self.suffix = t.text
                self.i += 1

    def word(self, t: Token, following: Token | None) -> None:
        text, value = t.text, self.value(following)
        if text in STAIRCASE_WORDS and value:
            self.staircase = value
            self.i += 2
        elif text in INTERNO_WORDS and value and (len(text) > 1 or following_is_number(following)):
            self.i += 2
            self.interno = value + self.letter()
        elif (
            text in FLOOR_WORDS
            and following is not None
            and (len(text) > 1 or following.kind == NUMBER or following.text in FLOOR_VALUES)
        ):
            self.i += 1
            self.floor = self.floor_value()
        elif text in ("PT", "PR"):
            self.floor = FLOOR_VALUES[text]
            self.i += 1
        elif text in FLOOR_VALUES and following is not None and following.text == "PIANO":
            self.floor = FLOOR_VALUES[text]  # "PRIMO PIANO", "PIANO" itself then skipped
            self.i += 2
        else:
            self.i += 1

    def value(self, token: Token | None) -> str:
        if token is None or token.kind not in (WORD, NUMBER):
            return ""
        if token.kind == NUMBER:
            return str(int(token.text)) if _civic_number(token) else token.text
        return "" if token.text in CIVIC_MARKERS or _keyword(token) else token.text

    def letter(self) -> str:
        """The letter of an interno "5A" or "5/A"."""
        t, following = self.at(), self.at(1)
        if (
            t is not None
            and t.kind == WORD
            and len(t.text) == 1
            and not following_is_number(following)
        ):
            self.i += 1
            return t.text
        if t is not None and t.kind == SLASH and following is not None and len(following.text) == 1:
            self.i += 2
            return following.text if following.kind == WORD else "/" + following.text
        return ""

    def floor_value(self) -> str:
        t, following = self.at(), self.at(1)
        if t is None:
            return ""
        if t.kind == DASH and following is not None and following.kind == NUMBER:
            self.i += 2
            return "-" + str(int(following.text)) if _civic_number(following) else ""
        if t.kind == NUMBER:
            self.i += 1
            return str(int(t.text)) if _civic_number(t) else ""
        if t.text in FLOOR_VALUES:
            self.i += 1
            return FLOOR_VALUES[t.text]
        return ""


def following_is_number(token: Token | None) -> bool:
    return token is not None and token.kind == NUMBER


def _detail_word(token: Token) -> bool:
    text = token.text
    return _keyword(token) or text in CIVIC_MARKERS or text in NO_CIVIC or text in ("PT", "PR")


def _keyword(token: Token) -> bool:
    text = token.text
    return len(text) > 1 and (
        text in STAIRCASE_WORDS or text in INTERNO_WORDS or text in FLOOR_WORDS
    )
