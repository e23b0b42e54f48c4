# SPDX-License-Identifier: EUPL-1.2
"""A resident as the consultation shows them: every field the field policy can name.

Field names are those of `access/fields.py`; what a role sees is `fields.visible` of this.
The permit data is the registry's own and the permits the Questura's flows reported for the
person (through the reconciliation's links), so a consultant sees what the Comune knows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from interscambio.core import codes
from interscambio.exchange.models import ReceivedPermit
from interscambio.reconciliation.models import Link
from interscambio.registry.models import Resident


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def summary(resident: Resident) -> dict[str, Any]:
    """What a search result line may show, before the field policy."""
    return {
        "id_anagrafe": resident.registry_id,
        "codice_fiscale": resident.codice_fiscale,
        "cognome": resident.surname,
        "nome": resident.given_names,
        "data_nascita": _day(resident.birth_date),
        "stato": resident.status,
    }


def _addresses(resident: Resident) -> list[dict[str, Any]]:
    moves = [
        {"dal": _day(e.date), "indirizzo": e.changes["indirizzo"][1]}
        for e in resident.events.all()
        if isinstance(e.changes.get("indirizzo"), list) and len(e.changes["indirizzo"]) == 2
    ]
    return sorted(moves, key=lambda m: m["dal"] or "", reverse=True)


def _family(resident: Resident) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    members = resident.family.members.exclude(pk=resident.pk).order_by("family_relation")
    limited, full = [], []
    for m in members:
        relation = codes.FAMILY_RELATIONS.get(m.family_relation, m.family_relation)
        limited.append({"id_anagrafe": m.registry_id, "relazione": relation})
        full.append(
            {
                "id_anagrafe": m.registry_id,
                "relazione": relation,
                "cognome": m.surname,
                "nome": m.given_names,
                "data_nascita": _day(m.birth_date),
            }
        )
    return limited, full


def _permits(resident: Resident) -> dict[str, Any]:
    numbers = Link.objects.filter(registry_id=resident.registry_id).exclude(status=Link.REJECTED)
    received = ReceivedPermit.objects.filter(number__in=numbers.values("permit_number")).order_by(
        "-issue_date", "-line"
    )
    return {
        "tipo": codes.STAY_TITLE_KINDS.get(resident.title_kind, resident.title_kind),
        "numero": resident.title_number,
        "questura": resident.title_questura_name,
        "data_rilascio": _day(resident.title_issue_date),
        "data_scadenza": _day(resident.title_expiry_date),
        "data_rinnovo": _day(resident.title_renewal_date),
        "data_richiesta_rinnovo": _day(resident.title_renewal_requested_date),
        "dichiarazione_dimora_abituale": _day(resident.dwelling_declaration_date),
        "permessi_comunicati_dalla_questura": [
            {
                "numero": p.number,
                "evento": p.event,
                "tipo": codes.PERMIT_KINDS.get(p.kind, p.kind),
                "motivo": codes.PERMIT_REASONS.get(p.reason, p.reason),
                "data_rilascio": _day(p.issue_date),
                "data_consegna": _day(p.delivery_date),
                "data_scadenza": _day(p.expiry_date),
            }
            for p in received
        ],
    }


def record(resident: Resident) -> dict[str, Any]:
    """Everything about one resident the platform can show, before the field policy."""
    limited, full = _family(resident)
    return {
        **summary(resident),
        "sesso": resident.sex,
        "luogo_nascita": resident.birth_place,
        "cittadinanze": [c.country for c in resident.citizenships.all()],
        "data_iscrizione": _day(resident.registration_date),
        "data_cancellazione": _day(resident.cancellation_date),
        "motivo_cancellazione": codes.CANCELLATION_REASONS.get(resident.cancellation_reason, ""),
        "indirizzo": resident.address,
        "storico_indirizzi": _addresses(resident),
        "famiglia_componenti": limited,
        "famiglia_dettaglio": full,
        "eventi": [
            {
                "data": _day(e.date),
                "tipo": e.kind,
                "motivo": codes.EVENT_KINDS.get(e.kind, {}).get(e.reason_code, e.reason_code),
            }
            for e in resident.events.order_by("-date", "-event_id")
        ],
        "titolo_soggiorno": _permits(resident),
    }
