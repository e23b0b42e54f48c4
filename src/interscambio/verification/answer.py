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


# Plain SQL: the API answers this hundreds of times a second, and two statements built once
# cost a fraction of the ORM's. The table names are the models' own, never input.
_EU: Final = tuple(sorted(EU_MEMBER_STATES))
_PEOPLE: Final = (
    "SELECT r.registry_id, r.registration_date, r.cancellation_date, r.title_issue_date, "  # noqa: S608
    f"r.title_expiry_date, EXISTS (SELECT 1 FROM {Citizenship._meta.db_table} c "
    f"WHERE c.resident_id = r.id AND c.country IN ({', '.join(['%s'] * len(_EU))})) "
    f"FROM {Resident._meta.db_table} r WHERE r.codice_fiscale = %s"
)
_PERMITS: Final = (
    f"SELECT p.issue_date, p.expiry_date FROM {ReceivedPermit._meta.db_table} p "  # noqa: S608
    f"WHERE p.number IN (SELECT l.permit_number FROM {Link._meta.db_table} l "
    "WHERE l.registry_id IN ({ids}) AND l.status <> %s)"
)

Period = tuple[date | None, date | None]


def _day(value: Any) -> date | None:
    """A date column as a date (SQLite's plain cursor gives the stored text)."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _resident_on(registered: date | None, cancelled: date | None, day: date) -> bool:
    return registered is not None and registered <= day and (cancelled is None or cancelled > day)


def _reported(ids: tuple[str, ...]) -> list[Period]:
    """The periods of the permits the Questura reported for these people (rejected links aside)."""
    sql = _PERMITS.format(ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, Link.REJECTED])
        return [(_day(start), _day(end)) for start, end in cursor.fetchall()]


def _covers(period: Period, day: date) -> bool:
    start, end = period
    return (start is None or start <= day) and (end is None or day <= end)


def verify(codice_fiscale: str, day: date) -> Answer:
    with connection.cursor() as cursor:
        cursor.execute(_PEOPLE, [*_EU, codice_fiscale])
        people = cursor.fetchall()
    if not people:
        return Answer(False, None, None, ())
    ids = tuple(str(row[0]) for row in people)
    resident = any(_resident_on(_day(row[1]), _day(row[2]), day) for row in people)
    if any(row[5] for row in people):
        return Answer(resident, None, None, ids)
    own = [(_day(r[3]), _day(r[4])) for r in people if r[3] or r[4]]
    covering = [p for p in own + _reported(ids) if _covers(p, day)]
    if not covering:
        return Answer(resident, False, None, ids)
    # The latest expiry among those covering the day; a title without one never expires.
    ends = [end for _, end in covering]
    expiry = None if None in ends else max(e for e in ends if e is not None)
    return Answer(resident, True, expiry, ids)
