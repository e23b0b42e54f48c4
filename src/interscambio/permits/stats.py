# SPDX-License-Identifier: EUPL-1.2
"""Counts of what a Questura node's permit database holds."""

from __future__ import annotations

from django.db.models import Count

from interscambio.permits.models import Permit


def permit_counts() -> dict[str, object]:
    by_status = dict(
        Permit.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "permits": Permit.objects.count(),
        "permit_holders": Permit.objects.values("holder_cui").distinct().count(),
        "permits_by_status": dict(sorted(by_status.items())),
        "renewals_linked": Permit.objects.filter(previous__isnull=False).count(),
    }
