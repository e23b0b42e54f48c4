# SPDX-License-Identifier: EUPL-1.2
"""How a checked flow record becomes a row of the received tables (see models/received.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from interscambio.core.addresses import written
from interscambio.exchange.models import ReceivedPermit, ReceivedRegistryEvent

REGISTRY_FIELDS = (
    "flow_id",
    "line",
    "record_id",
    "kind",
    "reason_code",
    "date",
    "registry_id",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "birth_place_code",
    "citizenships",
    "street_code",
    "address",
    "previous_address",
    "title_kind",
    "title_number",
    "title_expiry_date",
    "title_renewal_date",
    "changes",
)

PERMIT_FIELDS = (
    "flow_id",
    "line",
    "record_id",
    "event",
    "number",
    "kind",
    "reason",
    "channel",
    "application_date",
    "issue_date",
    "delivery_date",
    "expiry_date",
    "previous_number",
    "holder_cui",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "domicile_address",
    "domicile_comune",
    "domicile_comune_code",
)


def _address_text(address: Any) -> str:
    if address is None:
        return ""
    return written(
        address.denominazione_via,
        address.civico,
        address.esponente or "",
        address.scala or "",
        address.piano or "",
        address.interno or "",
    )


def registry_row(flow_id: int, line: int, record: Any) -> tuple[Any, ...]:
    person, title = record.persona, record.titolo_soggiorno
    return (
        flow_id,
        line,
        record.id_record,
        record.tipo_evento,
        record.codice_motivo,
        record.data_evento,
        person.id_anagrafe,
        person.codice_fiscale,
        person.cognome,
        person.nome,
        person.sesso,
        person.data_nascita,
        person.luogo_nascita,
        person.codice_luogo_nascita,
        ";".join(person.cittadinanze),
        record.indirizzo.codice_via,
        _address_text(record.indirizzo),
        _address_text(record.indirizzo_precedente),
        title.tipo if title else "",
        (title.numero or "") if title else "",
        title.data_scadenza if title else None,
        title.data_rinnovo if title else None,
        json.dumps(record.variazioni, ensure_ascii=False) if record.variazioni else None,
    )


def permit_row(flow_id: int, line: int, record: Any) -> tuple[Any, ...]:
    holder, domicile = record.titolare, record.domicilio
    return (
        flow_id,
        line,
        record.id_record,
        record.evento,
        record.numero_permesso,
        record.tipo,
        record.motivo,
        record.canale,
        record.data_domanda,
        record.data_rilascio,
        record.data_consegna,
        record.data_scadenza,
        record.numero_permesso_precedente or "",
        holder.cui,
        holder.codice_fiscale or "",
        holder.cognome,
        holder.nome,
        holder.sesso,
        holder.data_nascita,
        holder.luogo_nascita or "",
        holder.cittadinanza,
        domicile.indirizzo,
        domicile.comune,
        domicile.codice_comune,
    )


TABLES: dict[str, tuple[type[Any], tuple[str, ...], Callable[[int, int, Any], tuple[Any, ...]]]] = {
    "anagrafe": (ReceivedRegistryEvent, REGISTRY_FIELDS, registry_row),
    "permessi": (ReceivedPermit, PERMIT_FIELDS, permit_row),
}
