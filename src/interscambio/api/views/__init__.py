# SPDX-License-Identifier: EUPL-1.2
"""What the API views share: refusals as RFC 7807 problems, reading a JSON body."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from interscambio.api.clients import ApiProblem
from interscambio.consultation.search import CODE_PATTERN
from interscambio.exchange.views import problem

View = Callable[..., HttpResponse]


def api(methods: set[str]) -> Callable[[View], View]:
    """An API view: no CSRF (no cookies, a signed assertion), its methods, problems answered."""

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = problem(405, "Method Not Allowed", f"use {' or '.join(sorted(methods))}")
                response["Allow"] = ", ".join(sorted(methods))
                return response
            try:
                return view(request, *args, **kwargs)
            except ApiProblem as refused:
                return problem(refused.status, refused.title, refused.detail)

        return run

    return wrap


def body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ApiProblem(415, "Unsupported Media Type", "send the request as application/json")
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "Bad Request", "the body is not JSON") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "Bad Request", "the body must be a JSON object")
    return data


def text(data: dict[str, Any], field: str, *, required: bool = False) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiProblem(400, "Bad Request", f"{field}: must be a string")
    if required and not value.strip():
        raise ApiProblem(400, "Bad Request", f"{field}: is required")
    return value


def code(data: dict[str, Any], field: str = "codice_fiscale", *, required: bool = False) -> str:
    """A codice fiscale exactly as the description gives it: upper case, no spaces (the portal
    is lenient with what a person types; a system sends the code as it is)."""
    value = text(data, field, required=required)
    if value and not re.fullmatch(CODE_PATTERN, value):
        raise ApiProblem(
            400,
            "Bad Request",
            f"{field}: {value!r} is not a codice fiscale (16 characters, "
            "upper case: 6 letters, 2 digits, a month letter, 2 digits, a letter, 3 digits, "
            "a check letter)",
        )
    return value
