# SPDX-License-Identifier: EUPL-1.2
"""A synthetic foreign resident for a test that names only the fields it is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from interscambio.registry.models import Citizenship, Family, Resident, Street


def make_resident(registry_id: str, countries: Sequence[str] = ("MAR",), **fields: Any) -> Resident:
    """A resident of VIA GARIBALDI (street 00101, which the test creates) in a family of their
    own, holding a permit that expired on 1 January 2024 unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "codice_fiscale": "",
        "surname": f"COGNOME{registry_id}",
        "given_names": "NOME",
        "sex": "F",
        "birth_date": date(1990, 1, 1),
        "birth_place": "MAROCCO",
        "birth_place_code": "Z330",
        "status": "residente",
        "registration_date": date(2020, 1, 1),
        "family_relation": "1",
        "civic_number": 10,
        "title_kind": "1",
        "title_number": f"OLD{registry_id}",
        "title_issue_date": date(2022, 1, 1),
        "title_expiry_date": date(2024, 1, 1),
        **fields,
    }
    values["street"] = values.get("street") or Street.objects.get(code="00101")
    values["family"] = values.get("family") or Family.objects.create(code=f"F{registry_id}")
    person = Resident.objects.create(registry_id=registry_id, **values)
    for rank, country in enumerate(countries):
        Citizenship.objects.create(resident=person, country=country, rank=rank)
    return person
