# SPDX-License-Identifier: EUPL-1.2
"""The application's data as JSON and as CSV, for the help desk's filling program.

JSON keeps the keys of `application.application` and ISO dates. CSV has one row per person,
the applicant first, then the family members, with a `ruolo` column; dates dd/mm/yyyy, UTF-8
with a byte-order mark and ";" between fields, as notices/mailmerge.py explains.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any, Final

APPLICANT, MEMBER = "richiedente", "familiare"
COLUMNS: Final = (
    "ruolo",
    "relazione",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "cittadinanze",
    "codice_fiscale",
    "via",
    "civico",
    "scala",
    "piano",
    "interno",
    "cap",
    "comune",
    "provincia",
    "permesso_tipo",
    "permesso_numero",
    "permesso_questura",
    "permesso_data_rilascio",
    "permesso_data_scadenza",
)
_ADDRESS: Final = ("via", "civico", "scala", "piano", "interno", "cap", "comune", "provincia")
_PERMIT: Final = ("tipo", "numero", "questura", "data_rilascio", "data_scadenza")


def italian_date(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d/%m/%Y}" if iso else ""


def to_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _person(role: str, relation: str, person: dict[str, Any]) -> dict[str, str]:
    return {
        "ruolo": role,
        "relazione": relation,
        "cognome": person["cognome"],
        "nome": person["nome"],
        "sesso": person.get("sesso", ""),
        "data_nascita": italian_date(person["data_nascita"]),
        "luogo_nascita": person.get("luogo_nascita", ""),
        # "," inside the field: the field separator is ";".
        "cittadinanze": ",".join(person["cittadinanze"]),
        "codice_fiscale": person["codice_fiscale"],
    }


def rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """The CSV's rows as dicts of COLUMNS: the applicant with address and permit, then one
    row per family member with only their own fields (the address is the applicant's)."""
    applicant = _person(APPLICANT, "", data["richiedente"])
    applicant |= {k: data["residenza"][k] for k in _ADDRESS}
    permit = data["permesso"]
    applicant |= {f"permesso_{k}": permit[k] for k in _PERMIT}
    for key in ("permesso_data_rilascio", "permesso_data_scadenza"):
        applicant[key] = italian_date(applicant[key])
    members = [_person(MEMBER, m["relazione"], m) for m in data["familiari"]]
    return [{c: row.get(c, "") for c in COLUMNS} for row in (applicant, *members)]


def to_csv(data: dict[str, Any]) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.DictWriter(stream, COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows(data))
    return stream.getvalue().encode("utf-8-sig")
