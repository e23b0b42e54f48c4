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
from typing import Any, Final

from django.db import connection

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


# Plain SQL, one statement built once: the API answers this hundreds of times a second. The
# people with that code (kind 'r': registration, cancellation, the registry's title, whether an
# EU citizen), then the permits the Questura reported for them (kind 'p': issue, expiry). The
# table names are the models' own and the EU codes the project's table, never input.
_EU: Final = ", ".join(f"'{country}'" for country in sorted(EU_MEMBER_STATES))
_RESIDENT, _LINK, _PERMIT = (m._meta.db_table for m in (Resident, Link, ReceivedPermit))
_ANSWER: Final = (
    "SELECT 'r', r.registry_id, r.registration_date, r.cancellation_date, "  # noqa: S608
    f"r.title_issue_date, r.title_expiry_date, EXISTS (SELECT 1 FROM "
    f"{Citizenship._meta.db_table} c WHERE c.resident_id = r.id AND c.country IN ({_EU})) "
    f"FROM {_RESIDENT} r WHERE r.codice_fiscale = %s "
    "UNION ALL "
    "SELECT 'p', l.registry_id, NULL, NULL, p.issue_date, p.expiry_date, FALSE "
    f"FROM {_RESIDENT} r JOIN {_LINK} l ON l.registry_id = r.registry_id "
    f"JOIN {_PERMIT} p ON p.number = l.permit_number "
    "WHERE r.codice_fiscale = %s AND l.status <> %s"
)

Period = tuple[date | None, date | None]


def _day(value: Any) -> date | None:
    """A date column as a date (SQLite's plain cursor gives the stored text)."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _resident_on(registered: date | None, cancelled: date | None, day: date) -> bool:
    return registered is not None and registered <= day and (cancelled is None or cancelled > day)


def _covers(period: Period, day: date) -> bool:
    start, end = period
    return (start is None or start <= day) and (end is None or day <= end)


def verify(codice_fiscale: str, day: date) -> Answer:
    with connection.cursor() as cursor:
        cursor.execute(_ANSWER, [codice_fiscale, codice_fiscale, Link.REJECTED])
        rows = cursor.fetchall()
    people = [row for row in rows if row[0] == "r"]
    if not people:
        return Answer(False, None, None, ())
    ids = tuple(str(row[1]) for row in people)
    resident = any(_resident_on(_day(row[2]), _day(row[3]), day) for row in people)
    if any(row[6] for row in people):
        return Answer(resident, None, None, ids)
    # The registry's own titles (if any date is known) and every permit reported.
    periods = [(_day(r[4]), _day(r[5])) for r in rows if r[0] == "p" or r[4] or r[5]]
    covering = [p for p in periods if _covers(p, day)]
    if not covering:
        return Answer(resident, False, None, ids)
    # The latest expiry among those covering the day; a title without one never expires.
    ends = [end for _, end in covering]
    expiry = None if None in ends else max(e for e in ends if e is not None)
    return Answer(resident, True, expiry, ids)
