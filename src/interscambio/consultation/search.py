# SPDX-License-Identifier: EUPL-1.2
"""Finding a resident by codice fiscale, or by surname, name and birth date.

Names are compared by the linkage core's keys (`linkage/names.py`), so Mohamed, Mohammed and
Muhammad find the same person, and a surname and name written the other way round still meet.
The birth date is exact: it narrows a city to a handful of people, and asking for it keeps a
search from becoming a trawl through everyone of a common name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from interscambio.linkage.names import bag_key, normalize, word_key, words
from interscambio.registry.models import Resident

LIMIT: Final = 20
# The shape of a codice fiscale, omocodia letters included; the OpenAPI description says it too.
CODE_PATTERN: Final = (
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
)
_CODE: Final = re.compile(CODE_PATTERN)


class QueryError(ValueError):
    """A search that cannot run as asked; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Query:
    codice_fiscale: str = ""
    cognome: str = ""
    nome: str = ""
    data_nascita: date | None = None

    def logged(self) -> dict[str, str]:
        """The query as the access log keeps it: what was asked, since that is the read."""
        if self.codice_fiscale:
            return {"codice_fiscale": self.codice_fiscale}
        return {
            "cognome": self.cognome,
            "nome": self.nome,
            "data_nascita": self.data_nascita.isoformat() if self.data_nascita else "",
        }


def query(
    codice_fiscale: str = "", cognome: str = "", nome: str = "", data_nascita: str = ""
) -> Query:
    """A checked query from form or API input: a codice fiscale, or all three of the rest."""
    code = "".join(codice_fiscale.split()).upper()
    if code:
        if not _CODE.fullmatch(code):
            raise QueryError(
                "codice_fiscale",
                f"{codice_fiscale!r} is not a codice fiscale (16 characters: 6 letters, "
                "2 digits, a month letter, 2 digits, a letter, 3 digits, a check letter)",
            )
        return Query(codice_fiscale=code)
    for field, value in (("cognome", cognome), ("nome", nome)):
        # Only an empty name is refused: one of symbols alone is a name that matches nobody.
        if not value.strip():
            raise QueryError(field, f"give the {field}, or search by codice fiscale")
    if not data_nascita.strip():
        raise QueryError("data_nascita", "give the birth date, or search by codice fiscale")
    try:
        born = date.fromisoformat(data_nascita.strip())
    except ValueError:
        raise QueryError("data_nascita", f"{data_nascita!r} is not a date (YYYY-MM-DD)") from None
    return Query(cognome=cognome.strip(), nome=nome.strip(), data_nascita=born)


def _keys(text: str) -> set[str]:
    return {word_key(w) for w in words(text)}


def _rank(q: Query, r: Resident) -> int | None:
    """0 for the same spelling, 1 for the same keys, 2 for the fields swapped; None: no match."""
    if normalize(r.surname) == normalize(q.cognome) and normalize(r.given_names) == normalize(
        q.nome
    ):
        return 0
    if _keys(r.surname) & _keys(q.cognome) and _keys(r.given_names) & _keys(q.nome):
        return 1
    if bag_key(r.surname, r.given_names) == bag_key(q.cognome, q.nome):
        return 2
    return None


def find(q: Query, limit: int = LIMIT) -> tuple[list[Resident], bool]:
    """The residents the query finds, best first, and whether there were more than `limit`."""
    if q.codice_fiscale:
        found = list(Resident.objects.filter(codice_fiscale=q.codice_fiscale)[: limit + 1])
        return found[:limit], len(found) > limit
    born = Resident.objects.filter(birth_date=q.data_nascita).order_by("registry_id")
    ranked = sorted((rank, r.registry_id, r) for r in born if (rank := _rank(q, r)) is not None)
    return [r for _, _, r in ranked[:limit]], len(ranked) > limit
