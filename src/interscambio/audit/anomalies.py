# SPDX-License-Identifier: EUPL-1.2
"""The Prefettura supervisor's anomaly reports over the access log, for a window [start, end).

Only reads of personal data count (`actions.READS`); days are local days (settings.TIME_ZONE).

1. Volume: a user's reads on a day above their usual, the median of their daily reads over the
   HISTORY_DAYS before it. Days without reads count as zero, but only from the user's first
   read on, so a newcomer's usual is not dragged down by days before they started. Flagged above
   max(VOLUME_FACTOR × usual, usual + VOLUME_MARGIN); with no history at all, above
   NEW_USER_READS. The factor catches the busy who triple, the margin spares the quiet who read
   a few more.
2. Off-hours: reads outside WORK_STARTS–WEEKDAY_ENDS on weekdays and WORK_STARTS–SATURDAY_ENDS
   on Saturday; Sunday and the public holidays (Italy's, and the patron saint's day of
   settings.ANOMALIES_HOLIDAYS_PROVINCE, from the `holidays` package) are off-hours all day.
   One finding per user and day, with the first and last such read.
3. Case references: a user who on one day viewed MIN_PERSONS people or more without the pattern
   of casework. Genuine casework reuses a case reference across the members of one file, so
   distinct references (a person read only under an empty or too short reference counts as one
   of their own) of CASE_RATIO per person or more are flagged; so are MIN_PERSONS people read
   with no usable reference at all, whatever else the user did that day. The work queue's
   reads (purpose actions.QUEUE_PURPOSE) are left out: they list an office's own discrepancies,
   fifty people a page, with no case to refer to.
4. Many offices: one person viewed by MIN_OFFICES distinct offices or more in the window.

Volume and off-hours are counted in the database; records are decoded only for the window's
reads that name a person (rules 3 and 4). Findings name staff and record ids, never people.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from interscambio.audit import actions
from interscambio.audit.models import LogEntry

HISTORY_DAYS: Final = 28
VOLUME_FACTOR: Final = 3
VOLUME_MARGIN: Final = 20
NEW_USER_READS: Final = 50

WORK_STARTS: Final = 7
WEEKDAY_ENDS: Final = 20
SATURDAY_ENDS: Final = 14

MIN_PERSONS: Final = 10
CASE_RATIO: Final = 0.9
MIN_CASE_LENGTH: Final = 3

MIN_OFFICES: Final = 3

WEEKDAYS: Final = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
COLUMNS: Final = ("tipo", "giorno", "utente", "uffici", "record", "letture", "motivo")


@dataclass(frozen=True)
class Volume:
    """A user's reads on one day, far above their usual."""

    user: str
    day: date
    offices: tuple[str, ...]
    reads: int
    usual: float | None  # None: no reads before this day
    reason: str


@dataclass(frozen=True)
class OffHours:
    """A user's reads outside working hours on one day."""

    user: str
    day: date
    offices: tuple[str, ...]
    reads: int
    first: datetime  # local time
    last: datetime
    reason: str


@dataclass(frozen=True)
class CaseReferences:
    """Many people viewed by a user on one day without the case-reference pattern of casework."""

    user: str
    day: date
    offices: tuple[str, ...]
    persons: int
    case_references: int  # distinct usable ones
    unreferenced: int  # persons read only without a usable reference
    reason: str


@dataclass(frozen=True)
class ManyOffices:
    """One person's record viewed by many offices in the window."""

    record: str
    offices: tuple[str, ...]
    reads: int  # entries naming the record in the window, whichever office
    reason: str


@dataclass(frozen=True)
class Report:
    """The four reports over [start, end): findings by day, then user; many offices first."""

    start: datetime
    end: datetime
    volume: tuple[Volume, ...]
    off_hours: tuple[OffHours, ...]
    case_references: tuple[CaseReferences, ...]
    many_offices: tuple[ManyOffices, ...]


