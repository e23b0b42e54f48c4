# SPDX-License-Identifier: EUPL-1.2
"""The report's page in the portal, for the Prefettura's supervisor and the registry's
administrator (as the access log): `?trimestre=2026Q1` (default: the last quarter ended),
`?formato=pdf|json` to download. Each view or download is in the access log."""

from __future__ import annotations

import base64
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from interscambio.portal.acting import requires
from interscambio.portal.views.supervise import SUPERVISING
from interscambio.report import quarter
from interscambio.report.build import build, note
from interscambio.report.suppression import SMALL, THRESHOLD, WITHHELD, shown


def _note(request: HttpRequest, wanted: quarter.Quarter, how: str) -> None:
    acting = request.acting  # type: ignore[attr-defined]
    note(wanted, how, user=request.user.get_username(), office=acting.office.name,
         role=acting.role)  # fmt: skip


@requires(*SUPERVISING)
def page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    default = quarter.last_complete(today)
    text = request.GET.get("trimestre", "").strip()
    error = ""
    try:
        wanted = quarter.parse(text) if text else default
        if wanted.first_day > today:
            raise ValueError(f"quarter {wanted} has not begun yet")
    except ValueError as problem:
        wanted, error = default, str(problem)
    context = {"quarter": wanted, "error": error, "small": SMALL, "withheld": WITHHELD,
               "threshold": THRESHOLD}  # fmt: skip
    if error:
        return render(request, "report/quarter.html", context, status=400)
    # Here rather than at the top: the URL configuration imports this module, and every
    # command's system checks load it; matplotlib and fpdf would cost each ~0.5 s and 30 MB.
    from interscambio.report import pdf
    from interscambio.report.charts import charts

    figures = shown(build(wanted))
    kind = request.GET.get("formato", "")
    if kind == "pdf":
        content = pdf.write(figures)
        _note(request, wanted, "pdf")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="rapporto-{wanted}.pdf"'
        return response
    if kind == "json":
        _note(request, wanted, "json")
        response = HttpResponse(
            json.dumps(figures, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="rapporto-{wanted}.json"'
        return response
    pictures = {k: base64.b64encode(v).decode("ascii") for k, v in charts(figures).items()}
    sections = [{**s, "chart": pictures.get(str(s["key"]), "")} for s in figures["sections"]]  # type: ignore[union-attr]
    _note(request, wanted, "html")
    return render(request, "report/quarter.html", {**context, "report": figures,
                                                   "sections": sections})  # fmt: skip
