# SPDX-License-Identifier: EUPL-1.2
"""The Comune's periodic rules, over the whole registry on a reference date.

- a resident whose permit expired more than the grace period ago with no renewal seen (the
  registry's title, no newer permit attributed, no renewal waiting to be recorded): the
  person the cancellation rule will reach 6 months after the expiry, to be told in time;
- a cancelled person still holding a valid permit with a domicile in the city.
EU citizens hold no permit and are never flagged for lacking one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from interscambio.core.deadlines import (
    cancellation_due,
    eu_citizen,
    expired_beyond_grace,
    latest_title,
    renewal_pending,
    subject,
)
from interscambio.exchange.models import ReceivedPermit
from interscambio.reconciliation import kinds
from interscambio.reconciliation.comune.checks import person_evidence
from interscambio.reconciliation.comune.sides import Person
from interscambio.reconciliation.findings import Finding, key_of
from interscambio.reconciliation.models import Link
from interscambio.reconciliation.store import in_chunks

DEATH: Final = frozenset({"1", "2"})


def _foreign(person: Person) -> bool:
    return not eu_citizen(person.citizenships)


def newest_permits() -> dict[str, tuple[str, date, date | None]]:
    """For each registry person, the newest permit attributed to them: number, issue, expiry."""
    holder = dict(
        Link.objects.exclude(status=Link.REJECTED).values_list("permit_number", "registry_id")
    )
    newest: dict[str, tuple[str, date, date | None]] = {}
    rows = ReceivedPermit.objects.values_list("number", "issue_date", "expiry_date")
    for number, issued, expiry in rows.iterator(10_000):
        registry_id = holder.get(number)
        if registry_id is None:
            continue
        held = newest.get(registry_id)
        if held is None or (issued, expiry or date.max) > (held[1], held[2] or date.max):
            newest[registry_id] = (number, issued, expiry)
    return newest


def expired(
    people: Iterable[Person],
    today: date,
    grace_days: int,
    known: dict[str, tuple[str, date, date | None]],
) -> tuple[list[Finding], list[str]]:
    """Residents whose newest permit, the registry's or one the Questura reported, expired
    `grace_days` ago or more, with no renewal application the registry knows of since."""
    findings, cleared = [], []
    for person in people:
        registry_id = person.registry_id
        registry = (person.title_number, person.title_issue_date, person.title_expiry_date)
        kind, number, issued, expiry = latest_title(
            person.title_kind, registry, known.get(registry_id)
        )
        pending = renewal_pending(kind, issued, person.title_renewal_requested_date)
        flagged = subject(person.resident, person.citizenships, kind) and not pending
        if not flagged or expiry is None or not expired_beyond_grace(expiry, today, grace_days):
            cleared.append(key_of(kinds.EXPIRED, registry_id))
            continue
        findings.append(
            Finding(
                kind=kinds.EXPIRED,
                subject=registry_id,
                summary=f"Permesso {number} scaduto il {expiry:%d/%m/%Y}; nessun rinnovo noto",
                rule="scaduto_senza_rinnovo",
                registry_id=registry_id,
                permit_number=number,
                evidence={
                    "anagrafe": person_evidence(person),
                    "permessoPiuRecente": {
                        "numero": number,
                        "dataRilascio": issued.isoformat() if issued else None,
                        "dataScadenza": expiry.isoformat(),
                    },
                },
                due_date=cancellation_due(expiry),
            )
        )
    return findings, cleared


def cancelled_holders(
    people: dict[str, Person], today: date, node_id: str, renewing: set[str]
) -> tuple[list[Finding], list[str]]:
    """Cancelled people (not for death) attributed a permit valid today, domiciled here."""
    cancelled = {
        p.registry_id
        for p in people.values()
        if not p.resident and p.cancellation_reason not in DEATH and _foreign(p)
    }
    links = Link.objects.exclude(status=Link.REJECTED).only("permit_number", "registry_id")
    numbers = {k.permit_number: k.registry_id for k in in_chunks(links, "registry_id", cancelled)}
    valid: dict[str, tuple[str, date]] = {}
    rows = ReceivedPermit.objects.filter(
        expiry_date__gte=today, domicile_comune_code=node_id
    ).values_list("number", "expiry_date", "domicile_address")
    for number, expiry, _address in rows.iterator(10_000):
        registry_id = numbers.get(number)
        if registry_id is not None and registry_id not in renewing:
            held = valid.get(registry_id)
            if held is None or expiry > held[1]:
                valid[registry_id] = (number, expiry)
    findings = []
    for registry_id, (number, expiry) in sorted(valid.items()):
        person = people[registry_id]
        when = person.cancellation_date
        findings.append(
            Finding(
                kind=kinds.CANCELLED_HOLDER,
                subject=registry_id,
                summary=(
                    f"Cancellato{f' il {when:%d/%m/%Y}' if when else ''}, titolare del permesso "
                    f"{number} valido fino al {expiry:%d/%m/%Y} con domicilio nel comune"
                ),
                rule="cancellato_con_permesso_valido",
                registry_id=registry_id,
                permit_number=number,
                evidence={
                    "anagrafe": person_evidence(person),
                    "permesso": {"numero": number, "dataScadenza": expiry.isoformat()},
                },
            )
        )
    cleared = [key_of(kinds.CANCELLED_HOLDER, r) for r in cancelled - set(valid)]
    return findings, cleared
