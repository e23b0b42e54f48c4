# SPDX-License-Identifier: EUPL-1.2
"""The exchange at a glance: alerts, each partner's calendar, the outbox and inbox, the last
receipts; what `interscambio flow status` prints, for the people who watch the agreement run.
Flows carry no personal data here: periods, numbers, states and counts. The calendar, the
outbox and the inbox come as CSV or XLSX too (`?elenco=calendario|uscita|entrata&formato=`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from interscambio.access import roles
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
from interscambio.portal import tables
from interscambio.portal.acting import forbidden, requires

# Who watches the exchange: on a Comune's node its registry administrator, on the Questura's
# (with a calendar per Comune of the province) the immigration office's own staff; the
# Prefettura's supervisor on either.
ROLES_OF_NODE: Final = {
    "comune": frozenset({roles.PREFETTURA_SUPERVISOR, roles.REGISTRY_ADMIN}),
    "questura": frozenset({roles.PREFETTURA_SUPERVISOR, roles.QUESTURA_OPERATOR}),
}
WATCHING: Final = sorted(set().union(*ROLES_OF_NODE.values()))
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


def _calendars(today: Any) -> list[Calendar]:
    partners = Partner.objects.order_by("node_id")
    return [Calendar(p, _recent(status.entries(p, today))) for p in partners]


_IN_ORDER: Final = ("partner__node_id", "sequence")


def _outbox() -> QuerySet[Flow]:
    return Flow.objects.select_related("partner").filter(direction=OUT, state=QUEUED)


def _inbox() -> QuerySet[Flow]:
    return Flow.objects.select_related("partner").filter(direction=IN, state=RECEIVED)


def _calendar_table() -> tables.Table:
    headers = [_("Partner"), _("Verso"), _("Tipo"), _("Periodo"), _("Numero"), _("Stato"),
               _("Record"), _("Tentativi")]  # fmt: skip
    ways = {OUT: str(_("in uscita")), IN: str(_("in entrata"))}
    rows = [
        (c.partner.node_id, ways.get(r.entry.direction, r.entry.direction), r.entry.flow_type,
         r.entry.period, r.entry.sequence, r.label, r.entry.records, r.entry.attempts)
        for c in _calendars(timezone.localdate())
        for r in c.rows
    ]  # fmt: skip
    return tables.Table("calendario-flussi", [str(h) for h in headers], rows)


def _outbox_table() -> tables.Table:
    headers = [_("Flusso"), _("Tentativi"), _("Prossimo tentativo"), _("Ultimo errore")]
    rows = [
        (str(f), f.attempts, f.next_attempt, f.last_error) for f in _outbox().order_by(*_IN_ORDER)
    ]
    return tables.Table("flussi-in-uscita", [str(h) for h in headers], rows)


def _inbox_table() -> tables.Table:
    headers = [_("Flusso"), _("Ricevuto il")]
    rows = [(str(f), f.created) for f in _inbox().order_by(*_IN_ORDER)]
    return tables.Table("flussi-in-entrata", [str(h) for h in headers], rows)


LISTS: Final[dict[str, Callable[[], tables.Table]]] = {
    "calendario": _calendar_table,
    "uscita": _outbox_table,
    "entrata": _inbox_table,
}


def watches(held: set[str]) -> bool:
    """Whether one of these roles sees this node's exchange page (for the menu)."""
    return bool(held & ROLES_OF_NODE.get(settings.NODE_ROLE, frozenset()))


@requires(*WATCHING)
def overview(request: HttpRequest) -> HttpResponse:
    if not watches({request.acting.role}):  # type: ignore[attr-defined]
        return forbidden(request, _("Lo scambio di questo nodo è seguito dal suo ufficio."))
    kind = tables.wanted(request)
    if kind is not None:
        name = request.GET.get("elenco", "")
        if name not in LISTS:
            text = _("Elenco «%(name)s» sconosciuto: si può scegliere tra %(known)s.")
            known = ", ".join(LISTS)
            return HttpResponseBadRequest(
                str(text) % {"name": name, "known": known}, content_type="text/plain; charset=utf-8"
            )
        return tables.download(request, LISTS[name], kind, {"elenco": name})
    today = timezone.localdate()
    calendars = _calendars(today)
    late = [r.entry for c in calendars for r in c.rows if r.entry.state == status.LATE]
    flows = Flow.objects.select_related("partner")
    context: dict[str, Any] = {
        "calendars": calendars,
        "late": late,
        "refused": flows.filter(state__in=[REJECTED, REFUSED]).order_by("-updated")[:20],
        "held": flows.filter(state=HELD).order_by(*_IN_ORDER),
        "outbox": _outbox().order_by(*_IN_ORDER),
        "inbox": _inbox().order_by(*_IN_ORDER),
        "receipts": flows.exclude(receipt="").order_by("-closed", "-updated")[:10],
        "today": today,
        "downloads": [
            ("calendario", _("il calendario")),
            ("uscita", _("i flussi in uscita")),
            ("entrata", _("i flussi in entrata")),
        ],
    }
    return render(request, "portal/exchange.html", context)
