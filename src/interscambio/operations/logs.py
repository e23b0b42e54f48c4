# SPDX-License-Identifier: EUPL-1.2
"""The node's logging: one line per record on stderr, JSON by default, each with the id of the
request it belongs to. Imported by the settings, so it needs nothing of Django's."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Final

REQUESTS_LOGGER: Final = "interscambio.requests"
request_id: ContextVar[str] = ContextVar("request_id", default="")


class RequestId(logging.Filter):
    """Puts the current request's id on every record ('' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class NoPaths(logging.Filter):
    """Django logs a refused request with its path ('Not Found: /consultazione/persone/R0001/')
    and the request itself: a registry id is personal data, so the record keeps the status and
    the request's route pattern only."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            match = getattr(request, "resolver_match", None)
            record.msg, record.args = (
                "%s %s",
                (
                    getattr(record, "status_code", ""),
                    match.route if match is not None else "unmatched",
                ),
            )
            record.request = None
        return True


def config(level: str, form: str, requests: bool) -> dict[str, Any]:
    """The LOGGING setting: `form` 'json' or 'text'; `requests` logs each request at INFO."""
    if form not in {"json", "text"}:
        raise RuntimeError(f"INTERSCAMBIO_LOG_FORMAT must be 'json' or 'text', not {form!r}")
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if form == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestId}, "no_paths": {"()": NoPaths}},
        "formatters": {"line": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            REQUESTS_LOGGER: {"level": "INFO" if requests else "WARNING"},
            "django.request": {"filters": ["no_paths"]},
            "django.security": {"filters": ["no_paths"]},
        },
    }
