# SPDX-License-Identifier: EUPL-1.2
"""The node when its database goes away under it: requests fail cleanly and the node recovers
by itself, without a restart (PostgreSQL; SQLite has no server to lose)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.nodes import NodeProcess, node_database
from tests.test_exchange_http import Server, free_port

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a database server to lose: PostgreSQL only"
)


def readiness(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def drop_connections(url: str) -> int:
    """What a restart of PostgreSQL does to the node: every connection to its database ends."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as session:
        rows = session.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchall()
    return len(rows)


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Server, str]]:
    with node_database(tmp_path) as url:
        assert url is not None
        node = NodeProcess(
            "comune", "001272", tmp_path / "node", url,
            extra={"DATABASE_CONN_MAX_AGE": "600",
                   "DATABASE_CONN_HEALTH_CHECKS": request.param},
        )  # fmt: skip
        node.run("migrate", "-v", "0")
        node.run("keys", "init")
        # One thread, so that every request meets the one connection the database dropped.
        server = Server(node, free_port(), "--threads", "1")
        server.start()
        try:
            yield server, url
        finally:
            server.stop()


@pytest.mark.parametrize("served", ["true"], indirect=True)
def test_a_node_whose_database_restarted_answers_the_next_request(
    served: tuple[Server, str],
) -> None:
    server, url = served
    assert readiness(server.port)[0] == 200
    assert drop_connections(url) >= 1  # the server's kept connection among them
    status, body = readiness(server.port)
    assert status == 200, body


@pytest.mark.parametrize("served", ["false"], indirect=True)
def test_without_health_checks_one_request_fails_cleanly_and_the_next_recovers(
    served: tuple[Server, str],
) -> None:
    server, url = served
    assert readiness(server.port)[0] == 200
    assert drop_connections(url) >= 1
    status, body = readiness(server.port)
    assert status == 503 and body["checks"]["database"] != "ok"  # type: ignore[index]
    assert readiness(server.port)[0] == 200
