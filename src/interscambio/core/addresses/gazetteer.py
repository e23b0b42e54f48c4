# SPDX-License-Identifier: EUPL-1.2
"""The Comune's street gazetteer (stradario) and the resolution of an address against it.

Streets are indexed by the words of their names, so that a text is compared only with the
streets that share a word with it (or a word one or two letters away); results are cached by
the folded text, since the same addresses come back in every flow.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

from interscambio.core.addresses.matching import FuzzyIndex, max_edits, name_penalty
from interscambio.core.addresses.parse import (
    ParsedAddress,
    dug_table,
    normalized,
    parse_address,
)
from interscambio.core.addresses.text import NUMBER, NameToken, name_tokens, tokenize, words_of
from interscambio.core.addresses.vocabulary import ELISIONS, SAINT

MIN_SCORE: Final = 0.6  # below this a street is not the one the text names
AMBIGUITY_GAP: Final = 0.03  # two streets closer than this cannot be told apart
CLOSE_GAP: Final = 0.1  # a rival this close lowers the confidence
NO_DUG: Final = 0.05  # the text gives no street type
OTHER_DUG: Final = 0.15  # the text gives another street type ("VIA" for a CORSO)
READ_AGAIN: Final = 0.05  # the text had to be read another way than the parser's
NO_CIVIC: Final = 0.2  # a street without a civic number locates no building
CIVIC_CHOSE: Final = 0.05  # only the civic number told two streets apart
NO_MAX: Final = 99_999  # a street whose gazetteer row gives no highest civic number
_GOOD_ENOUGH: Final = 0.97  # a reading this good needs no second one
_CROWDED: Final = 50  # a word more streets share selects candidates only if no other does


@dataclass(frozen=True, slots=True)
class Street:
    """A row of the gazetteer."""

    code: str
    dug: str
    name: str
    civic_min: int
    civic_max: int

    @property
    def official(self) -> str:
        return f"{self.dug} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class Resolution:
    """An address resolved to a street of the gazetteer, or the reason it was not.

    `confidence` is 1.0 for the official name with its street type and a civic number in
    range, less for abbreviations, missing or other street types, misspellings and a missing
    civic number; 0.0 when not resolved. `candidates` lists the codes of the streets that an
    ambiguous or out-of-range text could mean.
    """

    resolved: bool
    street_code: str | None = None
    street: str = ""  # the official name, "CORSO VITTORIO EMANUELE II"
    civic: int | None = None
    suffix: str = ""
    staircase: str = ""
    floor: str = ""
    interno: str = ""
    confidence: float = 0.0
    reason: str = ""
    candidates: tuple[str, ...] = ()


class _Reading(NamedTuple):
    dug: str
    words: tuple[NameToken, ...]
    civic: int | None
    penalty: float


class _Scored(NamedTuple):
    score: float
    street: int  # index in Gazetteer.streets
    civic: int | None


class Gazetteer:
    """The streets of a Comune, and `resolve` to find which one an address text names."""

    def __init__(self, streets: Iterable[Street], cache_size: int = 200_000) -> None:
        self.streets: tuple[Street, ...] = tuple(streets)
        self.by_code: dict[str, Street] = {s.code: s for s in self.streets}
        self.dugs = dug_table(s.dug for s in self.streets)
        self._dug_of = [self._canonical_dug(s.dug) for s in self.streets]
        self._words = [words_of(s.name) for s in self.streets]
        self._by_word: dict[str, list[int]] = {}
        for index, words in enumerate(self._words):
            for word in {t.canon for t in words if not t.stopword}:
                self._by_word.setdefault(word, []).append(index)
        # Misspellings are looked up by the words as written, streets by their canonical form.
        self._canon_of = {t.text: t.canon for words in self._words for t in words}
        self._fuzzy = FuzzyIndex(w for w in self._canon_of if max_edits(w))
        self._cache: dict[str | ParsedAddress, Resolution] = {}
        self._names_cache: dict[
            tuple[str, tuple[NameToken, ...]], tuple[tuple[float, int], ...]
        ] = {}
        self._cache_size = cache_size

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> Gazetteer:
        """From (code, dug, name, civic_min, civic_max) rows; further columns are ignored."""
        return cls(
            Street(str(code), str(dug).strip(), str(name).strip(), _int(low, 0), _int(high, NO_MAX))
            for code, dug, name, low, high, *_ in rows
        )

    @classmethod
    def from_csv(cls, path: Path | str) -> Gazetteer:
        """From a stradario.csv (codice_via, dug, denominazione, civico_min, civico_max...)."""
        with Path(path).open(encoding="utf-8", newline="") as handle:
            return cls.from_rows(
                (r["codice_via"], r["dug"], r["denominazione"], r["civico_min"], r["civico_max"])
                for r in csv.DictReader(handle)
            )

    def resolve(self, address: str | ParsedAddress) -> Resolution:
        """The street, civic number and details `address` names, or why it names none."""
        key = normalized(address) if isinstance(address, str) else address
        found = self._cache.get(key)
        if found is None:
            if isinstance(key, str):
                found = self._resolve(parse_address(key, self.dugs), key)
            else:
                found = self._resolve(key, key.name or key.dug)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = found
        return found

    def at(
        self,
        street_code: str,
        civic: int | None,
        suffix: str = "",
        staircase: str = "",
        floor: str = "",
        interno: str = "",
    ) -> Resolution:
        """A registry address, already coded, checked against the gazetteer."""
        street = self.by_code.get(street_code)
        if street is None:
            return Resolution(False, reason=f"no street with code {street_code} in the gazetteer")
        if civic is not None and not street.civic_min <= civic <= street.civic_max:
            return Resolution(False, reason=_outside(civic, street), candidates=(street.code,))
        details = (suffix.upper(), staircase.upper(), floor.upper(), interno.upper())
        confidence = 1.0 if civic is not None else 1.0 - NO_CIVIC
        return Resolution(True, street.code, street.official, civic, *details, confidence)

    def _canonical_dug(self, dug: str) -> str:
        words = " ".join(t.text for t in tokenize(dug))
        return self.dugs.get(words, words)

    def _resolve(self, parsed: ParsedAddress, text: str) -> Resolution:
        if not text.strip():
            return Resolution(False, reason="empty address")
        scored = self._score(_primary(parsed))
        if not scored or scored[0].score < _GOOD_ENOUGH:
            for reading in _alternatives(parsed):
                scored += self._score(reading)
            scored.sort(key=lambda s: -s.score)
        if not scored and not parsed.name:
            return _unresolved(parsed, f"no street name in {text!r}")
        return self._choose(parsed, scored)

    def _score(self, reading: _Reading) -> list[_Scored]:
        return [
            _Scored(score - reading.penalty, index, reading.civic)
            for score, index in self._streets_named(reading.dug, reading.words)
        ]

    def _streets_named(
        self, dug: str, words: tuple[NameToken, ...]
    ) -> tuple[tuple[float, int], ...]:
        """(score, street) of the streets a DUG and name may mean, best first; cached, since
        many texts name one street with other civic numbers and details."""
        key = (dug, words)
        found = self._names_cache.get(key)
        if found is None:
            scored: list[tuple[float, int]] = []
            for index in self._candidates(words):
                penalty = name_penalty(words, self._words[index])
                if penalty is None:
                    continue
                if dug != self._dug_of[index]:
                    penalty += OTHER_DUG if dug else NO_DUG
                scored.append((1.0 - penalty, index))
            found = tuple(sorted(scored, key=lambda s: -s[0]))
            if len(self._names_cache) >= self._cache_size:
                self._names_cache.clear()
            self._names_cache[key] = found
        return found

    def _candidates(self, words: tuple[NameToken, ...]) -> set[int]:
        """Streets sharing a word (or a near one) with `words`: the only ones worth scoring."""
        content = [t for t in words if not t.stopword]
        selective = [t for t in content if len(t.text) > 1 and t.canon != SAINT]
        found: set[int] = set()
        postings: list[list[int]] = []
        for word in selective or content:
            streets = self._by_word.get(word.canon)
            if streets is not None:
                postings.append(streets)
                continue
            for similar in self._fuzzy.similar(word.text):
                found.update(self._by_word.get(self._canon_of[similar], []))
            for prefix in ELISIONS:
                if word.text.startswith(prefix):
                    found.update(self._by_word.get(word.text[len(prefix) :], []))
        # A word many streets share ("MONTE", a numeral) selects only when no other word does.
        rare = [p for p in postings if len(p) <= _CROWDED] or sorted(postings, key=len)[:1]
        for streets in rare:
            found.update(streets)
        return found

    def _choose(self, parsed: ParsedAddress, scored: list[_Scored]) -> Resolution:
        viable = _best_per_street([s for s in scored if s.score >= MIN_SCORE])
        if not viable:
            closest = f" (closest: {self.streets[scored[0].street].official})" if scored else ""
            return _unresolved(parsed, f"no street named {parsed.name!r} in the gazetteer{closest}")
        # The civic number may choose between near readings, not rescue a far one.
        near = [s for s in viable if viable[0].score - s.score < CLOSE_GAP]
        in_range = [s for s in near if self._civic_fits(s)]
        if not in_range:
            top = viable[0]
            reason = _outside(top.civic or 0, self.streets[top.street])
            return _unresolved(parsed, reason, self._codes(viable), top.civic)
        top = in_range[0]
        rivals = [s for s in in_range[1:] if top.score - s.score < AMBIGUITY_GAP]
        if rivals:
            names = [self.streets[s.street].official for s in (top, *rivals)]
            codes = tuple(self.streets[s.street].code for s in (top, *rivals))
            return _unresolved(parsed, "ambiguous: " + _listing(names), codes, top.civic)
        confidence = top.score
        others = [s for s in viable if s is not top]
        if others:
            gap = top.score - others[0].score
            confidence -= CIVIC_CHOSE if gap < AMBIGUITY_GAP else max(0.0, CLOSE_GAP - gap) / 2
        if top.civic is None:
            confidence -= NO_CIVIC
        street = self.streets[top.street]
        return Resolution(
            True,
            street.code,
            street.official,
            top.civic,
            parsed.suffix,
            parsed.staircase,
            parsed.floor,
            parsed.interno,
            round(min(1.0, max(0.01, confidence)), 3),
        )

    def _civic_fits(self, scored: _Scored) -> bool:
        street = self.streets[scored.street]
        return scored.civic is None or street.civic_min <= scored.civic <= street.civic_max

    def _codes(self, viable: list[_Scored]) -> tuple[str, ...]:
        top = viable[0].score
        return tuple(self.streets[s.street].code for s in viable if top - s.score < CLOSE_GAP)


def _primary(parsed: ParsedAddress) -> _Reading:
    return _Reading(parsed.dug, words_of(parsed.name), parsed.civic, 0.0)


def _alternatives(parsed: ParsedAddress) -> list[_Reading]:
    """Other ways to read the text, when the parser's does not find a street well."""
    readings: list[_Reading] = []
    if parsed.dug_as_written:
        # "V. EMANUELE 2" may be VITTORIO EMANUELE, "CORTE D'APPELLO" a name, "BORGO" alone too.
        words = words_of(f"{parsed.dug_as_written} {parsed.name}")
        readings.append(_Reading("", words, parsed.civic, 0.0))
    tokens = tokenize(parsed.name)
    if len(tokens) > 1 and tokens[-1].kind == NUMBER and len(tokens[-1].text) < 5:
        # "VIA ROMA 12 3": 12 was the civic number, not a numeral of the name.
        civic = int(tokens[-1].text)
        readings.append(_Reading(parsed.dug, name_tokens(tokens[:-1]), civic, READ_AGAIN))
    return readings


def _unresolved(
    parsed: ParsedAddress,
    reason: str,
    candidates: tuple[str, ...] = (),
    civic: int | None = None,
) -> Resolution:
    """Not resolved, with what the text says of the building for a person to read."""
    return Resolution(
        False,
        civic=parsed.civic if civic is None else civic,
        suffix=parsed.suffix,
        staircase=parsed.staircase,
        floor=parsed.floor,
        interno=parsed.interno,
        reason=reason,
        candidates=candidates,
    )


def _best_per_street(scored: list[_Scored]) -> list[_Scored]:
    seen: set[int] = set()
    best: list[_Scored] = []
    for s in sorted(scored, key=lambda s: -s.score):
        if s.street not in seen:
            seen.add(s.street)
            best.append(s)
    return best


def _outside(civic: int, street: Street) -> str:
    return (
        f"civic {civic} is outside the range of {street.official} "
        f"({street.civic_min}–{street.civic_max})"
    )


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _int(value: object, default: int) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 9 else default
