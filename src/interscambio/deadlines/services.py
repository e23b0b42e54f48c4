# SPDX-License-Identifier: EUPL-1.2
"""The daily job: everyone's deadlines recomputed, state changes recorded, the queue fed.

One transaction: a run that fails leaves the records, the history and the queue as they were.
Idempotent: a second run on the same date finds every record as computed and changes nothing
but adding its own `Run` row (the job's log, which `--if-due` reads). Set-based: the facts are
read with a few queries, only the records that changed are rewritten (deleted and inserted
again: a `Deadline` is derived, its history is in `Transition`), inserts go by COPY on
PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from interscambio.core import deadlines as rules
from interscambio.deadlines import queue
from interscambio.deadlines.facts import Subject, configured_rules, subjects
from interscambio.deadlines.models import Deadline, Run, Transition
from interscambio.exchange.bulk import bulk_insert
from interscambio.reconciliation.store import CHUNK

DATE_FIELDS = (
    "expiry",
    "declaration_due",
    "notice_from",
    "notice_due_by",
    "cancellation_due",
    "noticed_on",
    "cancellable_from",
)
STORED = ("state", "reason", *DATE_FIELDS, "due_date")
ROW = ("resident_id", "state", "since", "reason", *DATE_FIELDS, "due_date", "run_id")


@dataclass
class Report:
    run: Run
    by_state: dict[str, int] = field(default_factory=dict)
    transitions: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    queue: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run.pk,
            "reference_date": self.run.reference_date.isoformat(),
            "by_state": self.by_state,
            "transitions": self.transitions,
            "records_changed": self.changed,
            "queue": self.queue,
            "seconds": self.run.seconds,
        }


def _stored(deadlines: rules.Deadlines) -> tuple[Any, ...]:
    return (
        deadlines.state,
        deadlines.reason[:120],
        *deadlines.dates().values(),
        deadlines.due_date,
    )


def evaluated(today: date) -> list[tuple[Subject, rules.Deadlines]]:
    """Everyone's deadlines on `today`, from the facts as the database holds them now."""
    configured = configured_rules()
    return [(s, rules.evaluate(s.facts, today, configured)) for s in subjects()]


def is_due(today: date) -> bool:
    """Whether no run has been made for `today` yet (`deadlines run --if-due`)."""
    return not Run.objects.filter(reference_date=today).exists()


# Any number, the same in every process: runs on PostgreSQL queue on this advisory lock.
RUN_LOCK: Final = 0xDEAD_11E5


def run(today: date | None = None, *, if_due: bool = False) -> Report | None:
    """Recompute everyone's deadlines as of `today`; record the state changes; feed the queue.
    With `if_due`, None when a run for `today` exists already. Runs take turns (an advisory
    lock on PostgreSQL; SQLite's writers wait for each other), and whether one is due is
    decided after the turn comes: the scheduler's run and one by hand never both record the
    same transitions."""
    today = today or timezone.localdate()
    clock = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])
        if if_due and not is_due(today):
            return None
        job = Run.objects.create(reference_date=today)
        report = Report(job)
        everyone = evaluated(today)
        before = {
            row[0]: row[1:]
            for row in Deadline.objects.values_list("resident_id", "since", *STORED).iterator(
                10_000
            )
        }
        rows: list[tuple[Any, ...]] = []
        moves: list[tuple[Any, ...]] = []
        states: Counter[str] = Counter()
        changes: Counter[str] = Counter()
        for subject, deadlines in everyone:
            states[deadlines.state] += 1
            now = _stored(deadlines)
            held = before.pop(subject.pk, None)
            if held is not None and tuple(held[1:]) == now:
                continue
            old_state = held[1] if held is not None else ""
            since = held[0] if held is not None and old_state == deadlines.state else today
            rows.append((subject.pk, now[0], since, *now[1:], job.pk))
            if old_state != deadlines.state:
                changes[f"{old_state or '-'} -> {deadlines.state}"] += 1
                moves.append(_move(subject, deadlines, old_state, today, job))
        _rewrite(rows, gone=list(before))
        with bulk_insert(
            Transition,
            ("registry_id", "run_id", "date", "from_state", "to_state", "reason", "dates"),
        ) as put:
            for move in moves:
                put(move)
        report.queue = queue.feed(everyone, today)
        report.by_state = {s: states[s] for s in rules.STATES if states[s]}
        report.transitions = dict(sorted(changes.items()))
        report.changed = len(rows)
        job.counts = {
            "by_state": report.by_state,
            "transitions": report.transitions,
            "records_changed": report.changed,
            "queue": report.queue,
        }
        job.seconds = round(time.perf_counter() - clock, 3)
        job.save(update_fields=["counts", "seconds"])
    return report


def _move(
    subject: Subject, deadlines: rules.Deadlines, old: str, today: date, job: Run
) -> tuple[Any, ...]:
    dates = {k: v.isoformat() for k, v in deadlines.dates().items() if v is not None}
    return (
        subject.registry_id,
        job.pk,
        today,
        old,
        deadlines.state,
        deadlines.reason[:120],
        json.dumps(dates),
    )


def _rewrite(rows: list[tuple[Any, ...]], gone: list[int]) -> None:
    """Replace the changed records; drop those of registry rows no longer there."""
    stale = [row[0] for row in rows] + gone
    for start in range(0, len(stale), CHUNK):
        Deadline.objects.filter(resident_id__in=stale[start : start + CHUNK]).delete()
    with bulk_insert(Deadline, ROW) as put:
        for row in rows:
            put(row)
