# SPDX-License-Identifier: EUPL-1.2
"""One round of the exchange's routine, safe to start from cron every few minutes.

A round exports the periods that have ended, sends what is due, takes in what partners left
in the inboxes, finishes flows a stopped process left unapplied, and names the partners'
flows that are late. Two rounds never run at once: the second finds the lock taken and leaves.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone

from interscambio.exchange import importing, outbox, status
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.export import due_periods, export_flow
from interscambio.exchange.models import Partner

# An arbitrary constant naming this lock among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 0x1A7E5C


@dataclass
class Round:
    exported: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for title, items in (
            ("exported", self.exported),
            ("sent", self.sent),
            ("received", self.received),
            ("late", self.late),
            ("errors", self.errors),
        ):
            out += [f"{title}: {item}" for item in items]
        return out or ["nothing to do"]


class Busy(Exception):
    """Another round holds the lock."""


@contextmanager
def exclusive() -> Iterator[None]:
    """A file lock in the data folder, and on PostgreSQL an advisory lock (several hosts)."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with (settings.DATA_DIR / "schedule.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy from None
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise Busy
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def run_round(today: date | None = None) -> Round:
    today = today or timezone.localdate()
    result = Round()
    with exclusive():
        partners = list(Partner.objects.filter(active=True))
        for partner in partners:
            for period in due_periods(partner, today):
                try:
                    flow = export_flow(partner, period, today=today)
                except ExchangeError as error:
                    result.errors.append(f"{partner.node_id} {period.start}: {error}")
                    break
                result.exported.append(
                    f"{flow.flow_type} #{flow.sequence} for {partner.node_id}, "
                    f"{flow.period_label}, {flow.record_count} records"
                )
        for attempt in outbox.send_due():
            flow = attempt.flow
            line = f"{flow.flow_type} #{flow.sequence} to {flow.partner.node_id}: {attempt.message}"
            (result.sent if attempt.ok else result.errors).append(line)
        for delivery in importing.resume():
            result.received.append(f"resumed: {delivery.signed.receipt.summary()}")
        for partner in outbox.file_partners():
            for item in outbox.collect(partner):
                result.received.append(f"{partner.node_id} {item.name}: {item.message}")
        for partner in partners:
            for entry in status.late(partner, today):
                result.late.append(
                    f"{entry.flow_type} from {partner.node_id} for {entry.period} ({entry.detail})"
                )
    return result
