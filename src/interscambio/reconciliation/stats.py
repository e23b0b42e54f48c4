# SPDX-License-Identifier: EUPL-1.2
"""What reconciliation holds, for `interscambio node`."""

from __future__ import annotations

from django.db.models import Count

from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, Link, Run


def reconciliation_counts() -> dict[str, object]:
    current = (
        Discrepancy.objects.filter(status__in=kinds.CURRENT)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    )
    return {
        "reconciliation_runs": Run.objects.count(),
        "links": Link.objects.exclude(status=Link.REJECTED).count(),
        "discrepancies_current_by_kind": dict(current.values_list("kind", "n")),
    }
