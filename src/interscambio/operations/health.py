# SPDX-License-Identifier: EUPL-1.2
"""Liveness (/healthz: the process answers) and readiness (/readyz: it can do its work).

Ready means: the database answers, every migration is applied, and the node's key and
certificate are in the data folder. A load balancer sends traffic only to a ready node; an
orchestrator restarts one that is not alive.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.trust import node_identity

_migrated = [False]  # once all are applied they stay so for this process's life


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    if not _migrated[0]:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
            raise RuntimeError(
                f"{len(pending)} migration(s) not applied ({names}): run `interscambio migrate`"
            )
        _migrated[0] = True
    return "ok"


def _keys() -> str:
    node_identity()
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "migrations": _migrations,
    "keys": _keys,
}


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    results, ready = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except (DatabaseError, ExchangeError, RuntimeError) as error:
            results[name], ready = str(error), False
            if name == "database":
                break  # nothing else can be checked without it
    body = {"status": "ready" if ready else "not ready", "checks": results}
    return JsonResponse(body, status=200 if ready else 503)
