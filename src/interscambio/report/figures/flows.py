# SPDX-License-Identifier: EUPL-1.2
"""Flows sent and received for the periods that ended in the quarter: on time, late, missing.

The exchange calendar decides (core/flows/calendar.py, as `flow status` and the exchange page):
a period's flow is due once the period has ended and late from `late_after` (the grace days of
settings.EXCHANGE_GRACE_DAYS after its end). The flow of a period that counts is its latest (a
refused one may have been sent again). A flow sent (outgoing: the day it left; incoming: the
day it arrived) before `late_after` is on time, on that day or after late; a period without a
flow is missing. Records and rejected records are the flows' own and their receipts'.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from interscambio.core.flows.calendar import ended_periods, late_after
from interscambio.exchange.export import outgoing_type
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import IN, OUT, REFUSED, REJECTED
from interscambio.exchange.status import incoming_type
from interscambio.report.quarter import Quarter
from interscambio.report.tables import Row, Section, Table

COLUMNS = ("Periodi", "In orario", "In ritardo", "Mancanti", "Record", "Record scartati",
           "Flussi respinti")  # fmt: skip
LABELS = {OUT: "inviati", IN: "ricevuti"}


def _when(flow: Flow) -> date | None:
    moment = flow.sent if flow.direction == OUT else flow.created
    return timezone.localdate(moment) if moment is not None else None


def _rejected(flow: Flow) -> int:
    """Rejected records as the receipt counts them (none without a receipt)."""
    if not flow.receipt:
        return 0
    value = json.loads(flow.receipt).get("numeroRifiutati", 0)
    return value if isinstance(value, int) else 0


def _row(direction: str, flow_type: str, quarter: Quarter) -> Row:
    grace = settings.EXCHANGE_GRACE_DAYS[flow_type]
    periods = on_time = late = missing = records = rejected = refused = 0
    for partner in Partner.objects.order_by("node_id"):
        flows = list(Flow.objects.filter(direction=direction, partner=partner, flow_type=flow_type))
        since = max(partner.since, quarter.first_day)
        for period in ended_periods(flow_type, since, quarter.last_day + timedelta(days=1)):
            if not quarter.holds(period.end):
                continue
            periods += 1
            matching = [
                f for f in flows if (f.period_start, f.period_end) == (period.start, period.end)
            ]
            flow = max(matching, key=lambda f: f.created) if matching else None
            day = _when(flow) if flow is not None else None
            if flow is None or day is None:
                missing += 1
                continue
            if day < late_after(flow_type, period, grace):
                on_time += 1
            else:
                late += 1
            records += flow.record_count
            rejected += _rejected(flow)
            refused += flow.state in (REJECTED, REFUSED)
    return Row(
        f"{direction}-{flow_type}",
        f"{flow_type} {LABELS[direction]}",
        (periods, on_time, late, missing, records, rejected, refused),
    )


def section(quarter: Quarter) -> Section:
    rows = (_row(OUT, outgoing_type(), quarter), _row(IN, incoming_type(), quarter))
    table = Table("flussi", "Flussi del trimestre", COLUMNS, rows, column_totals=False)
    return Section(
        "flussi",
        "Flussi inviati e ricevuti",
        True,
        (table,),
        "Periodi conclusi nel trimestre; in ritardo: inviato o arrivato dal giorno dopo la "
        "tolleranza (docs/exchange.md).",
    )
