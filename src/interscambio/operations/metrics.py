# SPDX-License-Identifier: EUPL-1.2
"""Prometheus metrics at /metrics: what the database says at scrape time, and request latency.

The counts (flows by state, late flows, queues, login failures) are read from the database
when Prometheus asks, so every worker process answers the same. Request latency is measured in
each process: with several gunicorn workers set PROMETHEUS_MULTIPROC_DIR to an empty folder
(docs/operations.md) and the workers' figures are added up.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from typing import Final

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from interscambio.exchange.views import problem

# Above the slowest API call and below the slowest page worth knowing about.
BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_local = CollectorRegistry()
REQUESTS: Final = Histogram(
    "interscambio_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status class",
    ["route", "method", "status"],
    buckets=BUCKETS,
    registry=_local,
)


def observe(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, f"{status // 100}xx").observe(seconds)


class FromDatabase:
    """The node's state as gauges and counters, read at each scrape."""

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only, never at registration

    def collect(self) -> Iterator[Metric]:
        from interscambio.audit import actions
        from interscambio.audit.models import LogEntry
        from interscambio.exchange import status
        from interscambio.exchange.models import Flow, Partner
        from interscambio.reconciliation import kinds
        from interscambio.reconciliation.models import Discrepancy

        info = GaugeMetricFamily(
            "interscambio_node_info", "This node's role and id", labels=["role", "node_id"]
        )
        info.add_metric([settings.NODE_ROLE, settings.NODE_ID], 1)
        yield info
        flows = GaugeMetricFamily(
            "interscambio_flows",
            "Flows held by this node, by direction, type and state",
            labels=["direction", "flow_type", "state"],
        )
        counted = Flow.objects.values_list("direction", "flow_type", "state")
        for direction, flow_type, state, n in counted.annotate(n=Count("id")).order_by():
            flows.add_metric([direction, flow_type, state], n)
        yield flows
        late = GaugeMetricFamily(
            "interscambio_flows_late",
            "Periods whose flow from the partner is overdue beyond the grace days",
            labels=["partner"],
        )
        today = timezone.localdate()
        for partner in Partner.objects.order_by("node_id"):
            late.add_metric([partner.node_id], len(status.late(partner, today)))
        yield late
        queue = GaugeMetricFamily(
            "interscambio_discrepancies_current",
            "Discrepancies in the work queue (open or in review), by kind",
            labels=["kind"],
        )
        current = Discrepancy.objects.filter(status__in=kinds.CURRENT).values_list("kind")
        for kind, n in current.annotate(n=Count("id")).order_by():
            queue.add_metric([kind], n)
        yield queue
        failures = CounterMetricFamily(
            "interscambio_login_failures",
            "Failed logins (password or second factor), as the access log records them",
        )
        failures.add_metric([], LogEntry.objects.filter(action=actions.LOGIN_FAILED).count())
        yield failures


_local.register(FromDatabase())  # type: ignore[arg-type]


def registry() -> CollectorRegistry:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return _local
    merged = CollectorRegistry()
    MultiProcessCollector(merged, path=folder)
    merged.register(FromDatabase())  # type: ignore[arg-type]
    return merged


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return problem(
            403,
            "Forbidden",
            "metrics are for this machine (loopback) or for a scraper with "
            "Authorization: Bearer <INTERSCAMBIO_METRICS_TOKEN>",
        )
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
