# SPDX-License-Identifier: EUPL-1.2
"""How the deadlines feed the operators' work queue.

The queue is the reconciliation's discrepancies. The periodic rule `permesso_scaduto` already
opens one for every resident whose permit expired with no renewal seen, due on the day the
6 months end (core.deadlines.cancellation_due, the same definition as here); the engine does
not open it again. It opens only what no rule finds:

- `dichiarazione_dimora_mancante`: a renewal the registry knows of with no habitual-dwelling
  declaration within 60 days (art. 7 c.3), which the exchange did not stand in for;
- `cancellazione_dovuta`: both terms of art. 11 are over (6 months since the expiry, 30 days
  since the notice) with no renewal known: the registrar's decision to cancel is due.

Each closes by itself ("non più riscontrata") when the person leaves that state. The dates of
everyone else reach the queue through `with_deadlines`, which the queue's list calls to sort
"whose deadline is nearest first".
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from interscambio.core import deadlines as rules
from interscambio.deadlines.models import Deadline
from interscambio.reconciliation import kinds
from interscambio.reconciliation.findings import Finding, key_of
from interscambio.reconciliation.models import Discrepancy, Run
from interscambio.reconciliation.store import store

if TYPE_CHECKING:
    from interscambio.deadlines.facts import Subject

KIND_OF_STATE = {
    rules.DECLARATION_MISSED: kinds.DWELLING_NOT_DECLARED,
    rules.CANCELLABLE: kinds.CANCELLATION_DUE,
}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _it(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else "?"


def _finding(subject: Subject, deadlines: rules.Deadlines) -> Finding:
    facts = subject.facts
    if deadlines.state == rules.DECLARATION_MISSED:
        summary = (
            f"Permesso {subject.title_number} rinnovato il {_it(facts.renewed)}: "
            f"dichiarazione di dimora abituale non resa entro il "
            f"{_it(deadlines.declaration_due)}"
        )
        rule = "dichiarazione_entro_60_giorni"
    else:
        summary = (
            f"Permesso {subject.title_number} scaduto il {_it(deadlines.expiry)}, avviso "
            f"del {_it(deadlines.noticed_on)} senza esito: cancellabile dal "
            f"{_it(deadlines.cancellable_from)}"
        )
        rule = "sei_mesi_e_avviso_trascorsi"
    return Finding(
        kind=KIND_OF_STATE[deadlines.state],
        subject=subject.registry_id,
        summary=summary,
        rule=rule,
        registry_id=subject.registry_id,
        permit_number=subject.title_number,
        evidence={
            "titolo": {
                "numero": subject.title_number,
                "dataRilascio": _day(facts.issued),
                "dataRinnovo": _day(facts.renewed),
                "dataScadenza": _day(facts.expiry),
                "rinnovoDalloScambio": facts.renewal_from_exchange,
            },
            "dichiarazioneDimora": _day(facts.dwelling_declared),
            "scadenze": {k: _day(v) for k, v in deadlines.dates().items()},
        },
        due_date=deadlines.due_date,
    )


def feed(everyone: list[tuple[Subject, rules.Deadlines]], today: date) -> dict[str, int]:
    """Open, update or close the engine's own discrepancies; a reconciliation run is recorded
    only when something changed, so a day with nothing new leaves no trace in the queue."""
    findings: list[Finding] = []
    cleared: list[str] = []
    for subject, deadlines in everyone:
        if deadlines.state in KIND_OF_STATE:
            findings.append(_finding(subject, deadlines))
        for state, kind in KIND_OF_STATE.items():
            if deadlines.state != state:
                cleared.append(key_of(kind, subject.registry_id))
    with transaction.atomic():
        run = Run.objects.create(trigger=Run.DEADLINES, reference_date=today)
        stored = store(run, findings, cleared)
        counts = {
            "opened": stored.opened,
            "updated": stored.updated,
            "closed": stored.closed,
            "unchanged": stored.unchanged,
        }
        if not (stored.opened or stored.updated or stored.closed or stored.acted):
            transaction.set_rollback(True)  # back to the savepoint: no empty run
        else:
            run.counts, run.finished = counts, timezone.now()
            run.save(update_fields=["counts", "finished"])
    return counts


def with_deadlines(discrepancies: QuerySet[Discrepancy]) -> QuerySet[Discrepancy]:
    """`discrepancies` with their person's deadline state and next due date
    (`deadline_state`, `deadline_due`), for the queue to sort on."""
    mine: Any = Deadline.objects.filter(resident__registry_id=OuterRef("registry_id"))
    return discrepancies.annotate(
        deadline_state=Subquery(mine.values("state")[:1]),
        deadline_due=Subquery(mine.values("due_date")[:1]),
    )
