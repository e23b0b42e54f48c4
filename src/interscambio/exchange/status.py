# SPDX-License-Identifier: EUPL-1.2
"""The exchange calendar per partner: each period's flow out and flow in, and what became of it.

An outgoing period is `missing` until its flow is exported; an incoming one is `due` until the
partner's flow arrives, and `late` once the grace days after the period's end have passed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.conf import settings

from interscambio.core.flows import Period
from interscambio.core.flows.calendar import ended_periods, late_after
from interscambio.exchange.export import outgoing_type
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import IN, OUT

MISSING, DUE, LATE = "missing", "due", "late"


@dataclass(frozen=True)
class Entry:
    partner: str
    direction: str
    flow_type: str
    period: str
    sequence: int | None
    state: str
    records: int | None
    attempts: int
    detail: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def incoming_type() -> str:
    return "permessi" if outgoing_type() == "anagrafe" else "anagrafe"


def _label(period: Period) -> str:
    return f"{period.start} – {period.end}"


def _latest(flows: list[Flow], period: Period) -> Flow | None:
    """The flow of the period that counts: the last one (a refused one may have been resent)."""
    matching = [f for f in flows if (f.period_start, f.period_end) == (period.start, period.end)]
    return max(matching, key=lambda f: f.created) if matching else None


def _detail(flow: Flow) -> str:
    if flow.last_error:
        return flow.last_error
    if flow.receipt:
        return "receipt on file"
    return ""


def entries(partner: Partner, today: date) -> list[Entry]:
    rows = []
    for direction, flow_type in ((OUT, outgoing_type()), (IN, incoming_type())):
        flows = list(Flow.objects.filter(direction=direction, partner=partner, flow_type=flow_type))
        for period in ended_periods(flow_type, partner.since, today):
            flow = _latest(flows, period)
            if flow is not None:
                rows.append(
                    Entry(
                        partner.node_id,
                        direction,
                        flow_type,
                        _label(period),
                        flow.sequence,
                        flow.state,
                        flow.record_count,
                        flow.attempts,
                        _detail(flow),
                    )
                )
                continue
            if direction == OUT:
                state, detail = MISSING, "not exported yet"
            else:
                grace = settings.EXCHANGE_GRACE_DAYS[flow_type]
                deadline = late_after(flow_type, period, grace)
                state = LATE if today >= deadline else DUE
                detail = f"late from {deadline}"
            rows.append(
                Entry(
                    partner.node_id,
                    direction,
                    flow_type,
                    _label(period),
                    None,
                    state,
                    None,
                    0,
                    detail,
                )
            )
    return rows


def late(partner: Partner, today: date) -> list[Entry]:
    return [e for e in entries(partner, today) if e.state == LATE]
