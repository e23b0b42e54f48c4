# SPDX-License-Identifier: EUPL-1.2
"""The report's figures as plain tables of counts, before any suppression.

Every section of the report is one or more tables: a row per thing counted (a flow type, a kind
of discrepancy, an office), a column per measure. A cell is a whole count or a Median of
durations. Totals are not stored: `suppression.shown` works them out, because whether a total
may be shown depends on which of its parts are suppressed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Median:
    """The median of some durations in days; how many there are matters for suppression."""

    values: tuple[float, ...]

    @property
    def value(self) -> float | None:
        return float(statistics.median(self.values)) if self.values else None


Cell = int | Median


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    # Whether a row of column totals, and a column of row totals, belong under the table.
    column_totals: bool = False
    row_totals: bool = False

    def cell(self, row: str, column: int) -> Cell:
        return next(r for r in self.rows if r.key == row).cells[column]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    applicable: bool  # False: the node's role does not do this (notices on a Questura node)
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Report:
    quarter: str
    first_day: str
    last_day: str
    node: str
    role: str
    generated: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)
