# SPDX-License-Identifier: EUPL-1.2
"""The supervisor's pages: the access log filtered, the anomaly reports, the inspection export.

Reading the log is itself logged: the log names the staff who worked, and whoever reads it
leaves a trace too.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from interscambio.access import roles
from interscambio.audit import actions, log
from interscambio.audit import anomalies as found
from interscambio.audit.models import LogEntry, SignedTreeHead
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


@requires(*SUPERVISING)
def entries(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(_filtered(data), PAGE).get_page(request.GET.get("pagina"))
    shown = {k: str(v) for k, v in data.items() if v}
    with transaction.atomic():
        _note(request, actions.LOG_READ, {"filtri": shown, "pagina": page.number})
    heads = SignedTreeHead.objects.order_by("-signed_at")[:1]
    context = {"form": form, "page": page, "head": heads[0] if heads else None}
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


@requires(*SUPERVISING)
def anomalies(request: HttpRequest) -> HttpResponse:
    """The anomaly reports of the last days (`?giorni=N`); `?formato=csv` for an inspection."""
    try:
        days = max(1, min(int(request.GET.get("giorni") or 30), 366))
    except ValueError:
        days = 30
    end = timezone.now()
    report = found.report(end - timedelta(days=days), end)
    as_csv = request.GET.get("formato") == "csv"
    with transaction.atomic():
        _note(request, actions.EXPORT if as_csv else actions.LOG_READ, {"anomalie_giorni": days})
    if not as_csv:
        return render(request, "portal/anomalies.html", {"report": report, "days": days})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="anomalie-{days}-giorni.csv"'
    writer = csv.DictWriter(response, fieldnames=found.COLUMNS)
    writer.writeheader()
    writer.writerows(found.rows(report))
    return response
