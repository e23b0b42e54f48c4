# SPDX-License-Identifier: EUPL-1.2
"""What the exchange did for residents in the quarter (a Comune node only): renewals recorded
in the registry without the citizen's visit, and notices sent.

A renewal recorded without a visit is a registry event (variazione, titolo_soggiorno) whose
details name the flow, record and rule that caused it (reconciliation/comune/renewals.py):
by reconciliation itself, or by an operator from the work queue (rule `operatore:...`). A
cancellation avoided is such a renewal for a resident whose permit on record had already
expired: without it they would have been on the way to cancellation (DPR 223/1989 art. 11).
"""

from __future__ import annotations

from interscambio.notices.models import Notice, NoticeBatch
from interscambio.reconciliation.comune.renewals import RENEWAL_REASON
from interscambio.registry.models import RegistryEvent
from interscambio.report.quarter import Quarter
from interscambio.report.tables import Row, Section, Table

OPERATOR = "operatore:"


def renewals(quarter: Quarter, applicable: bool) -> Section:
    title = "Rinnovi registrati senza che il cittadino torni allo sportello"
    if not applicable:
        return Section("rinnovi", title, False)
    automatic = by_operator = avoided = 0
    events = RegistryEvent.objects.filter(
        reason_code=RENEWAL_REASON,
        changes__fonte__regola__isnull=False,
        date__gte=quarter.first_day,
        date__lte=quarter.last_day,
    ).values_list("date", "changes")
    for day, changes in events:
        rule = str(changes["fonte"]["regola"])
        if rule.startswith(OPERATOR):
            by_operator += 1
        else:
            automatic += 1
        expiry = (changes.get("prima") or {}).get("title_expiry_date")
        avoided += bool(expiry) and str(expiry) < day.isoformat()
    table = Table(
        "rinnovi",
        "Rinnovi registrati",
        ("Rinnovi",),
        (
            Row("automatici", "dalla riconciliazione", (automatic,)),
            Row("operatore", "da un operatore (coda di lavoro)", (by_operator,)),
        ),
        column_totals=True,
    )
    avoided_table = Table(
        "cancellazioni_evitate",
        "Cancellazioni evitate",
        ("Residenti",),
        (Row("evitate", "rinnovo registrato con il permesso precedente già scaduto", (avoided,)),),
    )
    return Section("rinnovi", title, True, (table, avoided_table))


def notices(quarter: Quarter, applicable: bool) -> Section:
    title = "Avvisi ai residenti"
    if not applicable:
        return Section("avvisi", title, False)
    sent = Notice.objects.filter(sent_on__gte=quarter.first_day, sent_on__lte=quarter.last_day)
    by_kind = {k: sent.filter(kind=k).count() for k, _ in Notice.KINDS}
    labels = dict(Notice.KINDS)
    kinds_table = Table(
        "avvisi",
        "Avvisi inviati per tipo",
        ("Avvisi",),
        tuple(Row(k, str(labels[k]), (n,)) for k, n in by_kind.items()),
        column_totals=True,
    )
    languages: dict[str, int] = {}
    for language in sent.values_list("language", flat=True):
        languages[language] = languages.get(language, 0) + 1
    language_table = Table(
        "avvisi_lingue",
        "Avvisi inviati per lingua",
        ("Avvisi",),
        tuple(Row(code, code, (n,)) for code, n in sorted(languages.items())),
    )
    batches = NoticeBatch.objects.filter(
        sent_on__gte=quarter.first_day, sent_on__lte=quarter.last_day
    ).count()
    batch_table = Table(
        "lotti", "Lotti di stampa", ("Lotti",), (Row("lotti", "lotti", (batches,)),)
    )
    return Section("avvisi", title, True, (kinds_table, language_table, batch_table))
