# SPDX-License-Identifier: EUPL-1.2
"""What of the figures may be shown: counts under THRESHOLD, and what would give them away.

1. A count from 1 to THRESHOLD-1 is shown as SMALL ("<5"); zero is shown as 0, since "nobody"
   reveals no one.
2. A total is WITHHELD when its suppressed parts add up to less than THRESHOLD: the total less
   the parts shown would be the small count (one suppressed part is always such a case).
3. A median over fewer than THRESHOLD durations is WITHHELD: with one case it is that case.

The result is what JSON, the HTML page, the charts and the PDF show; nothing else is rendered.
"""

from __future__ import annotations

from typing import Final

from interscambio.report.tables import Cell, Median, Report, Row, Section, Table

THRESHOLD: Final = 5
SMALL: Final = "<5"
WITHHELD: Final = "n.d."

Shown = int | float | str | None


def count(n: int) -> int | str:
    return SMALL if 0 < n < THRESHOLD else n


def median(m: Median) -> float | str | None:
    if not m.values:
        return None
    if len(m.values) < THRESHOLD:
        return WITHHELD
    return round(m.value or 0.0, 1)


def cell(c: Cell) -> Shown:
    return median(c) if isinstance(c, Median) else count(c)


def total(parts: list[Cell]) -> Shown:
    """A row's or column's total, withheld when it would give away a suppressed part."""
    medians = [p for p in parts if isinstance(p, Median)]
    if medians:
        return median(Median(tuple(v for m in medians for v in m.values)))
    counts = [p for p in parts if isinstance(p, int)]
    hidden = sum(n for n in counts if 0 < n < THRESHOLD)
    whole = sum(counts)
    if 0 < hidden < THRESHOLD and whole >= THRESHOLD:
        return WITHHELD
    return count(whole)


def _row(row: Row, with_total: bool) -> dict[str, object]:
    cells = [cell(c) for c in row.cells]
    if with_total:
        cells.append(total(list(row.cells)))
    return {"key": row.key, "label": row.label, "cells": cells}


def table(t: Table) -> dict[str, object]:
    columns = list(t.columns)
    rows = [_row(r, t.row_totals) for r in t.rows]
    if t.row_totals:
        columns.append("Totale")
    if t.column_totals and t.rows:
        sums: list[Shown] = [total([r.cells[i] for r in t.rows]) for i in range(len(t.columns))]
        if t.row_totals:
            sums.append(total([c for r in t.rows for c in r.cells]))
        rows.append({"key": "totale", "label": "Totale", "cells": sums})
    return {"key": t.key, "title": t.title, "columns": columns, "rows": rows}


def section(s: Section) -> dict[str, object]:
    return {
        "key": s.key,
        "title": s.title,
        "applicable": s.applicable,
        "note": s.note,
        "tables": [table(t) for t in s.tables] if s.applicable else [],
    }


def shown(report: Report) -> dict[str, object]:
    """The whole report as it may be published: JSON-ready."""
    return {
        "quarter": report.quarter,
        "from": report.first_day,
        "to": report.last_day,
        "node": report.node,
        "role": report.role,
        "generated": report.generated,
        "threshold": THRESHOLD,
        "sections": [section(s) for s in report.sections],
    }
