# SPDX-License-Identifier: EUPL-1.2
"""Who gets a letter on a date: the residents whose permit is about to expire, and those whose
permit expired with no renewal known, each once per kind and expiry.

"No renewal known" is the reconciliation's own rule (`permesso_scaduto`, comune/periodic.py):
the letter goes exactly to the people the work queue shows as expired, never to a different
set. "About to expire" asks the same questions of the same newest title (core/deadlines.py):
a current resident, no EU citizenship, no renewal application known, an expiry in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.conf import settings

from interscambio.core.deadlines import latest_title, renewal_pending, subject
from interscambio.notices.models import Notice
from interscambio.reconciliation.comune import periodic
from interscambio.reconciliation.comune.sides import Person, people

KINDS: Final = (Notice.EXPIRING, Notice.EXPIRED)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One letter to write: whom, which kind, about which expiry."""

    registry_id: str
    kind: str
    permit_number: str
    permit_expiry: date
    citizenships: tuple[str, ...]


def _expiring(
    registry: dict[str, Person],
    known: dict[str, tuple[str, date, date | None]],
    day: date,
    within: int,
) -> list[Candidate]:
    last = day + timedelta(days=within)
    found = []
    for person in registry.values():
        registry_title = (person.title_number, person.title_issue_date, person.title_expiry_date)
        kind, number, issued, expiry = latest_title(
            person.title_kind, registry_title, known.get(person.registry_id)
        )
        if not subject(person.resident, person.citizenships, kind):
            continue
        if renewal_pending(kind, issued, person.title_renewal_requested_date):
            continue
        if expiry is not None and day <= expiry <= last:
            found.append(
                Candidate(person.registry_id, Notice.EXPIRING, number, expiry, person.citizenships)
            )
    return found


def _expired(
    registry: dict[str, Person], known: dict[str, tuple[str, date, date | None]], day: date
) -> list[Candidate]:
    findings, _cleared = periodic.expired(
        registry.values(), day, settings.RECONCILE_EXPIRED_GRACE_DAYS, known
    )
    return [
        Candidate(
            f.registry_id,
            Notice.EXPIRED,
            f.permit_number,
            date.fromisoformat(f.evidence["permessoPiuRecente"]["dataScadenza"]),
            registry[f.registry_id].citizenships,
        )
        for f in findings
    ]


def select(day: date, within: int, kinds: tuple[str, ...] = KINDS) -> list[Candidate]:
    """The letters due on `day`, by registry id then kind, without those already sent."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notice kind {sorted(unknown)}: the kinds are {list(KINDS)}")
    if within < 0:
        raise ValueError(f"--within must be 0 or more days, not {within}")
    registry = people()
    known = periodic.newest_permits()
    found: list[Candidate] = []
    if Notice.EXPIRING in kinds:
        found += _expiring(registry, known, day, within)
    if Notice.EXPIRED in kinds:
        found += _expired(registry, known, day)
    sent = set(
        Notice.objects.filter(kind__in=kinds).values_list(
            "resident__registry_id", "kind", "permit_expiry"
        )
    )
    due = [c for c in found if (c.registry_id, c.kind, c.permit_expiry) not in sent]
    return sorted(due, key=lambda c: (c.registry_id, c.kind))
