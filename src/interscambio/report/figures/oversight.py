# SPDX-License-Identifier: EUPL-1.2
"""What the Prefettura oversees: consultations by office and purpose, and the anomalies.

Consultations are the access log's reads of personal data (audit.actions.READS) in the
quarter. Anomalies are the supervisor's four reports (audit/anomalies.py) over the quarter,
counted by rule: who and whom stay on the anomalies page, which the supervisor opens.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count

from interscambio.audit import actions
from interscambio.audit import anomalies as found
from interscambio.audit.models import LogEntry
from interscambio.report.quarter import Quarter
from interscambio.report.tables import Row, Section, Table

NO_PURPOSE = "senza finalità"


def consultations(quarter: Quarter, applicable: bool) -> Section:
    title = "Consultazioni per ufficio e finalità"
    if not applicable:
        return Section("consultazioni", title, False)
    groups = (
        LogEntry.objects.filter(action__in=actions.READS, at__gte=quarter.start, at__lt=quarter.end)
        .values("office", "purpose")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells = {(g["office"] or "—", g["purpose"]): g["n"] for g in groups}
    purposes = sorted({p for _, p in cells})
    offices = sorted({o for o, _ in cells})
    labels = dict(settings.CONSULTATION_PURPOSES)
    table = Table(
        "consultazioni",
        "Letture di dati personali",
        tuple(str(labels.get(p, p)) if p else NO_PURPOSE for p in purposes),
        tuple(Row(o, o, tuple(cells.get((o, p), 0) for p in purposes)) for o in offices),
        column_totals=True,
        row_totals=True,
    )
    return Section("consultazioni", title, True, (table,))


def anomalies(quarter: Quarter, applicable: bool) -> Section:
    title = "Anomalie negli accessi"
    if not applicable:
        return Section("anomalie", title, False)
    report = found.report(quarter.start, quarter.end)
    rows = (
        Row("volume", "volume oltre il consueto (utente e giorno)", (len(report.volume),)),
        Row("fuori_orario", "letture fuori orario (utente e giorno)", (len(report.off_hours),)),
        Row(
            "riferimenti_pratica",
            "molte persone senza riferimento pratica ricorrente (utente e giorno)",
            (len(report.case_references),),
        ),
        Row("molti_uffici", "persona consultata da molti uffici", (len(report.many_offices),)),
    )
    table = Table(
        "anomalie", "Segnalazioni per regola", ("Segnalazioni",), rows, column_totals=True
    )
    return Section("anomalie", title, True, (table,))
