# SPDX-License-Identifier: EUPL-1.2
"""The node when its database goes away under it: requests fail cleanly and the node recovers
by itself, without a restart, and an import cut off halfway leaves nothing of its records
(PostgreSQL; SQLite has no server to lose)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from interscambio.demo.services import free_port
from interscambio.exchange.importing import file_sha256
from interscambio.exchange.transport import TransportError
from interscambio.exchange.transport.api import Answer, post_flow
from tests.flows import Questura, large_permit_flow, month
from tests.nodes import NodeProcess, comune_trusting_a_questura, node_database
from tests.test_exchange_http import Server

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


@pytest.fixture
def importing(tmp_path: Path) -> Iterator[tuple[NodeProcess, Questura, str]]:
    """A Comune node process that trusts a Questura whose key the test holds."""
    with comune_trusting_a_questura(tmp_path) as (node, questura, url):
        assert url is not None
        yield node, questura, url


def wait_until_applying(url: str, still_running: Callable[[], bool]) -> None:
    """Until the flow is committed as received, so its records are being applied: read
    straight from the database, every few milliseconds, as a node process would take a second
    to start and the import of a flow may not take much longer."""
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as session:
        received = "SELECT count(*) FROM exchange_flow WHERE state = 'received'"
        while session.execute(received).fetchone() != (1,):
            assert still_running() and time.monotonic() < deadline, "the import never started"
            time.sleep(0.01)


def lose_database(url: str, still_running: Callable[[], bool]) -> None:
    """Drop the importer's connections, trying until there is one to drop: between two of its
    steps the importer may briefly hold none."""
    deadline = time.monotonic() + 30
    while drop_connections(url) == 0:
        assert still_running(), "the import ended before the database could be lost"
        assert time.monotonic() < deadline, "the importer never held a connection"
        time.sleep(0.02)


def test_a_database_lost_halfway_through_an_import_leaves_nothing_and_the_next_try_applies_it(
    importing: tuple[NodeProcess, Questura, str],
) -> None:
    node, questura, url = importing
    count = 150_000
    # From the command line: a clear error, no traceback, nothing of the records.
    path, signature = large_permit_flow(questura, count)
    (path.parent / (path.name + ".jws")).write_text(signature)
    importer = node.start("flow", "import", str(path))
    wait_until_applying(url, lambda: importer.poll() is None)
    lose_database(url, lambda: importer.poll() is None)
    _, errors = importer.communicate(timeout=60)
    assert importer.returncode != 0
    assert "the database failed" in errors and "run it again" in errors
    assert "Traceback" not in errors
    assert node.query("ReceivedPermit.objects.count()") == "0"
    assert node.query("list(Flow.objects.values_list('state', flat=True))") == "['received']"
    assert "applicato" in node.run("flow", "import", str(path)).stdout
    assert node.query("ReceivedPermit.objects.count()") == str(count)

    # Over the API: a 503 problem, which leaves the flow queued at the sender, then the retry.
    following = large_permit_flow(
        questura, count, sequence=2, period=month(11), previous_hash=file_sha256(path)
    )
    server = Server(node, free_port())
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}/"
        answers: list[Answer | TransportError] = []

        def send() -> None:
            try:
                answers.append(post_flow(questura.identity, base, "001272", *following))
            except TransportError as error:
                answers.append(error)

        sender = threading.Thread(target=send)
        sender.start()
        wait_until_applying(url, sender.is_alive)
        lose_database(url, sender.is_alive)
        sender.join(120)
        [failed] = answers
        assert isinstance(failed, TransportError)
        assert "answered 503" in str(failed) and "nothing of it was applied" in str(failed)
        assert node.query("ReceivedPermit.objects.count()") == str(count)
        answer = post_flow(questura.identity, base, "001272", *following)
        assert answer.status == 200
    finally:
        server.stop()
    assert node.query("ReceivedPermit.objects.count()") == str(2 * count)
    states = node.query("list(Flow.objects.order_by('sequence').values_list('state', flat=True))")
    assert states == "['applied', 'applied']"
