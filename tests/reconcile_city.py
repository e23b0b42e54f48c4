# SPDX-License-Identifier: EUPL-1.2
"""A synthetic city loaded as a Comune node that has received the Questura's permits.

The permits are those the Questura's export would send the Comune (holders domiciled in the
city, or whose code the registry holds), stored as the records of one applied permit flow,
as if the exchange had been running since before the oldest of them was issued.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from interscambio.exchange.models import Flow, Partner, ReceivedPermit
from interscambio.registry.loading import load_registry, load_streets
from interscambio.registry.models import Resident

COMUNE = "001272"


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def permit_flow(partner: Partner, rows: list[dict[str, str]], sequence: int = 1) -> Flow:
    issued = [date.fromisoformat(r["data_rilascio"]) for r in rows]
    flow = Flow.objects.create(
        direction="in",
        partner=partner,
        flow_type="permessi",
        sequence=sequence,
        period_start=min(issued),
        period_end=max(issued),
        record_count=len(rows),
        sha256=f"{sequence:064d}",
        payload="",
        state="applied",
    )
    ReceivedPermit.objects.bulk_create(
        (
            ReceivedPermit(
                flow=flow,
                line=n + 2,
                record_id=f"R{n + 1}",
                event="rilascio",
                number=r["numero_permesso"],
                kind=r["tipo"],
                reason=r["motivo"],
                channel=r["canale"],
                application_date=date.fromisoformat(r["data_domanda"]),
                issue_date=date.fromisoformat(r["data_rilascio"]),
                delivery_date=_day(r["data_consegna"]),
                expiry_date=_day(r["data_scadenza"]),
                previous_number=r["numero_permesso_precedente"],
                holder_cui=r["cui"],
                codice_fiscale=r["codice_fiscale"],
                surname=r["cognome"],
                given_names=r["nome"],
                sex=r["sesso"],
                birth_date=date.fromisoformat(r["data_nascita"]),
                birth_place=r["luogo_nascita"],
                citizenship=r["cittadinanza"],
                domicile_address=r["domicilio_indirizzo"],
                domicile_comune=r["domicilio_comune"],
                domicile_comune_code=r["domicilio_codice_comune"],
            )
            for n, r in enumerate(rows)
        ),
        batch_size=2000,
    )
    return flow


def questura() -> Partner:
    return Partner.objects.get_or_create(
        node_id="TO",
        defaults={"name": "Questura di Torino", "transport": "file", "since": date(2020, 1, 1)},
    )[0]


def concerned_permits(city: Path) -> list[dict[str, str]]:
    codes = set(Resident.objects.values_list("codice_fiscale", flat=True))
    with (city / "questura" / "permessi.csv").open(encoding="utf-8", newline="") as stream:
        return [
            r
            for r in csv.DictReader(stream)
            if r["data_rilascio"]
            and (r["domicilio_codice_comune"] == COMUNE or r["codice_fiscale"] in codes)
        ]


def load_comune(city: Path) -> Flow:
    load_streets(city / "comune" / "stradario.csv")
    load_registry(city / "comune" / "anagrafe.csv", city / "comune" / "eventi.csv")
    return permit_flow(questura(), concerned_permits(city))


def registry_flow(partner: Partner, start: date, end: date) -> Flow:
    """The Comune's registry events of [start, end] as a Questura receives them: exported from
    the registry by the exchange's own code, decoded and stored as the import stores them."""
    from interscambio.core.flows import Period
    from interscambio.core.flows.records import decoder
    from interscambio.exchange.export import registry_records
    from interscambio.exchange.models import ReceivedRegistryEvent
    from interscambio.exchange.received import REGISTRY_FIELDS, registry_row

    records = list(registry_records(Period(start, end)))
    flow = Flow.objects.create(
        direction="in", partner=partner, flow_type="anagrafe", sequence=1, period_start=start,
        period_end=end, record_count=len(records), sha256="1" * 64, payload="", state="applied",
    )  # fmt: skip
    decode = decoder("anagrafe").decode
    rows = (
        registry_row(flow.pk, n + 2, decode(json.dumps(record).encode()))
        for n, record in enumerate(records)
    )
    made = []
    for row in rows:
        values = dict(zip(REGISTRY_FIELDS, row, strict=True))
        # The import COPYs the changes as JSON text; through the ORM they go as the object.
        values["changes"] = json.loads(values["changes"]) if values["changes"] else None
        made.append(ReceivedRegistryEvent(**values))
    ReceivedRegistryEvent.objects.bulk_create(made, batch_size=2000)
    return flow
