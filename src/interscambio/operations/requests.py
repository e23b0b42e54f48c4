# SPDX-License-Identifier: EUPL-1.2
"""Every request gets an id (the proxy's X-Request-ID when well formed, else a new one), is
timed for the metrics and logged in one line by its route pattern, never by its path."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Final

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from interscambio.operations import metrics
from interscambio.operations.logs import REQUESTS_LOGGER, request_id

HEADER: Final = "X-Request-ID"
WELL_FORMED: Final = re.compile(r"[A-Za-z0-9._:-]{8,128}")
PROBES: Final = frozenset({"healthz", "readyz", "metrics"})  # not worth a log line each
log = logging.getLogger(REQUESTS_LOGGER)


def _route(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is not None:
        return match.route
    if request.path.startswith(settings.STATIC_URL or "/static/"):
        return "static"
    return "unmatched"


def middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    def handle(request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        rid = given if WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        request_id.set(rid)  # cleared when Django has finished with the request (below)
        started = time.perf_counter()
        response = get_response(request)
        seconds = time.perf_counter() - started
        route = _route(request)
        metrics.observe(route, request.method or "", response.status_code, seconds)
        response[HEADER] = rid
        if route not in PROBES:
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
        return response

    return handle


def _forget_request_id(**_: object) -> None:
    request_id.set("")


# Django logs a refused request after the middleware has returned: the id stays until then.
request_finished.connect(_forget_request_id, dispatch_uid="forget-request-id")
