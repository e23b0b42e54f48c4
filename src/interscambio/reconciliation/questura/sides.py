# SPDX-License-Identifier: EUPL-1.2
"""The two sides a Questura links: its permit holders, and the people of the Comune's flows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from interscambio.exchange.models import Flow, ReceivedRegistryEvent
from interscambio.exchange.received import REGISTRY_FIELDS
from interscambio.permits.models import Permit

HOLDER_FIELDS = (
    "holder_cui",
    "number",
    "status",
    "issue_date",
    "expiry_date",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "domicile_address",
    "domicile_comune_code",
)


@dataclass(frozen=True, slots=True)
class Holder:
    """A holder as their newest permit records them."""

    cui: str
    number: str
    status: str
    issue_date: date | None
    expiry_date: date | None
    codice_fiscale: str
    surname: str
    given_names: str
    sex: str
    birth_date: date
    birth_place: str
    citizenship: str
    domicile_address: str
    domicile_comune_code: str

    def current_on(self, day: date) -> bool:
        """Holds a permit on `day`, or has applied for one."""
        if self.status == "revocato":
            return False
        if self.issue_date is None:
            return True  # an application being processed
        return self.expiry_date is None or self.expiry_date >= day

    def as_evidence(self) -> dict[str, Any]:
        return {
            "cui": self.cui,
            "numeroPermesso": self.number,
            "stato": self.status,
            "dataScadenza": self.expiry_date.isoformat() if self.expiry_date else None,
            "cognome": self.surname,
            "nome": self.given_names,
            "dataNascita": self.birth_date.isoformat(),
            "domicilio": self.domicile_address,
        }


def holders() -> dict[str, Holder]:
    found: dict[str, Holder] = {}
    rows = Permit.objects.order_by("holder_cui", "application_date", "number")
    for row in rows.values_list(*HOLDER_FIELDS).iterator(10_000):
        found[row[0]] = Holder(*row)  # the newest application last
    return found


@dataclass(frozen=True, slots=True)
class Reported:
    """A registry event as the Comune's flow reported it (the columns of the received table,
    exchange/received.py's REGISTRY_FIELDS, in their order)."""

    flow_id: int
    line: int
    record_id: str
    kind: str
    reason_code: str
    date: date
    registry_id: str
    codice_fiscale: str
    surname: str
    given_names: str
    sex: str
    birth_date: date
    birth_place: str
    birth_place_code: str
    citizenships: str
    street_code: str
    address: str
    previous_address: str
    title_kind: str
    title_number: str
    title_expiry_date: date | None
    title_renewal_date: date | None
    changes: Any

    @property
    def countries(self) -> list[str]:
        return [c for c in self.citizenships.split(";") if c]

    def as_evidence(self) -> dict[str, Any]:
        return {
            "idAnagrafe": self.registry_id,
            "evento": self.kind,
            "motivo": self.reason_code,
            "data": self.date.isoformat(),
            "cognome": self.surname,
            "nome": self.given_names,
            "dataNascita": self.birth_date.isoformat(),
            "cittadinanze": self.countries,
            "indirizzo": self.address,
            "indirizzoPrecedente": self.previous_address,
            "flusso": self.flow_id,
            "idRecord": self.record_id,
        }


def reported(flow: Flow | None) -> Iterator[Reported]:
    rows = (
        ReceivedRegistryEvent.objects.all()
        if flow is None
        else ReceivedRegistryEvent.objects.filter(flow=flow)
    )
    for row in rows.order_by("flow_id", "line").values_list(*REGISTRY_FIELDS).iterator(10_000):
        yield Reported(*row)


def holder_row(holder: Holder) -> tuple[object, ...]:
    return (
        holder.cui,
        holder.codice_fiscale,
        holder.surname,
        holder.given_names,
        holder.sex,
        holder.birth_date.isoformat(),
        holder.birth_place,
        holder.citizenship,
        holder.domicile_address,
    )


def person_row(event: Reported) -> tuple[object, ...]:
    countries = event.countries
    return (
        event.registry_id,
        event.codice_fiscale,
        event.surname,
        event.given_names,
        event.sex,
        event.birth_date.isoformat(),
        event.birth_place,
        countries[0] if countries else "",
        event.address,
    )
