# SPDX-License-Identifier: EUPL-1.2
"""Whether a codice fiscale is resident on a day and whether a permit covers that day.

The permits known are the registry's own title and those the Questura's flows reported for the
person (through the reconciliation's links, rejected links aside): a renewal the Questura
reported counts even before the registry has been updated. A title without an expiry (the EU
long-term permit) covers every day from its issue. An EU citizen holds no permit: the answer
about the permit is then "not required" (None), as it is for someone the registry does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.exchange.models import ReceivedPermit
from interscambio.reconciliation.models import Link
from interscambio.registry.models import Citizenship, Resident


@dataclass(frozen=True)
class Answer:
    resident: bool
    permit_valid: bool | None
    expiry: date | None
    records: tuple[str, ...]  # the registry ids the answer rests on, for the access log


def _resident_on(r: Resident, day: date) -> bool:
    return r.registration_date <= day and (r.cancellation_date is None or r.cancellation_date > day)


def _periods(people: list[Resident]) -> list[tuple[date | None, date | None]]:
    periods = [
        (r.title_issue_date, r.title_expiry_date)
        for r in people
        if r.title_issue_date or r.title_expiry_date
    ]
    linked = Link.objects.filter(registry_id__in=[r.registry_id for r in people]).exclude(
        status=Link.REJECTED
    )
    periods += ReceivedPermit.objects.filter(number__in=linked.values("permit_number")).values_list(
        "issue_date", "expiry_date"
    )
    return periods


def _covers(period: tuple[date | None, date | None], day: date) -> bool:
    start, end = period
    return (start is None or start <= day) and (end is None or day <= end)


def verify(codice_fiscale: str, day: date) -> Answer:
    people = list(Resident.objects.filter(codice_fiscale=codice_fiscale))
    if not people:
        return Answer(False, None, None, ())
    ids = tuple(r.registry_id for r in people)
    resident = any(_resident_on(r, day) for r in people)
    countries = Citizenship.objects.filter(resident__in=people).values_list("country", flat=True)
    if any(c in EU_MEMBER_STATES for c in countries):
        return Answer(resident, None, None, ids)
    covering = [p for p in _periods(people) if _covers(p, day)]
    if not covering:
        return Answer(resident, False, None, ids)
    # The latest expiry among those covering the day; a title without one never expires.
    ends = [end for _, end in covering]
    expiry = None if None in ends else max(e for e in ends if e is not None)
    return Answer(resident, True, expiry, ids)
