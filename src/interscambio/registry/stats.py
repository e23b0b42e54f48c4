# SPDX-License-Identifier: EUPL-1.2
"""Counts of what a Comune node's registry holds (named like the synthetic city's truth)."""

from __future__ import annotations

from django.db.models import Count

from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.registry.models import Citizenship, Family, RegistryEvent, Resident, Street


def registry_counts() -> dict[str, object]:
    residents = Resident.objects.filter(status="residente")
    by_kind = dict(
        RegistryEvent.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    return {
        "streets": Street.objects.count(),
        "registry_persons": Resident.objects.count(),
        "registry_residents": residents.count(),
        "registry_cancelled": Resident.objects.filter(status="cancellato").count(),
        # Citizens of another EU state; a naturalized resident lists ITA first and is not one.
        "registry_eu_residents": Citizenship.objects.filter(
            rank=0, country__in=EU_MEMBER_STATES - {"ITA"}, resident__status="residente"
        ).count(),
        "registry_naturalized": Citizenship.objects.filter(
            country="ITA", resident__status="residente"
        )
        .values("resident")
        .distinct()
        .count(),
        "registry_with_stay_title": Resident.objects.exclude(title_kind="").count(),
        "registry_events": sum(by_kind.values()),
        "events_by_kind": {
            k: by_kind.get(k, 0) for k in ("iscrizione", "variazione", "cancellazione")
        },
        "families": Family.objects.count(),
    }
