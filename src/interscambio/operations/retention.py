# SPDX-License-Identifier: EUPL-1.2
"""What a node keeps and for how long (docs/operations.md, "Retention").

- A flow's file (every person's name, code and address in it) once the flow is closed for
  `RETAIN_FLOW_FILES_DAYS`: the records it brought are in the database, and its row keeps the
  hash, the signature and the receipt, which prove what was exchanged.
- A flow's receipt (counts and line numbers, no personal data) for `RETAIN_RECEIPTS_DAYS`.
- A discrepancy resolved for `RETAIN_RESOLVED_DISCREPANCIES_DAYS`, with its history: the
  condition is gone from the data. An archived (dismissed) one is kept: it is the operator's
  decision that stops the same finding from being opened again.

- An access log entry for `RETAIN_AUDIT_DAYS` (0: for ever), counted in whole local days: the
  log's oldest entries are pruned behind a signed checkpoint (audit.log.prune), so that the
  log still verifies from it. A log that does not verify is not pruned: the purge says why.

A purge never touches a flow that is not closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interscambio.audit import log
from interscambio.core.trust import TrustError
from interscambio.exchange.models import Flow
from interscambio.exchange.models.flows import ACKNOWLEDGED, APPLIED, REFUSED, REJECTED
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy

CLOSED_STATES = (ACKNOWLEDGED, REJECTED, APPLIED, REFUSED)


@dataclass
class Purged:
    flow_files: int = 0
    bytes_freed: int = 0
    receipts: int = 0
    discrepancies: int = 0
    audit_entries: int = 0
    audit_error: str = ""


def _before(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)


def start_of(day: date) -> datetime:
    """The first moment of a local day (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_cut_off(now: datetime) -> datetime | None:
    """Access log entries before this moment are past their retention; None: keep them all."""
    if settings.RETAIN_AUDIT_DAYS <= 0:
        return None
    return start_of(timezone.localdate(now) - timedelta(days=settings.RETAIN_AUDIT_DAYS))


def purge(now: datetime | None = None, *, dry_run: bool = False) -> Purged:
    """Delete what is older than its retention; with `dry_run`, only count it."""
    moment = now or timezone.now()
    done = Purged()
    old_files = Flow.objects.filter(
        state__in=CLOSED_STATES,
        closed__lt=_before(settings.RETAIN_FLOW_FILES_DAYS, moment),
        payload_purged__isnull=True,
    )
    for flow in old_files.iterator():
        path = flow.path
        done.flow_files += 1
        done.bytes_freed += path.stat().st_size if path.is_file() else 0
        if dry_run:
            continue
        # The row first: a file left behind by a crash is found again; a row naming a deleted
        # file as still there would not be.
        Flow.objects.filter(pk=flow.pk).update(payload_purged=moment)
        path.unlink(missing_ok=True)
    old_receipts = Flow.objects.filter(
        state__in=CLOSED_STATES, closed__lt=_before(settings.RETAIN_RECEIPTS_DAYS, moment)
    ).exclude(receipt="")
    resolved = Discrepancy.objects.filter(
        status=kinds.RESOLVED,
        closed__lt=_before(settings.RETAIN_RESOLVED_DISCREPANCIES_DAYS, moment),
    )
    done.receipts, done.discrepancies = old_receipts.count(), resolved.count()
    if not dry_run:
        with transaction.atomic():
            old_receipts.update(receipt="", receipt_signature="")
            resolved.delete()
    cut_off = audit_cut_off(moment)
    if cut_off is not None:
        try:
            pruned = log.prune(cut_off, dry_run=dry_run, now=moment)
        except (log.PruneError, TrustError) as error:
            done.audit_error = str(error)
        else:
            done.audit_entries = 0 if pruned is None else pruned.entries
    return done
