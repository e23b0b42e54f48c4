# SPDX-License-Identifier: EUPL-1.2
"""The consultation API for the Questura's systems: the same reads as the portal's."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from interscambio.access.roles import QUESTURA_CONSULTANT
from interscambio.api.clients import ApiProblem, Caller, authenticate
from interscambio.api.views import api, body, code, text
from interscambio.consultation import reads
from interscambio.consultation.purposes import PurposeError
from interscambio.consultation.search import QueryError, query


def _reader(caller: Caller) -> reads.Reader:
    return reads.Reader(caller.user, caller.client.office.name, caller.client.role)


def _bad(error: QueryError | PurposeError) -> ApiProblem:
    return ApiProblem(400, "Bad Request", f"{error.field}: {error}")


@api({"POST"})
@transaction.atomic  # the assertion used up and the read logged, or neither
def search(request: HttpRequest) -> HttpResponse:
    caller = authenticate(request, QUESTURA_CONSULTANT, tracking_required=True)
    data = body(request)
    try:
        q = query(
            code(data),
            text(data, "cognome"),
            text(data, "nome"),
            text(data, "data_nascita"),
        )
        found = reads.search(
            _reader(caller), q, text(data, "finalita"), text(data, "riferimento_pratica")
        )
    except (QueryError, PurposeError) as error:
        raise _bad(error) from None
    return JsonResponse({"risultati": found.results, "altri": found.more})


@api({"GET"})
@transaction.atomic
def person(request: HttpRequest, registry_id: str) -> HttpResponse:
    caller = authenticate(request, QUESTURA_CONSULTANT, tracking_required=True)
    try:
        shown = reads.view(
            _reader(caller),
            registry_id,
            request.GET.get("finalita", ""),
            request.GET.get("riferimento_pratica", ""),
        )
    except PurposeError as error:
        raise _bad(error) from None
    except reads.NotFound as error:
        raise ApiProblem(404, "Not Found", str(error)) from None
    return JsonResponse({"persona": shown})
