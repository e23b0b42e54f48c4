# SPDX-License-Identifier: EUPL-1.2
"""Flows imported while others arrive and the registry is consulted, on one PostgreSQL database
from many connections: nothing deadlocks, nothing is lost, each flow is applied whole or not at
all (SQLite serializes its writers by itself, and the test database is one in-memory file)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from interscambio.audit import log
from interscambio.audit.models import LogEntry
from interscambio.consultation import reads
from interscambio.consultation.search import query
from interscambio.core.flows import write_flow
from interscambio.core.trust import generate_identity, load_identity, sign_file
from interscambio.exchange.importing import Delivery, file_sha256, receive
from interscambio.exchange.models import Flow, ReceivedPermit, ReceivedRegistryEvent
from interscambio.exchange.trust import init_keys
from interscambio.reconciliation.models import Run
from tests import portal_world
from tests.flows import Questura, make_partner, month, trust
from tests.test_flow_format import header, permit_record, registry_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="many connections to one server: PostgreSQL only"
)

# A thread still running after this long is taken for a deadlock.
PATIENCE = 60.0


def at_once(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (its own connection), all released together."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    failures: list[BaseException] = []

    def run(n: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[n] = job()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert not [t for t in threads if t.is_alive()], "a job never finished: deadlock"
    assert not failures, failures
    return results


@pytest.fixture
def questura(settings: Any, tmp_path: Path, transactional_db: None) -> Questura:
    """A Comune node with the consultation platform (tests/portal_world.py) and a Questura
    that sends it permit flows."""
    settings.DATA_DIR = tmp_path / "comune"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    settings.PASSWORD_HASHERS = portal_world.FAST_HASHERS
    portal_world.build(tmp_path)
    make_partner("TO")
    identity = load_identity(*generate_identity("TO", "Questura di Torino"))
    trust(identity)
    folder = tmp_path / "questura"
    folder.mkdir()
    return Questura(identity, folder)


def permits(first: int, count: int) -> list[dict[str, Any]]:
    return [permit_record(n) for n in range(first, first + count)]


def deliver(flow: tuple[Path, str]) -> Callable[[], Delivery]:
    return lambda: receive(*flow, keep=True)


def consult(times: int) -> Callable[[], list[int]]:
    reader = reads.Reader("agente.rossi", "Ufficio Immigrazione di Torino", "consultatore_questura")

    def job() -> list[int]:
        return [
            reads.search(reader, query("BNNMHM85C12Z330T"), "rinnovo_permesso", "PRAT-1").entry
            for _ in range(times)
        ]

    return job


def test_the_same_flow_delivered_twice_at_once_is_applied_once(questura: Questura) -> None:
    flow = questura.flow(permits(0, 50))
    first, second = at_once(deliver(flow), deliver(flow))
    assert Flow.objects.filter(direction="in").count() == 1
    [applied] = Flow.objects.filter(state="applied")
    assert ReceivedPermit.objects.filter(flow=applied).count() == 50
    # Both senders get the one receipt: the flow's, whichever delivery applied it.
    assert first.signed.body == second.signed.body == applied.receipt.encode()


def test_two_consecutive_flows_arriving_at_once_are_both_applied(questura: Questura) -> None:
    first = questura.flow(permits(0, 40), period=month(9))
    second = questura.flow(
        permits(40, 40), sequence=2, period=month(10), previous_hash=file_sha256(first[0])
    )
    at_once(deliver(second), deliver(first))
    states = Flow.objects.order_by("sequence").values_list("sequence", "state")
    assert list(states) == [(1, "applied"), (2, "applied")]
    assert ReceivedPermit.objects.count() == 80
    assert list(Run.objects.values_list("error", flat=True)) == ["", ""]


def test_a_flow_applied_while_the_registry_is_consulted_keeps_every_read_logged(
    questura: Questura,
) -> None:
    flow = questura.flow(permits(0, 200))
    readers = [consult(10) for _ in range(4)]
    delivery, *entries = at_once(deliver(flow), *readers)
    assert delivery.signed.receipt.outcome == "applicato"
    assert ReceivedPermit.objects.count() == 200
    logged = sorted(n for each in entries for n in each)
    assert len(set(logged)) == 40  # no two reads share an entry
    indexes = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes))) and set(logged) <= set(indexes)
    log.sign_head()
    assert log.verify().ok


def test_two_comuni_flows_applied_at_once_on_a_questura_node(
    settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.DATA_DIR = tmp_path / "questura"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "questura", "TO", "Questura"
    init_keys()
    flows = []
    for n, comune in enumerate(("001272", "001156")):
        make_partner(comune)
        identity = load_identity(*generate_identity(comune, f"Comune {comune}"))
        trust(identity)
        records = [registry_record(1000 * n + i) for i in range(100)]
        path = tmp_path / f"{comune}.ndjson"
        flow_header = header(100, sender=comune, sequence=1, previous_hash=None)
        write_flow(path, flow_header, records)
        flows.append((path, sign_file(identity, path)))
    deliveries = at_once(*(deliver(flow) for flow in flows))
    assert [d.outcome for d in deliveries] == ["applicato", "applicato"]
    for delivery in deliveries:
        assert ReceivedRegistryEvent.objects.filter(flow=delivery.flow).count() == 100
    assert list(Run.objects.values_list("error", flat=True)) == ["", ""]
