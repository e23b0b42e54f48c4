# SPDX-License-Identifier: EUPL-1.2
"""Search and person view: purpose and case reference first, then results, all logged.

A person page opens only for someone the reader's last search returned, under that search's
purpose and case reference (kept in the session): a registry id typed into the address bar
shows nothing, so every read has its reason in the log.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interscambio.consultation import reads
from interscambio.consultation.purposes import PurposeError, choices
from interscambio.consultation.search import QueryError, query
from interscambio.portal.acting import forbidden, requires
from interscambio.portal.forms import SearchForm
from interscambio.prefill import application, exports

CONSULTATION = "interscambio_consultation"
CONSULTING = tuple(sorted(reads.CONSULTING))


def _reader(request: HttpRequest) -> reads.Reader:
    acting = request.acting  # type: ignore[attr-defined]
    return reads.Reader(request.user.get_username(), acting.office.name, acting.role)


@requires(*CONSULTING)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        born = data["data_nascita"].isoformat() if data["data_nascita"] else ""
        try:
            q = query(data["codice_fiscale"], data["cognome"], data["nome"], born)
            found = reads.search(_reader(request), q, data["finalita"], data["riferimento_pratica"])
        except (QueryError, PurposeError) as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            request.session[CONSULTATION] = {
                "finalita": data["finalita"],
                "riferimento_pratica": data["riferimento_pratica"],
                "ids": [r["id_anagrafe"] for r in found.results],
            }
    return render(request, "portal/search.html", {"form": form, "found": found})


@requires(*CONSULTING)
def person(request: HttpRequest, registry_id: str) -> HttpResponse:
    consultation = request.session.get(CONSULTATION) or {}
    if registry_id not in consultation.get("ids", []):
        return forbidden(
            request,
            _(
                "Una scheda si apre dai risultati di una ricerca, con la sua finalità e il suo "
                "riferimento pratica."
            ),
        )
    try:
        shown = reads.view(
            _reader(request),
            registry_id,
            consultation["finalita"],
            consultation["riferimento_pratica"],
        )
    except reads.NotFound:
        return render(request, "portal/404.html", status=404)
    purposes = dict(choices())
    context = {
        "person": shown,
        "consultation": consultation,
        "purpose": purposes.get(consultation["finalita"], consultation["finalita"]),
        "prefill": _prefill_offer(request, shown),
    }
    return render(request, "portal/person.html", context)


REFUSALS = {
    application.NOT_FOUND: gettext_lazy("Nessun residente con questo id anagrafe."),
    application.NOT_RESIDENT: gettext_lazy(
        "La persona non è residente: l'anagrafe non precompila la sua domanda."
    ),
    application.EU_CITIZEN: gettext_lazy(
        "La persona è cittadina dell'Unione europea e non ha bisogno del permesso di soggiorno."
    ),
}


def _prefill_offer(request: HttpRequest, shown: dict[str, Any]) -> dict[str, Any] | None:
    """What the person page says about the pre-filled application: None for a role that
    does not export; the formats, or why there is none."""
    if request.acting.role not in exports.EXPORTING:  # type: ignore[attr-defined]
        return None
    reason = application.refusal(shown.get("stato", ""), shown.get("cittadinanze", []))
    return {"formats": sorted(exports.FORMATS), "refused": REFUSALS.get(reason, "")}


@requires(*sorted(exports.EXPORTING))
def prefill(request: HttpRequest, registry_id: str, kind: str) -> HttpResponse:
    """The person's pre-filled application, under the purpose and case reference of the
    search the person page was opened from, logged as an export."""
    consultation = request.session.get(CONSULTATION) or {}
    if registry_id not in consultation.get("ids", []):
        return forbidden(
            request,
            _(
                "Una domanda si precompila dalla scheda di una persona trovata con una "
                "ricerca, con la sua finalità e il suo riferimento pratica."
            ),
        )
    if kind not in exports.FORMATS:
        return render(request, "portal/404.html", status=404)
    try:
        done = exports.export(
            _reader(request),
            kind,
            consultation["finalita"],
            consultation["riferimento_pratica"],
            registry_id=registry_id,
        )
    except application.Refused as refused:
        reason = REFUSALS.get(refused.reason, str(refused))
        return render(request, "portal/prefill_refused.html", {"reason": reason}, status=409)
    response = HttpResponse(done.content, content_type=done.content_type)
    response["Content-Disposition"] = f'attachment; filename="{done.filename}"'
    return response
