# SPDX-License-Identifier: EUPL-1.2
"""Recording in the registry a renewal the Questura reported, without the citizen's visit.

The resident's permit data take the new permit's; if the configuration says so the renewal
through the exchange also counts as the habitual-dwelling declaration (DPR 223/1989 art. 7
c.3), dated the day it was recorded. Each change is a registry event (variazione,
titolo_soggiorno) whose details name the flow, the record and the rule: the registry says why
it changed, and the next registry flow tells the Questura.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from django.conf import settings

from interscambio.exchange.models import Flow
from interscambio.reconciliation.comune.sides import ReceivedHolder
from interscambio.registry.models import RegistryEvent, Resident

# Permit kinds (codes.PERMIT_KINDS) as ANPR table 8 stay title kinds.
TITLE_KIND: Final = {"PS": "1", "UELP": "2", "CS": "2"}
RENEWAL_REASON: Final = "titolo_soggiorno"
RECORDED: Final = "rinnovo registrato in anagrafe"  # the outcome of its discrepancy
FIELDS: Final = (
    "title_kind",
    "title_number",
    "title_questura_code",
    "title_questura_name",
    "title_issue_date",
    "title_expiry_date",
    "title_renewal_date",
)


@dataclass(frozen=True)
class Renewal:
    resident_pk: int
    permit: ReceivedHolder
    rule: str


def _snapshot(resident: Resident, fields: list[str]) -> dict[str, object]:
    values = {f: getattr(resident, f) for f in fields}
    return {f: v.isoformat() if isinstance(v, date) else v for f, v in values.items()}


def record(
    renewals: list[Renewal],
    *,
    run_id: int,
    today: date,
    event_prefix: str = "",
) -> int:
    """Apply `renewals` to the residents; returns how many residents changed. The issuing
    Questura is the partner whose flow reported each permit."""
    if not renewals:
        return 0
    dwelling = bool(settings.RECONCILE_DWELLING_FROM_EXCHANGE)
    residents = Resident.objects.in_bulk([r.resident_pk for r in renewals])
    questure = {
        flow.pk: (flow.partner.node_id[:5], flow.partner.name[:60])
        for flow in Flow.objects.filter(pk__in={r.permit.flow_id for r in renewals}).select_related(
            "partner"
        )
    }
    events, changed = [], []
    fields = [*FIELDS, "dwelling_declaration_date"] if dwelling else list(FIELDS)
    for n, renewal in enumerate(renewals, start=1):
        resident, permit = residents[renewal.resident_pk], renewal.permit
        before = _snapshot(resident, fields)
        resident.title_kind = TITLE_KIND.get(permit.kind, "1")
        resident.title_number = permit.number
        resident.title_questura_code, resident.title_questura_name = questure[permit.flow_id]
        resident.title_issue_date = permit.issue_date
        resident.title_expiry_date = permit.expiry_date
        resident.title_renewal_date = permit.issue_date
        if dwelling:
            resident.dwelling_declaration_date = today
        after = _snapshot(resident, fields)
        changed.append(resident)
        events.append(
            RegistryEvent(
                event_id=f"{event_prefix or f'RIC{run_id}'}-{n}"[:30],
                resident=resident,
                kind="variazione",
                reason_code=RENEWAL_REASON,
                date=today,
                changes={
                    "prima": before,
                    "dopo": after,
                    "fonte": {
                        "flusso": permit.flow_id,
                        "idRecord": permit.record_id,
                        "regola": renewal.rule,
                        "dichiarazioneDimora": dwelling,
                    },
                },
            )
        )
    Resident.objects.bulk_update(changed, fields, batch_size=1000)
    RegistryEvent.objects.bulk_create(events, batch_size=1000)
    return len(changed)
