# SPDX-License-Identifier: EUPL-1.2
"""Running a reconciliation: after an applied flow, or on demand, on either node.

The run is recorded before it starts and closed with its counts and times, or with the
error that stopped it; the work itself is one transaction (see comune/run.py and
questura/run.py), so a failed run changes nothing but its own record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from interscambio.exchange.models import Flow
from interscambio.reconciliation.models import Run
from interscambio.reconciliation.store import Stored

log = logging.getLogger(__name__)

PARTNER_FLOW = {"comune": "permessi", "questura": "anagrafe"}
# An arbitrary constant naming this lock among PostgreSQL advisory locks.
RUN_LOCK = 0x2EC0C1


class ReconciliationError(Exception):
    """A reconciliation cannot run as asked; the message says why."""


@dataclass(frozen=True)
class Report:
    run: Run
    stored: Stored

    @property
    def counts(self) -> dict[str, Any]:
        return dict(self.run.counts)


def _quiet(_: str) -> None:
    return None


@contextmanager
def _one_run_at_a_time() -> Iterator[None]:
    """Runs queue on a PostgreSQL advisory lock: a run reads the stored discrepancies before
    it writes its own, so two at once (two flows applied together) would open the same one
    twice and the second would fail. SQLite has one writer at a time anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])


def reconcile(
    flow: Flow | None = None,
    *,
    today: date | None = None,
    say: Callable[[str], None] = _quiet,
) -> Report:
    """Reconcile the records of `flow` (of every applied flow if None) as of `today`."""
    role = settings.NODE_ROLE
    if flow is not None and (flow.direction != "in" or flow.flow_type != PARTNER_FLOW[role]):
        raise ReconciliationError(
            f"flow {flow.pk} is not a {PARTNER_FLOW[role]} flow received by this {role} node"
        )
    if flow is not None and flow.state != "applied":
        raise ReconciliationError(f"flow {flow.pk} is {flow.state}: only applied flows reconcile")
    today = today or timezone.localdate()
    run = Run.objects.create(
        trigger=Run.AFTER_FLOW if flow is not None else Run.ON_DEMAND,
        flow=flow,
        reference_date=today,
    )
    try:
        if role == "comune":
            from interscambio.reconciliation.comune.run import reconcile_comune as work
        else:
            from interscambio.reconciliation.questura.run import reconcile_questura as work
        with _one_run_at_a_time():
            counts, seconds, stored = work(run, flow, today, say)
    except Exception as error:
        run.error = f"{type(error).__name__}: {error}"
        run.finished = timezone.now()
        run.save(update_fields=["error", "finished"])
        raise
    counts["discrepancies_opened"] = stored.opened
    counts["discrepancies_updated"] = stored.updated
    counts["discrepancies_unchanged"] = stored.unchanged
    counts["discrepancies_closed"] = stored.closed
    counts["findings_acted_on"] = stored.acted
    counts["findings_by_kind"] = stored.by_kind
    run.counts, run.seconds, run.finished = counts, seconds, timezone.now()
    run.save(update_fields=["counts", "seconds", "finished"])
    return Report(run, stored)


def after_flow(sender: object, flow: Flow, **_: Any) -> None:
    """The receiver of exchange.signals.flow_applied: reconcile the flow just applied."""
    if not settings.RECONCILE_AFTER_FLOW or flow.flow_type != PARTNER_FLOW[settings.NODE_ROLE]:
        return
    try:
        reconcile(flow)
    except Exception:
        # The flow stays applied and receipted; the failed run is recorded and can be redone
        # with `interscambio reconcile --flow N`.
        log.exception("reconciliation of flow %s failed", flow.pk)
