# SPDX-License-Identifier: EUPL-1.2
"""Running a node: liveness and readiness, Prometheus metrics (who may read them, what they
count), request ids, and logs that name a request by its route, never by a registry id."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.exchange import status
from interscambio.exchange.models import Flow, Partner
from interscambio.operations import health, logs
from tests import portal_world


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of a Prometheus text exposition, None if it is not there."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, rest = head.partition("{")
        found = dict(part.split("=", 1) for part in rest.rstrip("}").split(",") if "=" in part)
        if metric == name and all(found.get(k) == f'"{v}"' for k, v in labels.items()):
            return float(value)
    return None


def test_a_live_node_answers_healthz(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_ready_node_has_its_database_migrations_and_keys(world: portal_world.World) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "keys": "ok"},
    }


def test_a_node_without_keys_is_not_ready(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path / "empty"
    response = Client().get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and "interscambio keys init" in checks["keys"]


def test_a_migration_not_applied_makes_the_node_not_ready(
    world: portal_world.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "_migrated", [False])
    MigrationRecorder.Migration.objects.filter(app="audit").order_by("-id").first().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "not applied (audit." in response.json()["checks"]["migrations"]


def test_metrics_count_flows_late_periods_queues_requests_and_login_failures(
    world: portal_world.World,
) -> None:
    partner = Partner.objects.create(
        node_id="Q-TO", name="Questura di Torino", since=timezone.localdate() - timedelta(days=95)
    )
    for n, state in enumerate(["queued", "queued", "acknowledged"], start=1):
        Flow.objects.create(
            direction="out", partner=partner, flow_type="anagrafe", sequence=n, sha256=f"{n:064}",
            state=state, payload=f"out/{n}.flow",
        )  # fmt: skip
    Client().post("/accesso/", {"username": "agente.rossi", "password": "sbagliata-davvero"})
    Client().get("/healthz")
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, "interscambio_node_info", role="comune", node_id="001272") == 1
    flows = {"direction": "out", "flow_type": "anagrafe"}
    assert sample(text, "interscambio_flows", **flows, state="queued") == 2
    assert sample(text, "interscambio_flows", **flows, state="acknowledged") == 1
    late = len(status.late(partner, timezone.localdate()))
    assert late >= 2  # three months of permits never arrived
    assert sample(text, "interscambio_flows_late", partner="Q-TO") == late
    failures = LogEntry.objects.filter(action=actions.LOGIN_FAILED).count()
    assert failures >= 1
    assert sample(text, "interscambio_login_failures_total") == failures
    probes = {"route": "healthz", "method": "GET", "status": "2xx"}
    assert (sample(text, "interscambio_http_request_duration_seconds_count", **probes) or 0) >= 1


def test_metrics_are_for_loopback_or_the_token(db: None, settings: Any) -> None:
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert Client().get("/metrics", **outside).status_code == 403
    settings.METRICS_TOKEN = "segreto-di-prova-per-le-metriche"
    assert Client().get("/metrics").status_code == 403  # a token, once set, is always needed
    wrong = {"Authorization": "Bearer altro"}
    assert Client().get("/metrics", headers=wrong, **outside).status_code == 403
    right = {"Authorization": "Bearer segreto-di-prova-per-le-metriche"}
    assert Client().get("/metrics", headers=right, **outside).status_code == 200


def test_each_answer_carries_a_request_id(db: None) -> None:
    made = Client().get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    given = Client().get("/healthz", headers={"X-Request-ID": "proxy-7f3a9c01"})
    assert given["X-Request-ID"] == "proxy-7f3a9c01"
    forged = Client().get("/healthz", headers={"X-Request-ID": "<script>"})
    assert forged["X-Request-ID"] != "<script>"


def test_requests_are_logged_by_route_without_registry_ids(
    world: portal_world.World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        Client().get("/api/v1/consultazione/persone/R0001", {"finalita": "rinnovo_permesso"})
    logged = [r for r in caplog.records if r.name in {logs.REQUESTS_LOGGER, "django.request"}]
    assert {r.name for r in logged} == {logs.REQUESTS_LOGGER, "django.request"}
    for record in logged:
        text = record.getMessage() + json.dumps({k: str(v) for k, v in vars(record).items()})
        assert "R0001" not in text and "rinnovo" not in text
        assert "api/v1/consultazione/persone/<str:registry_id>" in record.getMessage()


def test_a_json_log_line_has_time_level_logger_message_and_request_id() -> None:
    config = logs.config("INFO", "json", requests=True)
    formatter = logging.config.dictConfigClass(config).configure_formatter(  # type: ignore[attr-defined]
        config["formatters"]["line"]
    )
    record = logging.LogRecord(
        "interscambio.test", logging.WARNING, __file__, 1, "flow %s late", ("7",), None
    )
    token = logs.request_id.set("abc12345")
    try:
        logs.RequestId().filter(record)
    finally:
        logs.request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "interscambio.test"
    assert line["message"] == "flow 7 late" and line["request_id"] == "abc12345" and line["time"]


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(RuntimeError, match="INTERSCAMBIO_LOG_FORMAT"):
        logs.config("INFO", "xml", requests=True)


def test_a_refused_request_is_logged_with_its_request_id(world: portal_world.World) -> None:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(logs.RequestId())
    handler.emit = seen.append  # type: ignore[method-assign]
    refusals = logging.getLogger("django.request")
    refusals.addHandler(handler)
    try:
        answer = Client().post("/api/v1/verifica", headers={"X-Request-ID": "prova-123456"})
    finally:
        refusals.removeHandler(handler)
    assert answer.status_code == 401
    assert [r.request_id for r in seen] == ["prova-123456"]  # type: ignore[attr-defined]
    assert logs.request_id.get() == ""  # and forgotten once the request is over
