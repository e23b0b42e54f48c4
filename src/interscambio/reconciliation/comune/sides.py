# SPDX-License-Identifier: EUPL-1.2
"""The two sides a Comune links: its residents, and the permits the Questura's flows brought.

Read set-wise with `values_list`, never as model objects: a Turin-sized registry is 130,000
residents read in a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from interscambio.core.addresses import written
from interscambio.exchange.models import Flow, ReceivedPermit
from interscambio.exchange.received import PERMIT_FIELDS
from interscambio.registry.models import Citizenship, Resident, Street

RESIDENT_FIELDS = (
    "pk",
    "registry_id",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "status",
    "cancellation_date",
    "cancellation_reason",
    "street__code",
    "civic_number",
    "civic_suffix",
    "staircase",
    "floor",
    "flat",
    "title_kind",
    "title_number",
    "title_issue_date",
    "title_expiry_date",
    "title_renewal_requested_date",
)


@dataclass(frozen=True, slots=True)
class Person:
    pk: int
    registry_id: str
    codice_fiscale: str
    surname: str
    given_names: str
    sex: str
    birth_date: date
    birth_place: str
    status: str
    cancellation_date: date | None
    cancellation_reason: str
    street_code: str
    civic_number: int
    civic_suffix: str
    staircase: str
    floor: str
    flat: str
    title_kind: str
    title_number: str
    title_issue_date: date | None
    title_expiry_date: date | None
    title_renewal_requested_date: date | None
    citizenships: tuple[str, ...]
    address: str

    @property
    def resident(self) -> bool:
        return self.status == "residente"


@dataclass(frozen=True, slots=True)
class ReceivedHolder:
    """A permit as the Questura's latest record of it said, with its holder (the columns of
    the received table, exchange/received.py's PERMIT_FIELDS, in their order)."""

    flow_id: int
    line: int
    record_id: str
    event: str
    number: str
    kind: str
    reason: str
    channel: str
    application_date: date
    issue_date: date
    delivery_date: date | None
    expiry_date: date | None
    previous_number: str
    holder_cui: str
    codice_fiscale: str
    surname: str
    given_names: str
    sex: str
    birth_date: date
    birth_place: str
    citizenship: str
    domicile_address: str
    domicile_comune: str
    domicile_comune_code: str

    def as_evidence(self) -> dict[str, Any]:
        return {
            "numeroPermesso": self.number,
            "tipo": self.kind,
            "motivo": self.reason,
            "dataRilascio": self.issue_date.isoformat(),
            "dataScadenza": self.expiry_date.isoformat() if self.expiry_date else None,
            "cui": self.holder_cui,
            "codiceFiscale": self.codice_fiscale,
            "cognome": self.surname,
            "nome": self.given_names,
            "sesso": self.sex,
            "dataNascita": self.birth_date.isoformat(),
            "cittadinanza": self.citizenship,
            "domicilio": self.domicile_address,
            "comuneDomicilio": self.domicile_comune,
            "flusso": self.flow_id,
            "idRecord": self.record_id,
        }


def people() -> dict[str, Person]:
    """Every registry person, current or cancelled, by id anagrafe."""
    names = {
        code: f"{dug} {name}"
        for code, dug, name in Street.objects.values_list("code", "dug", "name")
    }
    citizenships: dict[int, list[str]] = {}
    for resident_id, country in Citizenship.objects.order_by("resident_id", "rank").values_list(
        "resident_id", "country"
    ):
        citizenships.setdefault(resident_id, []).append(country)
    found: dict[str, Person] = {}
    # In a fixed order: the linkage samples its training pairs by row, and every database
    # must give the same model on the same registry.
    rows = Resident.objects.order_by("registry_id").values_list(*RESIDENT_FIELDS)
    for row in rows.iterator(chunk_size=10_000):
        values = dict(zip(RESIDENT_FIELDS, row, strict=True))
        street = names.get(values["street__code"], "")
        address = written(
            street,
            values["civic_number"],
            values["civic_suffix"],
            values["staircase"],
            values["floor"],
            values["flat"],
        )
        values["street_code"] = values.pop("street__code")
        found[values["registry_id"]] = Person(
            **values, citizenships=tuple(citizenships.get(values["pk"], ())), address=address
        )
    return found


def received(flow: Flow | None) -> Iterator[ReceivedHolder]:
    """The permits of `flow` (of every applied flow if None), each as its latest record said."""
    rows = (
        ReceivedPermit.objects.all() if flow is None else ReceivedPermit.objects.filter(flow=flow)
    )
    latest: dict[str, ReceivedHolder] = {}
    for row in rows.order_by("flow_id", "line").values_list(*PERMIT_FIELDS).iterator(10_000):
        holder = ReceivedHolder(*row)
        latest[holder.number] = holder
    yield from latest.values()


def linkage_row(person: Person) -> tuple[object, ...]:
    return (
        person.registry_id,
        person.codice_fiscale,
        person.surname,
        person.given_names,
        person.sex,
        person.birth_date.isoformat(),
        person.birth_place,
        person.citizenships[0] if person.citizenships else "",
        person.address,
    )


def permit_linkage_row(permit: ReceivedHolder) -> tuple[object, ...]:
    return (
        permit.number,
        permit.codice_fiscale,
        permit.surname,
        permit.given_names,
        permit.sex,
        permit.birth_date.isoformat(),
        permit.birth_place,
        permit.citizenship,
        permit.domicile_address,
    )
