# SPDX-License-Identifier: EUPL-1.2
"""A discrepancy's two records side by side, field by field, and the linkage's reasons.

The registry's side is the Comune's resident on a Comune node, and on a Questura node the
latest registry event the Comune's flows said about the person; the permit's side is the
permit as the Questura's flow said it on a Comune node, and the Questura's own permit on its
node. A field differs when both sides have it and they do not read the same once case and
spacing are set aside (the address as reconciliation compared it, where it did).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop as label

from interscambio.access import fields
from interscambio.core.addresses.parse import address_key
from interscambio.exchange.models import ReceivedPermit, ReceivedRegistryEvent
from interscambio.permits.models import Permit
from interscambio.reconciliation.models import Discrepancy, Link
from interscambio.registry.models import Resident

# (key, label): the fields both records hold, in the order the page shows them; the page
# translates the labels.
FIELDS = (
    ("codice_fiscale", label("Codice fiscale")),
    ("cognome", label("Cognome")),
    ("nome", label("Nome")),
    ("sesso", label("Sesso")),
    ("data_nascita", label("Data di nascita")),
    ("luogo_nascita", label("Luogo di nascita")),
    ("cittadinanza", label("Cittadinanza")),
    ("indirizzo", label("Indirizzo (residenza / domicilio dichiarato)")),
    ("numero_titolo", label("Numero del permesso")),
    ("scadenza_titolo", label("Scadenza del permesso")),
)


# The field of the access policy (access/fields.py) each row shows.
POLICY_FIELD = {
    "cittadinanza": "cittadinanze",
    "numero_titolo": "titolo_soggiorno",
    "scadenza_titolo": "titolo_soggiorno",
}


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    registry: Any
    permit: Any
    differs: bool


def _resident(registry_id: str) -> dict[str, Any] | None:
    r = (
        Resident.objects.select_related("street")
        .prefetch_related("citizenships")
        .filter(registry_id=registry_id)
        .first()
    )
    if r is None:
        return None
    countries = [c.country for c in sorted(r.citizenships.all(), key=lambda c: c.rank)]
    return {
        "codice_fiscale": r.codice_fiscale, "cognome": r.surname, "nome": r.given_names,
        "sesso": r.sex, "data_nascita": r.birth_date, "luogo_nascita": r.birth_place,
        "cittadinanza": ";".join(countries), "indirizzo": r.address,
        "numero_titolo": r.title_number, "scadenza_titolo": r.title_expiry_date,
    }  # fmt: skip


def _registry_event(registry_id: str) -> dict[str, Any] | None:
    e = ReceivedRegistryEvent.objects.filter(registry_id=registry_id).order_by("-flow_id", "-line")
    r = e.first()
    if r is None:
        return None
    return {
        "codice_fiscale": r.codice_fiscale, "cognome": r.surname, "nome": r.given_names,
        "sesso": r.sex, "data_nascita": r.birth_date, "luogo_nascita": r.birth_place,
        "cittadinanza": r.citizenships, "indirizzo": r.address,
        "numero_titolo": r.title_number, "scadenza_titolo": r.title_expiry_date,
    }  # fmt: skip


def _permit(p: Any) -> dict[str, Any]:
    return {
        "codice_fiscale": p.codice_fiscale, "cognome": p.surname, "nome": p.given_names,
        "sesso": p.sex, "data_nascita": p.birth_date, "luogo_nascita": p.birth_place,
        "cittadinanza": p.citizenship,
        "indirizzo": p.domicile_address
        + (f" ({p.domicile_comune})" if _elsewhere(p.domicile_comune_code) else ""),
        "numero_titolo": p.number, "scadenza_titolo": p.expiry_date,
    }  # fmt: skip


def _elsewhere(comune_code: str) -> bool:
    """A domicile declared in another Comune than this node's."""
    return settings.NODE_ROLE == "comune" and bool(comune_code) and comune_code != settings.NODE_ID


def _permit_of(number: str) -> dict[str, Any] | None:
    if not number:
        return None
    if settings.NODE_ROLE == "questura":
        found: Any = Permit.objects.filter(number=number).first()
    else:
        found = ReceivedPermit.objects.filter(number=number).order_by("-flow_id", "-line").first()
    return None if found is None else _permit(found)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip().upper()


def _differs(key: str, left: Any, right: Any, evidence: dict[str, Any]) -> bool:
    if key == "indirizzo":
        if "confrontoIndirizzi" in evidence:  # as reconciliation compared them, by the gazetteer
            return evidence["confrontoIndirizzi"] != "same_building"
        return bool(left and right) and address_key(str(left)) != address_key(str(right))
    a, b = _plain(left), _plain(right)
    if key == "cittadinanza":
        return bool(a and b) and b not in a.split(";")
    return bool(a and b) and a != b


def compare(d: Discrepancy, role: str) -> tuple[list[Row], bool, bool]:
    """The rows `role` may see by the access policy, and whether each side was found."""
    registry_id = d.registry_id or (d.evidence.get("idAnagrafe") if d.evidence else "") or ""
    if settings.NODE_ROLE == "questura":
        left = _registry_event(registry_id) if registry_id else None
    else:
        left = _resident(registry_id) if registry_id else None
    right = _permit_of(d.permit_number)
    rows = [
        Row(
            key,
            label,
            (left or {}).get(key),
            (right or {}).get(key),
            left is not None
            and right is not None
            and _differs(key, left.get(key), right.get(key), d.evidence or {}),
        )
        for key, label in FIELDS
        if fields.visible(role, {POLICY_FIELD.get(key, key): True})
    ]
    return rows, left is not None, right is not None


@dataclass(frozen=True)
class Reason:
    field: str
    agreement: str
    weight: float | None


def explanation(link: Link | None) -> list[Reason]:
    """The linkage's comparisons: for each field the level of agreement found and its weight
    (log2 of the odds it adds: positive for, negative against)."""
    if link is None or not link.explanation:
        return []
    found = link.explanation
    return [
        Reason(name, str(value), _number(found.get(f"{name}_weight")))
        for name, value in found.items()
        if not name.endswith("_weight") and name != "stage"
    ]


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
