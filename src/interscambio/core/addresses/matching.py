# SPDX-License-Identifier: EUPL-1.2
"""How far a written street name is from an official one, as a penalty (0 = the same name).

The words are compared as sets, so that "GARIBALDI GIUSEPPE" finds "GIUSEPPE GARIBALDI" (at a
small cost); an initial or an abbreviation matches the words it starts ("V." and "VITT." for
VITTORIO); the official name may have leading words the text leaves out ("VIA EINAUDI" for
LUIGI EINAUDI, "CORSO EMANUELE" for VITTORIO EMANUELE II) and a trailing numeral ("CORSO
VITTORIO EMANUELE 12"), but not a final word: "CESARE" is GIULIO CESARE, not CESARE BATTISTI.
A long word may be misspelt by one or two letters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from interscambio.core.addresses.text import NameToken
from interscambio.core.addresses.vocabulary import ELISIONS

INITIAL: Final = 0.03  # "V." for VITTORIO
ELIDED: Final = 0.03  # "DELLARSENALE" for DELL'ARSENALE
EDIT: Final = 0.08  # per letter wrong, missing, extra or swapped
SKIPPED: Final = 0.05  # an official leading word the text leaves out
SKIPPED_NUMERAL: Final = 0.02  # the II of VITTORIO EMANUELE II left out
EXTRA_WORD: Final = 0.1  # a leading word the official name does not have
ORDER: Final = 0.05
ARTICLES: Final = 0.02  # "ACCADEMIA SCIENZE" for ACCADEMIA DELLE SCIENZE
_VOWELS: Final = frozenset("AEIOU")


def max_edits(word: str) -> int:
    """Misspellings tolerated: none on short words, where one letter makes another name."""
    if len(word) < 6 or not word.isalpha():
        return 0
    return 1 if len(word) <= 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts one), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _abbreviates(short: NameToken, word: NameToken) -> bool:
    return (
        (short.dotted or len(short.text) == 1)
        and len(word.text) > len(short.text)
        and word.text.startswith(short.text)
        and word.text.isalpha()
    )


def token_cost(written: NameToken, official: NameToken) -> float | None:
    """The penalty for reading `written` as `official`, None if it cannot be that word."""
    if written.canon == official.canon or written.text == official.text:
        return 0.0
    if _abbreviates(written, official) or _abbreviates(official, written):
        return INITIAL
    # Misspellings are of the words as written, before canonical forms ("SETIMO", SETTIMO).
    text, target = written.text, official.text
    if not (text.isalpha() and target.isalpha()):
        return None
    if target[0] in _VOWELS:
        for prefix in ELISIONS:
            if text.startswith(prefix) and text[len(prefix) :] == target:
                return ELIDED
    limit = max_edits(target)
    if limit and max_edits(text):
        distance = edit_distance(text, target, limit)
        if distance <= limit:
            return EDIT * distance
    return None


def name_penalty(written: tuple[NameToken, ...], official: tuple[NameToken, ...]) -> float | None:
    """The penalty for reading the `written` name as the `official` one, None if it is not."""
    words = [t for t in written if not t.stopword]
    targets = [t for t in official if not t.stopword]
    if not words:
        return None
    options = [
        sorted(
            (c, j)
            for j, target in enumerate(targets)
            if (c := token_cost(word, target)) is not None
        )
        for word in words
    ]
    used: dict[int, int] = {}  # official position -> written position
    unmatched: list[int] = []
    cost = 0.0
    # The words with fewest readings choose first: in "S. DI SAN MICHELE" for SAGRA DI SAN
    # MICHELE, SAN takes SAN and leaves SAGRA to "S.".
    for i in sorted(range(len(words)), key=lambda i: len(options[i])):
        free = [(c, j) for c, j in options[i] if j not in used]
        if free:
            cost += free[0][0]
            used[free[0][1]] = i
        else:
            unmatched.append(i)
    if not used or unmatched not in ([], [0]):
        return None
    cost += EXTRA_WORD * len(unmatched)
    first, last = min(used), max(used)
    for j, target in enumerate(targets):
        if j in used:
            continue
        if j < first and not unmatched:  # not both: "CARLO EMANUELE" is no VITTORIO EMANUELE
            cost += SKIPPED
        elif j > last and target.canon.isdigit():
            cost += SKIPPED_NUMERAL
        else:
            return None
    order = [used[j] for j in sorted(used)]
    if order != sorted(order):
        cost += ORDER
    if _articles(written) != _articles(official):
        cost += ARTICLES
    return cost


def _articles(tokens: Iterable[NameToken]) -> list[str]:
    return [t.canon for t in tokens if t.stopword]


class FuzzyIndex:
    """Words of the gazetteer within one or two edits of a word, found without a scan.

    Each word is stored under every form with up to `max_edits` letters deleted; two words
    within that distance share a form (the symmetric-delete method), then the real distance
    is checked.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._by_form: dict[str, set[str]] = {}
        for word in set(words):
            for form in _deletions(word, max_edits(word)):
                self._by_form.setdefault(form, set()).add(word)

    def similar(self, word: str) -> set[str]:
        limit = max_edits(word)
        if not limit:
            return set()
        found: set[str] = set()
        for form in _deletions(word, limit):
            found |= self._by_form.get(form, set())
        return {w for w in found if edit_distance(word, w, max_edits(w)) <= max_edits(w)}


def _deletions(word: str, depth: int) -> Iterator[str]:
    forms = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        forms |= frontier
    return iter(forms)
