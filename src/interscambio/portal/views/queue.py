# SPDX-License-Identifier: EUPL-1.2
"""The discrepancy work queue (docs/queue.md): the list, most urgent first, with its filters,
its CSV/XLSX export and a bulk action on what the filters select; one discrepancy with its
two records side by side, the linkage's reasons, its history and its actions.

The views only read and hand over: the actions, their checks, their history and their
access-log entries are reconciliation/queue's. Reading a page of the queue or a discrepancy
is itself logged (it shows personal data), under the queue's own purpose.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interscambio.access import roles
from interscambio.audit import actions as logged
from interscambio.audit import log
from interscambio.deadlines.models import STATE_LABELS
from interscambio.portal import tables
from interscambio.portal.acting import forbidden, requires
from interscambio.portal.queue_forms import ActionForm, QueueFilterForm
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, Link
from interscambio.reconciliation.queue import actions, listing, sides, steps

ROLES_OF_NODE: Final = {
    "comune": frozenset({roles.REGISTRY_ADMIN, roles.REGISTRY_OPERATOR}),
    "questura": frozenset({roles.QUESTURA_OPERATOR}),
}
WORKING: Final = sorted(set().union(*ROLES_OF_NODE.values()))
PURPOSE: Final = logged.QUEUE_PURPOSE
PAGE: Final = 50


def _on_this_node(request: HttpRequest) -> bool:
    return request.acting.role in ROLES_OF_NODE.get(settings.NODE_ROLE, set())  # type: ignore[attr-defined]


def _refused(request: HttpRequest) -> HttpResponse:
    return forbidden(request, _("La coda di lavoro di questo nodo è del suo ufficio."))


def _actor(request: HttpRequest) -> actions.Actor:
    acting = request.acting  # type: ignore[attr-defined]
    return actions.Actor(
        request.user.get_username(), acting.office.name, acting.role, acting.office_id
    )


def _note_read(
    request: HttpRequest, query: dict[str, Any], shown: list[Discrepancy], case: str = ""
) -> None:
    acting = request.acting  # type: ignore[attr-defined]
    log.append(
        logged.VIEW,
        user=request.user.get_username(),
        office=acting.office.name,
        role=acting.role,
        query=query,
        purpose=PURPOSE,
        case_reference=case,
        records=[
            *(f"discrepanza:{d.pk}" for d in shown),
            *dict.fromkeys(logged.person(d.registry_id) for d in shown if d.registry_id),
        ],
    )


def _filter_form(data: Any) -> QueueFilterForm:
    return QueueFilterForm(data or None, districts=settings.NODE_ROLE == "comune")


def _table(rows: QuerySet[Discrepancy]) -> tables.Table:
    headers = [_("N."), _("Tipo"), _("Gravità"), _("Stato"), _("Da fare entro"),
               _("Id anagrafe"), _("Permesso"), _("Descrizione"), _("Assegnata a"),
               _("Aperta il")]  # fmt: skip
    found = tables.capped(rows)
    data = [
        (d.pk, d.get_kind_display(), d.get_severity_display(), d.get_status_display(),
         d.urgent_on, d.registry_id or d.holder_cui, d.permit_number, d.summary,
         d.assigned_to.get_username() if d.assigned_to else "", d.opened)  # type: ignore[attr-defined]
        for d in found
    ]  # fmt: skip
    people = dict.fromkeys(logged.person(d.registry_id) for d in found if d.registry_id)
    return tables.Table("coda-discrepanze", headers, data, list(people))


@requires(*WORKING)
def queue(request: HttpRequest) -> HttpResponse:
    """The queue, most urgent first; `?formato=csv|xlsx` gives everything the filters select."""
    if not _on_this_node(request):
        return _refused(request)
    form = _filter_form(request.GET)
    if form.is_bound and not form.is_valid() and tables.wanted(request):
        wrong = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(wrong, content_type="text/plain; charset=utf-8")
    filters = form.filters(request.user.get_username())
    kind = tables.wanted(request)
    if kind is not None:
        return tables.download(request, lambda: _table(listing.queue(filters)), kind,
                               filters.shown())  # fmt: skip
    page = Paginator(listing.queue(filters), PAGE).get_page(request.GET.get("pagina"))
    for d in page:
        d.deadline_label = STATE_LABELS.get(d.deadline_state, d.deadline_state or "")
    with transaction.atomic():
        _note_read(request, {"coda": filters.shown(), "pagina": page.number}, list(page))
    kept = tables.filters_of(request)
    context = {
        "form": form,
        "page": page,
        "filters": kept + "&" if kept else "",
        "action_form": ActionForm(people=steps.assignable(request.acting.office_id)),  # type: ignore[attr-defined]
        "bulk_actions": _bulk_choices(),
        "query": kept,
    }
    return render(request, "portal/queue.html", context)


def _bulk_choices() -> list[tuple[str, str]]:
    return [
        ("prendi", _("Prendi in carico")),
        ("assegna", _("Assegna")),
        ("commenta", _("Commenta")),
        ("risolvi", _("Risolvi con un esito")),
        ("archivia", _("Archivia con un motivo")),
        ("riapri", _("Riapri")),
    ]


def _find(pk: int) -> Discrepancy | None:
    return Discrepancy.objects.filter(pk=pk, kind__in=listing.node_kinds()).first()


def _offered(d: Discrepancy, link: Link | None) -> set[str]:
    """The actions the page offers for the discrepancy as it stands."""
    offered = {"commenta", "assegna"}
    if d.status in kinds.CURRENT:
        offered |= {"risolvi", "archivia"}
        offered.add("prendi" if d.status == kinds.OPEN else "riapri")
        offered.add("verifica_domicilio" if d.check_due is None else "esito_verifica")
        if d.kind == kinds.RENEWAL and settings.NODE_ROLE == "comune":
            offered.add("registra_rinnovo")
    else:
        offered.add("riapri")
    if link is not None:
        offered.add("respingi_collegamento" if link.status != Link.REJECTED else "")
        offered.add("conferma_collegamento" if link.status != Link.CONFIRMED else "")
    return offered - {""}


@requires(*WORKING)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _on_this_node(request):
        return _refused(request)
    d = _find(pk)
    if d is None:
        return render(request, "portal/404.html", status=404)
    rows, has_registry, has_permit = sides.compare(d, request.acting.role)  # type: ignore[attr-defined]
    link = steps.link_of(d)
    with transaction.atomic():
        _note_read(request, {"discrepanza": d.pk}, [d], f"discrepanza:{d.pk}")
    context = {
        "d": d,
        "rows": rows,
        "has_registry": has_registry,
        "has_permit": has_permit,
        "link": link,
        "reasons": sides.explanation(link),
        "history": d.history.all(),
        "offered": _offered(d, link),
        "form": ActionForm(people=steps.assignable(request.acting.office_id)),  # type: ignore[attr-defined]
    }
    return render(request, "portal/queue_detail.html", context)


def _form(request: HttpRequest) -> ActionForm:
    return ActionForm(request.POST, people=steps.assignable(request.acting.office_id))  # type: ignore[attr-defined]


def _errors(form: ActionForm) -> str:
    return "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())


@requires(*WORKING)
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One action on one discrepancy; back to its page with what happened."""
    if not _on_this_node(request):
        return _refused(request)
    d = _find(pk)
    if d is None:
        return render(request, "portal/404.html", status=404)
    form = _form(request)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("portal:queue-detail", pk=d.pk)
    try:
        actions.act(d, form.cleaned_data["azione"], _actor(request), **form.params())
    except actions.ActionError as error:
        messages.error(request, _("Azione non eseguita: %(why)s") % {"why": error})
    else:
        messages.success(request, _("Fatto: la discrepanza è ora «%(s)s».")
                         % {"s": d.get_status_display()})  # fmt: skip
    return redirect("portal:queue-detail", pk=d.pk)


