# SPDX-License-Identifier: EUPL-1.2
"""The exchange calendar: which periods a flow type covers, which are due and when one is late.

The agreement fixes the rhythm: the registry flow every fortnight (1-15, 16-end of month), the
permit flow every calendar month. A period is due once it has ended; the partner's flow is late
when it has not arrived a grace period after that.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator
from datetime import date, timedelta

from interscambio.core.flows.spec import Period

# Days after the end of a period within which the partner's flow is expected.
DEFAULT_GRACE_DAYS = {"anagrafe": 5, "permessi": 10}


def _month_end(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def period_containing(flow_type: str, day: date) -> Period:
    """The period of `flow_type` that `day` falls in."""
    if flow_type == "permessi":
        return Period(day.replace(day=1), _month_end(day))
    if flow_type == "anagrafe":
        if day.day <= 15:
            return Period(day.replace(day=1), day.replace(day=15))
        return Period(day.replace(day=16), _month_end(day))
    raise ValueError(f"unknown flow type {flow_type!r}")


def next_period(flow_type: str, period: Period) -> Period:
    return period_containing(flow_type, period.end + timedelta(days=1))


def ended_periods(flow_type: str, since: date, today: date) -> Iterator[Period]:
    """Every period from the one holding `since` to the last that ended before `today`."""
    period = period_containing(flow_type, since)
    while period.end < today:
        yield period
        period = next_period(flow_type, period)


def is_standard(flow_type: str, period: Period) -> bool:
    """True for a whole fortnight (anagrafe) or a whole calendar month (permessi)."""
    return period_containing(flow_type, period.start) == period


def late_after(flow_type: str, period: Period, grace_days: int | None = None) -> date:
    """The first day on which the partner's flow for `period` counts as late."""
    days = DEFAULT_GRACE_DAYS[flow_type] if grace_days is None else grace_days
    return period.end + timedelta(days=days + 1)


def parse_period(flow_type: str, text: str) -> Period:
    """`2026-10` (a calendar month), `2026-10-1` / `2026-10-2` (the first or second fortnight,
    registry flows only) or `YYYY-MM-DD:YYYY-MM-DD` (any range, both days included)."""
    text = text.strip()
    try:
        if ":" in text:
            start, end = (date.fromisoformat(part) for part in text.split(":", 1))
            if end < start:
                raise ValueError("the end is before the start")
            return Period(start, end)
        parts = text.split("-")
        if len(parts) == 2:
            month = date(int(parts[0]), int(parts[1]), 1)
            return Period(month, _month_end(month))
        if len(parts) == 3 and parts[2] in {"1", "2"} and flow_type == "anagrafe":
            first = date(int(parts[0]), int(parts[1]), 1 if parts[2] == "1" else 16)
            return period_containing(flow_type, first)
        raise ValueError("not a recognised form")
    except ValueError as error:
        raise ValueError(
            f"period {text!r}: {error}. Write a month (2026-10), a fortnight (2026-10-1 or "
            "2026-10-2) or a range (2026-10-01:2026-10-15)"
        ) from None
