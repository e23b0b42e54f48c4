# SPDX-License-Identifier: EUPL-1.2
"""The supervisor's pages: the access log filtered, the anomaly reports, the inspection export.
The log and the anomalies come as CSV or XLSX too (`?formato=`, portal/tables.py).

Reading the log is itself logged: the log names the staff who worked, and whoever reads it
leaves a trace too.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from interscambio.access import roles
from interscambio.audit import actions, log
from interscambio.audit import anomalies as found
from interscambio.audit.models import LogEntry, SignedTreeHead
from interscambio.portal import tables
from interscambio.portal.acting import requires
from interscambio.portal.forms import LogFilterForm

SUPERVISING = (roles.PREFETTURA_SUPERVISOR, roles.REGISTRY_ADMIN)
PAGE = 50


def _note(request: HttpRequest, action: str, query: dict[str, Any]) -> None:
    acting = request.acting  # type: ignore[attr-defined]
    log.append(
        action,
        user=request.user.get_username(),
        office=acting.office.name,
        role=acting.role,
        query=query,
    )


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(data: dict[str, Any]) -> QuerySet[LogEntry]:
    entries = LogEntry.objects.all()
    if data.get("dal"):
        entries = entries.filter(at__gte=_day_start(data["dal"]))
    if data.get("al"):
        entries = entries.filter(at__lt=_day_start(data["al"] + timedelta(days=1)))
    for field, column in (("utente", "user"), ("ufficio", "office"), ("finalita", "purpose")):
        if data.get(field):
            entries = entries.filter(**{f"{column}__icontains": data[field]})
    if data.get("azione"):
        entries = entries.filter(action=data["azione"])
    if data.get("record"):
        # The record text is canonical JSON; the id appears quoted in its records list.
        entries = entries.filter(record__contains=f'"{actions.person(data["record"])}"')
    return entries.order_by("-index")


def _log_table(entries: QuerySet[LogEntry]) -> tables.Table:
    """The log's list as the page shows it, every page of it."""
    headers = [_("N."), _("Quando"), _("Utente"), _("Ufficio"), _("Ruolo"), _("Azione"),
               _("Finalità"), _("Pratica"), _("Richiesta"), _("Schede")]  # fmt: skip
    rows = []
    for e in tables.capped(entries):
        recorded = e.entry
        query = " ".join(f"{k}={v}" for k, v in recorded.get("query", {}).items())
        rows.append((e.index, e.at, e.user, e.office, e.role, e.action, e.purpose,
                     e.case_reference, query, " ".join(recorded.get("records", []))))  # fmt: skip
    # Not a list of people: the ids in it are what others read, not what the supervisor did.
    return tables.Table("registro-accessi", headers, rows)


@requires(*SUPERVISING)
def entries(request: HttpRequest) -> HttpResponse:
    """The log, newest first; `?formato=csv|xlsx` gives every entry the filters select."""
    form = LogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    shown = {k: str(v) for k, v in data.items() if v}
    kind = tables.wanted(request)
    if kind is not None:
        if form.is_bound and not form.is_valid():
            # The page shows the error beside the field; a file would hold the whole log.
            wrong = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
            return HttpResponseBadRequest(wrong, content_type="text/plain; charset=utf-8")
        return tables.download(request, lambda: _log_table(_filtered(data)), kind, shown)
    page = Paginator(_filtered(data), PAGE).get_page(request.GET.get("pagina"))
    with transaction.atomic():
        _note(request, actions.LOG_READ, {"filtri": shown, "pagina": page.number})
    heads = SignedTreeHead.objects.order_by("-signed_at")[:1]
    kept = tables.filters_of(request)
    context = {
        "form": form,
        "page": page,
        "head": heads[0] if heads else None,
        "filters": kept + "&" if kept else "",  # the download links keep them
    }
    return render(request, "portal/log.html", context)


@requires(*SUPERVISING)
def export(request: HttpRequest) -> HttpResponse:
    """The files of the offline check (docs/audit-log.md), zipped, for an inspection."""
    with transaction.atomic():
        _note(request, actions.EXPORT, {"registro": "completo"})
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        log.export(Path(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="registro-accessi-{stamp}.zip"'
    return response


def _anomalies_table(days: int) -> tables.Table:
    end = timezone.now()
    rows = found.rows(found.report(end - timedelta(days=days), end))
    typed = [
        {
            **r,
            "giorno": date.fromisoformat(r["giorno"]) if r["giorno"] else None,
            "letture": int(r["letture"]),
        }
        for r in rows
    ]
    return tables.Table("anomalie", found.COLUMNS, [[r[c] for c in found.COLUMNS] for r in typed])


@requires(*SUPERVISING)
def anomalies(request: HttpRequest) -> HttpResponse:
    """The anomaly reports of the last days (`?giorni=N`); `?formato=csv|xlsx` for an
    inspection."""
    try:
        days = max(1, min(int(request.GET.get("giorni") or 30), 366))
    except ValueError:
        days = 30
    kind = tables.wanted(request)
    if kind is not None:
        return tables.download(request, lambda: _anomalies_table(days), kind, {"giorni": days})
    end = timezone.now()
    report = found.report(end - timedelta(days=days), end)
    with transaction.atomic():
        _note(request, actions.LOG_READ, {"anomalie_giorni": days})
    return render(request, "portal/anomalies.html", {"report": report, "days": days})