@requires(*WORKING)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """A bulk action on what the list's filters select: first a page that says how many and
    asks to confirm, then, confirmed, the action on exactly those."""
    if not _on_this_node(request):
        return _refused(request)
    form = _form(request)
    # The list's filters travel as its query string, so that the set is the list's own.
    query = QueryDict(request.POST.get("query", ""))
    if not form.is_valid() or form.cleaned_data["azione"] not in dict(_bulk_choices()):
        messages.error(request, _errors(form) or _("Scegliere un'azione."))
        return _back(query)
    if request.POST.get("conferma") != "1":
        filters = _filter_form(query).filters(request.user.get_username())
        ids = list(
            listing.queue(filters).values_list("pk", flat=True)[: settings.QUEUE_BULK_MAX + 1]
        )
        context = {
            "form": form,
            "ids": ids,
            "count": len(ids),
            "too_many": len(ids) > settings.QUEUE_BULK_MAX,
            "most": settings.QUEUE_BULK_MAX,
            "label": dict(_bulk_choices())[form.cleaned_data["azione"]],
            "query": query.urlencode(),
        }
        return render(request, "portal/queue_bulk.html", context)
    try:
        ids = [int(i) for i in request.POST.getlist("id")]
        mine = set(Discrepancy.objects.filter(pk__in=ids, kind__in=listing.node_kinds())
                   .values_list("pk", flat=True))  # fmt: skip
        if mine != set(ids):
            raise actions.ActionError(f"there is no discrepancy {min(set(ids) - mine)}")
        done = actions.bulk(ids, form.cleaned_data["azione"], _actor(request), **form.params())
    except (ValueError, actions.ActionError) as error:
        messages.error(request, _("Nessuna discrepanza modificata: %(why)s") % {"why": error})
    else:
        messages.success(request, _("Fatto su %(n)s discrepanze.") % {"n": len(done.discrepancies)})
    return _back(query)


def _back(query: QueryDict) -> HttpResponse:
    """To the list with the filters it had."""
    return redirect(f"{reverse('portal:queue')}?{query.urlencode()}")
