# SPDX-License-Identifier: EUPL-1.2
"""The exchange at a glance: alerts, each partner's calendar, the outbox and inbox, the last
receipts; what `interscambio flow status` prints, for the people who watch the agreement run.
Flows carry no personal data here: periods, numbers, states and counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from interscambio.exchange import status
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import (
    ACKNOWLEDGED,
    APPLIED,
    HELD,
    IN,
    OUT,
    QUEUED,
    RECEIVED,
    REFUSED,
    REJECTED,
    SENT,
)
from interscambio.portal.acting import requires
from interscambio.portal.views.supervise import SUPERVISING

PERIODS_SHOWN: Final = 12  # per partner and direction: half a year of fortnights
# The flow states as the exchange app names them, repeated here so that the portal's catalog
# carries their English too (gettext finds a text in any app's catalog).
LABELS: Final = {
    QUEUED: _("in coda"),
    SENT: _("inviato"),
    ACKNOWLEDGED: _("ricevuta positiva"),
    REJECTED: _("ricevuta negativa"),
    RECEIVED: _("ricevuto"),
    HELD: _("sospeso"),
    APPLIED: _("applicato"),
    REFUSED: _("rifiutato"),
    status.MISSING: _("da esportare"),
    status.DUE: _("atteso"),
    status.LATE: _("in ritardo"),
}


@dataclass(frozen=True)
class Row:
    entry: status.Entry
    label: str  # the state, in the reader's language


@dataclass(frozen=True)
class Calendar:
    partner: Partner
    rows: list[Row]


def _recent(entries: list[status.Entry]) -> list[Row]:
    """The latest periods first, outgoing then incoming."""
    shown: list[Row] = []
    for direction in (OUT, IN):
        mine = [e for e in entries if e.direction == direction]
        shown += [Row(e, str(LABELS.get(e.state, e.state))) for e in mine[-PERIODS_SHOWN:][::-1]]
    return shown


@requires(*SUPERVISING)
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    calendars = [
        Calendar(p, _recent(status.entries(p, today))) for p in Partner.objects.order_by("node_id")
    ]
    late = [r.entry for c in calendars for r in c.rows if r.entry.state == status.LATE]
    flows = Flow.objects.select_related("partner")
    in_order = ("partner__node_id", "sequence")
    context: dict[str, Any] = {
        "calendars": calendars,
        "late": late,
        "refused": flows.filter(state__in=[REJECTED, REFUSED]).order_by("-updated")[:20],
        "held": flows.filter(state=HELD).order_by(*in_order),
        "outbox": flows.filter(direction=OUT, state=QUEUED).order_by(*in_order),
        "inbox": flows.filter(direction=IN, state=RECEIVED).order_by(*in_order),
        "receipts": flows.exclude(receipt="").order_by("-closed", "-updated")[:10],
        "today": today,
    }
    return render(request, "portal/exchange.html", context)
