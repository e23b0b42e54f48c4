# SPDX-License-Identifier: EUPL-1.2
"""Each registry person's facts for the deadlines engine, read set-wise from the database.

The title is the newer of the registry's and the newest permit the Questura reported for the
person (the same choice the periodic reconciliation rule makes, core.deadlines.latest_title): a
renewal the exchange brought and the registry has not recorded yet is a renewal known, and
nobody is told their permit expired when the Questura already renewed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from interscambio.core.deadlines import Facts, Rules, latest_title
from interscambio.notices.models import Notice
from interscambio.reconciliation.comune.periodic import newest_permits
from interscambio.registry.models import Citizenship, Resident

FIELDS = (
    "pk",
    "registry_id",
    "status",
    "title_kind",
    "title_number",
    "title_issue_date",
    "title_expiry_date",
    "title_renewal_date",
    "title_renewal_requested_date",
    "dwelling_declaration_date",
)


@dataclass(frozen=True, slots=True)
class Subject:
    pk: int
    registry_id: str
    title_number: str
    facts: Facts


def configured_rules() -> Rules:
    return Rules(
        expiring_days=settings.DEADLINES_EXPIRING_DAYS,
        grace_days=settings.RECONCILE_EXPIRED_GRACE_DAYS,
        dwelling_from_exchange=bool(settings.RECONCILE_DWELLING_FROM_EXCHANGE),
    )


def _citizenships() -> dict[int, tuple[str, ...]]:
    rows = Citizenship.objects.order_by("resident_id", "rank")
    found: dict[int, list[str]] = {}
    for resident_id, country in rows.values_list("resident_id", "country").iterator(10_000):
        found.setdefault(resident_id, []).append(country)
    return {k: tuple(v) for k, v in found.items()}


def _notices() -> dict[int, tuple[tuple[str, date, date], ...]]:
    rows = Notice.objects.all()
    found: dict[int, list[tuple[str, date, date]]] = {}
    for resident_id, kind, expiry, sent in rows.values_list(
        "resident_id", "kind", "permit_expiry", "sent_on"
    ).iterator(10_000):
        found.setdefault(resident_id, []).append((kind, expiry, sent))
    return {k: tuple(v) for k, v in found.items()}


def subjects() -> Iterator[Subject]:
    """Every registry person's facts, current or cancelled."""
    residents = Resident.objects.order_by("pk")
    citizenships, notices, known = _citizenships(), _notices(), newest_permits()
    for row in residents.values_list(*FIELDS).iterator(10_000):
        pk, registry_id, status, kind, number, issued, expiry, renewed, requested, declared = row
        reported = known.get(registry_id)
        kind, held, issued, expiry = latest_title(kind, (number, issued, expiry), reported)
        from_exchange = reported is not None and held == reported[0]
        if from_exchange and held != number:
            # The Questura renewed a permit the registry holds an older one of: the renewal
            # is the reported permit's issue; a first permit is no renewal.
            renewed = issued if number else None
        yield Subject(
            pk,
            registry_id,
            held,
            Facts(
                resident=status == "residente",
                citizenships=citizenships.get(pk, ()),
                title_kind=kind,
                expiry=expiry,
                issued=issued,
                renewed=renewed,
                renewal_requested=requested,
                dwelling_declared=declared,
                renewal_from_exchange=from_exchange,
                notices=notices.get(pk, ()),
            ),
        )
