# SPDX-License-Identifier: EUPL-1.2
"""A calendar quarter, written `2026Q1`: its days and its window as local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

from django.utils import timezone

_FORM: Final = re.compile(r"(\d{4})\s*[Qq]([1-4])")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next().first_day.toordinal() - 1)

    @property
    def start(self) -> datetime:
        """The first moment of the quarter in the node's time zone (settings.TIME_ZONE)."""
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the quarter: windows are [start, end)."""
        return self.next().start

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def parse(text: str) -> Quarter:
    """`2026Q1` (or `2026q1`); ValueError says what a quarter looks like."""
    match = _FORM.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"quarter {text!r}: write the year and the quarter number, e.g. 2026Q1 "
            "(January to March) or 2026Q4 (October to December)"
        )
    return Quarter(int(match[1]), int(match[2]))


def containing(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_complete(today: date) -> Quarter:
    """The latest quarter that has ended before `today`."""
    return containing(today).previous()
