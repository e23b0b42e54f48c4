# SPDX-License-Identifier: EUPL-1.2
"""Discrepancies opened and closed in the quarter by kind, and how long resolving took.

Opened: first found in the quarter. Resolved and dismissed: their history (DiscrepancyChange)
has a change to that state in the quarter; a discrepancy closed more than once in the quarter
(reopened and resolved again, or dismissed then resolved) counts once, by its last closing in
the quarter. Time to resolution: from opening to that resolution, in days. Still open: opened
before the quarter's end and not closed at it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange
from interscambio.report.quarter import Quarter
from interscambio.report.tables import Median, Row, Section, Table

COLUMNS = ("Aperte", "Risolte", "Archiviate", "Aperte a fine trimestre",
           "Giorni alla risoluzione (mediana)")  # fmt: skip


def _closed(quarter: Quarter, status: str) -> dict[int, datetime]:
    """Each discrepancy closed to `status` in the quarter, with its last such change."""
    last: dict[int, datetime] = {}
    changes = DiscrepancyChange.objects.filter(
        to_status=status, at__gte=quarter.start, at__lt=quarter.end
    ).values_list("discrepancy_id", "at")
    for pk, at in changes:
        last[pk] = max(at, last.get(pk, at))
    return last


def _open_at_end(quarter: Quarter) -> dict[str, int]:
    """Opened before the end and, at the end, not closed: the last change before the end left
    it open, or there was none."""
    before = Discrepancy.objects.filter(opened__lt=quarter.end)
    states: dict[int, tuple[datetime, str]] = {}
    for pk, at, to in DiscrepancyChange.objects.filter(
        discrepancy__opened__lt=quarter.end, at__lt=quarter.end
    ).values_list("discrepancy_id", "at", "to_status"):
        if pk not in states or at >= states[pk][0]:
            states[pk] = (at, to)
    counts: dict[str, int] = {}
    for pk, kind in before.values_list("pk", "kind"):
        state = states.get(pk, (None, kinds.OPEN))[1]
        if state in kinds.CURRENT:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def section(quarter: Quarter, role: str) -> Section:
    opened: dict[str, int] = {}
    for kind in Discrepancy.objects.filter(
        opened__gte=quarter.start, opened__lt=quarter.end
    ).values_list("kind", flat=True):
        opened[kind] = opened.get(kind, 0) + 1
    resolved, dismissed = _closed(quarter, kinds.RESOLVED), _closed(quarter, kinds.DISMISSED)
    for pk in resolved.keys() & dismissed.keys():
        earlier = resolved if resolved[pk] < dismissed[pk] else dismissed
        del earlier[pk]
    found = Discrepancy.objects.filter(Q(pk__in=resolved) | Q(pk__in=dismissed))
    of = dict(found.values_list("pk", "kind"))
    since = dict(found.values_list("pk", "opened"))
    still = _open_at_end(quarter)
    rows = []
    for code, kind in kinds.KINDS.items():
        if kind.role != role:
            continue
        days = tuple(
            (at - since[pk]).total_seconds() / 86400
            for pk, at in resolved.items()
            if of[pk] == code
        )
        rows.append(
            Row(
                code,
                kind.label,
                (
                    opened.get(code, 0),
                    len(days),
                    sum(1 for pk in dismissed if of[pk] == code),
                    still.get(code, 0),
                    Median(tuple(sorted(days))),
                ),
            )
        )
    table = Table("discrepanze", "Discrepanze per tipo", COLUMNS, tuple(rows), column_totals=True)
    return Section("discrepanze", "Discrepanze aperte e risolte", True, (table,))