def report(start: datetime, end: datetime, *, zone: tzinfo | None = None) -> Report:
    """The four reports over [start, end); `zone` defaults to settings.TIME_ZONE."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be timezone-aware")
    zone = zone or timezone.get_default_timezone()
    cases, offices = _decoded(start, end, zone)
    return Report(
        start, end, _volume(start, end, zone), _off_hours(start, end, zone), cases, offices
    )


def rows(found: Report) -> list[dict[str, str]]:
    """The findings as CSV rows (COLUMNS) for an inspection export."""
    table = [_row("volume", f.day, f.user, f.offices, "", f.reads, f.reason) for f in found.volume]
    table += [
        _row("fuori_orario", f.day, f.user, f.offices, "", f.reads, f.reason)
        for f in found.off_hours
    ]
    table += [
        _row("riferimenti_pratica", f.day, f.user, f.offices, "", f.persons, f.reason)
        for f in found.case_references
    ]
    table += [
        _row("molti_uffici", None, "", f.offices, f.record, f.reads, f.reason)
        for f in found.many_offices
    ]
    return table


def _row(
    kind: str,
    day: date | None,
    user: str,
    offices: tuple[str, ...],
    record: str,
    reads: int,
    reason: str,
) -> dict[str, str]:
    values = (kind, day.isoformat() if day else "", user, "; ".join(offices), record, reads, reason)
    return dict(zip(COLUMNS, map(str, values), strict=True))


def _reads(start: datetime, end: datetime) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(action__in=actions.READS, at__gte=start, at__lt=end)


_LATEST: Final = datetime.max.replace(tzinfo=UTC)
_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)


@dataclass
class _Day:
    reads: int = 0
    offices: set[str] = field(default_factory=set)
    first: datetime = _LATEST
    last: datetime = _EARLIEST


def _per_user_day(entries: QuerySet[LogEntry], zone: tzinfo) -> dict[tuple[str, date], _Day]:
    """Counted in the database by (user, office, local day), merged here per user and day: a
    user who works for two offices is still one person reading."""
    groups = (
        entries.annotate(day=TruncDate("at", tzinfo=zone))
        .values("user", "office", "day")
        .annotate(reads=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by()
    )
    days: dict[tuple[str, date], _Day] = defaultdict(_Day)
    for g in groups:
        d = days[g["user"], g["day"]]
        d.reads += g["reads"]
        d.offices.add(g["office"])
        d.first, d.last = min(d.first, g["first"]), max(d.last, g["last"])
    return dict(sorted(days.items(), key=lambda item: (item[0][1], item[0][0])))


def _volume(start: datetime, end: datetime, zone: tzinfo) -> tuple[Volume, ...]:
    window = _per_user_day(_reads(start, end), zone)
    first_day = timezone.localtime(start, zone).date() - timedelta(days=HISTORY_DAYS)
    before = _per_user_day(_reads(datetime.combine(first_day, time.min, tzinfo=zone), start), zone)
    # The day that holds `start` is split between the two queries: its history is the sum.
    history = Counter({key: d.reads for key, d in before.items()})
    history.update({key: d.reads for key, d in window.items()})
    began = {
        f["user"]: timezone.localtime(f["first"], zone).date()
        for f in LogEntry.objects.filter(action__in=actions.READS, at__lt=end)
        .values("user")
        .annotate(first=Min("at"))
        .order_by()
    }
    found = []
    for (user, day), d in window.items():
        since = max(began[user], day - timedelta(days=HISTORY_DAYS))
        past = [history[user, since + timedelta(days=n)] for n in range((day - since).days)]
        usual = float(statistics.median(past)) if past else None
        if usual is None:
            if d.reads <= NEW_USER_READS:
                continue
            reason = (
                f"{d.reads} letture il {day:%d/%m/%Y} senza letture nei giorni precedenti "
                f"(soglia per un nuovo utente: {NEW_USER_READS})"
            )
        else:
            if d.reads <= max(VOLUME_FACTOR * usual, usual + VOLUME_MARGIN):
                continue
            reason = (
                f"{d.reads} letture il {day:%d/%m/%Y}, contro una mediana di {usual:g} al "
                f"giorno nei {len(past)} giorni precedenti"
            )
        found.append(Volume(user, day, tuple(sorted(d.offices)), d.reads, usual, reason))
    return tuple(found)


def _working(weekday: int, hour: int) -> bool:
    """Whether an hour of an ISO weekday (1 Monday, 7 Sunday) is within working hours."""
    if weekday == 7:
        return False
    closes = SATURDAY_ENDS if weekday == 6 else WEEKDAY_ENDS
    return WORK_STARTS <= hour < closes


def public_holidays(first: date, last: date) -> dict[date, str]:
    """The public holidays from `first` to `last`: Italy's, and the patron saint's day of the
    configured province (its two-letter code), by name."""
    province = settings.ANOMALIES_HOLIDAYS_PROVINCE or None
    try:
        calendar = holidays.country_holidays(
            "IT", subdiv=province, years=range(first.year, last.year + 1), language="it_IT"
        )
    except NotImplementedError:
        raise ImproperlyConfigured(
            f"INTERSCAMBIO_HOLIDAYS_PROVINCE: {province!r} is not an Italian province code "
            "(two letters, e.g. TO)"
        ) from None
    return {day: name for day, name in sorted(calendar.items()) if first <= day <= last}


def _off_hours(start: datetime, end: datetime, zone: tzinfo) -> tuple[OffHours, ...]:
    # One value per hour of the week, so the database converts each timestamp once (SQLite
    # runs each conversion in Python, once per mention in the query).
    outside = [w * 100 + h for w in range(1, 8) for h in range(24) if not _working(w, h)]
    closed = public_holidays(
        timezone.localtime(start, zone).date(), timezone.localtime(end, zone).date()
    )
    entries = (
        _reads(start, end)
        .annotate(
            slot=ExtractIsoWeekDay("at", tzinfo=zone) * 100 + ExtractHour("at", tzinfo=zone),
            local_day=TruncDate("at", tzinfo=zone),
        )
        .filter(Q(slot__in=outside) | Q(local_day__in=list(closed)))
    )
    found = []
    for (user, day), d in _per_user_day(entries, zone).items():
        first, last = timezone.localtime(d.first, zone), timezone.localtime(d.last, zone)
        holiday = f" ({closed[day]})" if day in closed else ""
        reason = (
            f"{d.reads} letture fuori orario {WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"
            f"{holiday}, dalle {first:%H:%M} alle {last:%H:%M}"
        )
        found.append(OffHours(user, day, tuple(sorted(d.offices)), d.reads, first, last, reason))
    return tuple(found)


def _decoded(
    start: datetime, end: datetime, zone: tzinfo
) -> tuple[tuple[CaseReferences, ...], tuple[ManyOffices, ...]]:
    """Rules 3 and 4, in one pass over the window's reads that name a person."""
    # Per (user, day): each person read, and whether any of its reads had a usable reference.
    persons: dict[tuple[str, date], dict[str, bool]] = defaultdict(dict)
    references: dict[tuple[str, date], set[str]] = defaultdict(set)
    user_offices: dict[tuple[str, date], set[str]] = defaultdict(set)
    record_offices: dict[str, set[str]] = defaultdict(set)
    record_reads: Counter[str] = Counter()
    entries = (
        _reads(start, end)
        # A prefilter only: the decoded records list decides.
        .filter(record__contains=f'"{actions.PERSON}')
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values_list("user", "office", "case_reference", "day", "record", "purpose")
        .order_by()
    )
    for user, office, case, day, record, purpose in entries.iterator(10_000):
        named = [r for r in json.loads(record)["entry"]["records"] if r.startswith(actions.PERSON)]
        if not named:
            continue
        key, case = (user, day), case.strip()
        usable = len(case) >= MIN_CASE_LENGTH
        casework = purpose != actions.QUEUE_PURPOSE
        if casework:
            user_offices[key].add(office)
        if usable:
            references[key].add(case)
        for person in named:
            if casework:
                persons[key][person] = persons[key].get(person, False) or usable
            record_reads[person] += 1
            # An entry without an office (a system job) is no evidence of one more office.
            if office:
                record_offices[person].add(office)
    cases = []
    for (user, day), seen in sorted(persons.items(), key=lambda item: (item[0][1], item[0][0])):
        unreferenced = sum(1 for referenced in seen.values() if not referenced)
        distinct = len(references[user, day])
        patternless = (distinct + unreferenced) / len(seen) >= CASE_RATIO
        if len(seen) < MIN_PERSONS or not (patternless or unreferenced >= MIN_PERSONS):
            continue
        reason = (
            f"{len(seen)} persone consultate il {day:%d/%m/%Y} con {distinct} riferimenti "
            f"pratica distinti e {unreferenced} senza riferimento valido"
        )
        offices = tuple(sorted(user_offices[user, day]))
        cases.append(CaseReferences(user, day, offices, len(seen), distinct, unreferenced, reason))
    shared = [
        ManyOffices(
            record,
            tuple(sorted(names)),
            record_reads[record],
            f"consultato da {len(names)} uffici diversi: {', '.join(sorted(names))}",
        )
        for record, names in record_offices.items()
        if len(names) >= MIN_OFFICES
    ]
    shared.sort(key=lambda f: (-len(f.offices), f.record))
    return tuple(cases), tuple(shared)
