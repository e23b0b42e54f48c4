# SPDX-License-Identifier: EUPL-1.2
"""The verification API: resident on a day, and a permit covering it; nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from interscambio.access.roles import VERIFIER
from interscambio.api import limits
from interscambio.api.clients import ApiProblem, authenticate
from interscambio.api.views import api, body, code, text
from interscambio.audit import actions, log
from interscambio.consultation.search import QueryError, query
from interscambio.exchange.views import problem
from interscambio.verification.answer import verify


def _too_many(wait: int) -> HttpResponse:
    answer = problem(
        429, "Too Many Requests", f"this client's calls per minute are used up; retry in {wait} s"
    )
    answer["Retry-After"] = str(wait)
    return answer


def _question(data: dict[str, Any]) -> tuple[str, date]:
    try:
        asked = query(code(data, required=True)).codice_fiscale
    except QueryError as error:
        raise ApiProblem(400, "Bad Request", f"codice_fiscale: {error}") from None
    raw_day = text(data, "data", required=True)
    try:
        return asked, date.fromisoformat(raw_day)
    except ValueError:
        raise ApiProblem(
            400, "Bad Request", f"data: {raw_day!r} is not a date (YYYY-MM-DD)"
        ) from None


@api({"POST"})
def check(request: HttpRequest) -> HttpResponse:
    # One transaction: the assertion used up, the call counted, the answer logged, or nothing.
    with transaction.atomic():
        caller = authenticate(request, VERIFIER, tracking_required=False)
        asked, day = _question(body(request))
        answer = verify(asked, day)
        # Counted with the log's lock: a client's calls queue there, and an entry is written
        # only for a call under its limit.
        count = limits.Count(caller.client.client_id)
        logged = log.append(
            actions.VERIFY,
            user=caller.user,
            office=caller.client.office.name,
            role=VERIFIER,
            query={"codice_fiscale": asked, "data": day.isoformat()},
            records=[actions.person(i) for i in answer.records],
            gate=count,
        )
        if logged is None:
            # Answered, not raised: the assertion stays used up and the call counted.
            return _too_many(count.wait or 1)
    shown: dict[str, Any] = {"residente": answer.resident, "permesso_valido": answer.permit_valid}
    if caller.client.shows_expiry:
        shown["scadenza_permesso"] = answer.expiry.isoformat() if answer.expiry else None
    return JsonResponse(shown)
