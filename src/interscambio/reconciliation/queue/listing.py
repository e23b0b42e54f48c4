# SPDX-License-Identifier: EUPL-1.2
"""What the queue lists and in which order: the node's own kinds of discrepancy, filtered,
the most urgent first.

Urgency is the nearest date by which something must happen to the person: the
discrepancy's own due date, the person's next deadline (deadlines/queue.py), or a domicile
check's; then severity, then the oldest first. A resident whose cancellation is near comes
before a typo in a name found the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from django.conf import settings
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from interscambio.deadlines.queue import with_deadlines
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.registry.models import Resident

CURRENT, ALL = "correnti", "tutte"
MINE, UNASSIGNED = "mie", "nessuno"


def node_kinds() -> dict[str, kinds.Kind]:
    """The kinds this node finds (and so works): a Questura's from the registry flows."""
    return {code: k for code, k in kinds.KINDS.items() if k.role == settings.NODE_ROLE}


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    severity: str = ""
    status: str = CURRENT
    older_than_days: int | None = None
    district: int | None = None
    assigned: str = ""  # MINE, UNASSIGNED or "" for anyone
    me: str = ""  # whose "mine"

    def shown(self) -> dict[str, Any]:
        """The filters in force, as the log keeps them."""
        return {k: v for k, v in vars(self).items() if v not in ("", None) and k != "me"}


def _first(*dates: Any) -> Any:
    """The earliest of the dates present: Least alone gives NULL if any is NULL."""
    present = [Coalesce(d, *[o for o in dates if o is not d]) for d in dates]
    return Least(*present)


SEVERITY_RANK: Final = Case(
    *(When(severity=s, then=Value(rank)) for s, rank in kinds.SEVERITY_RANK.items()),
    default=Value(9),
    output_field=IntegerField(),
)


def queue(filters: Filters) -> QuerySet[Discrepancy]:
    rows = Discrepancy.objects.filter(kind__in=node_kinds())
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.status == CURRENT:
        rows = rows.filter(status__in=kinds.CURRENT)
    elif filters.status != ALL:
        rows = rows.filter(status=filters.status)
    if filters.older_than_days is not None:
        rows = rows.filter(opened__lte=timezone.now() - timedelta(days=filters.older_than_days))
    if filters.district is not None:
        there = Resident.objects.filter(street__district=filters.district)
        rows = rows.filter(registry_id__in=there.values("registry_id"))
    if filters.assigned == MINE:
        rows = rows.filter(assigned_to__username=filters.me)
    elif filters.assigned == UNASSIGNED:
        rows = rows.filter(assigned_to__isnull=True)
    rows = with_deadlines(rows).annotate(
        urgent_on=_first(F("due_date"), F("deadline_due"), F("check_due")),
        severity_rank=SEVERITY_RANK,
    )
    return rows.select_related("assigned_to").order_by(
        F("urgent_on").asc(nulls_last=True), "severity_rank", "opened", "pk"
    )
