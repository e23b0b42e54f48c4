# SPDX-License-Identifier: EUPL-1.2
"""Two nodes as real HTTP servers on loopback, two processes, two databases, real signatures.

The Comune sends its registry flows to the Questura and the Questura its permit flows to the
Comune, each over the other's API, with receipts. Then the Questura stops, the Comune sends,
the Questura comes back, and the flow is delivered exactly once.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interscambio.core.synth import CityConfig, build
from interscambio.demo.services import free_port
from tests.nodes import NodeProcess, node_database

SINCE = "2026-08-01"


class Server:
    def __init__(self, node: NodeProcess, port: int, *options: str) -> None:
        self.node, self.port, self.options = node, port, options
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = self.node.start("serve", "--port", str(self.port), *self.options)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert self.process.poll() is None, self.process.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def status(node: NodeProcess) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(node.run("flow", "status", "--json").stdout)
    return rows


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    city = tmp_path / "city"
    build(CityConfig(residents=1000, seed=5, months=12), city, workers=1)
    with node_database(tmp_path) as comune_db, node_database(tmp_path) as questura_db:
        comune = NodeProcess("comune", "001272", tmp_path / "comune", comune_db)
        questura = NodeProcess("questura", "TO", tmp_path / "questura", questura_db)
        servers = (Server(comune, free_port()), Server(questura, free_port()))
        for node in (comune, questura):
            node.run("migrate", "-v", "0")
            node.run("keys", "init")
        comune.run("streets", "load", str(city / "comune" / "stradario.csv"), "--quiet")
        comune.run(
            "registry", "load", str(city / "comune" / "anagrafe.csv"),
            "--events", str(city / "comune" / "eventi.csv"), "--quiet",
        )  # fmt: skip
        questura.run("permits", "load", str(city / "questura" / "permessi.csv"), "--quiet")
        for node, other, server in ((comune, questura, servers[1]), (questura, comune, servers[0])):
            node.run(
                "partner", "add", other.node_id, "--name", other.role, "--transport", "api",
                "--url", f"http://127.0.0.1:{server.port}/", "--since", SINCE,
            )  # fmt: skip
            node.run("keys", "trust", str(other.data_dir / "keys" / "node.crt"))
        try:
            for server in servers:
                server.start()
            yield servers
        finally:
            for server in servers:
                server.stop()


def test_two_nodes_exchange_both_flows_over_http_and_a_stopped_receiver_gets_it_once(
    pair: tuple[Server, Server],
) -> None:
    comune_server, questura_server = pair
    comune, questura = comune_server.node, questura_server.node
    for node in (comune, questura):
        node.run("flow", "export")
        sent = node.run("flow", "send").stdout
        assert "FAILED" not in sent, sent

    for sender, receiver in ((comune, questura), (questura, comune)):
        out = [r for r in status(sender) if r["direction"] == "out"]
        got = {r["sequence"]: r for r in status(receiver) if r["direction"] == "in"}
        assert out and all(r["state"] == "acknowledged" for r in out), out
        assert [got[r["sequence"]]["records"] for r in out] == [r["records"] for r in out]
        assert all(got[r["sequence"]]["state"] == "applied" for r in out)
    registry_sent = sum(r["records"] for r in status(comune) if r["direction"] == "out")
    assert registry_sent > 0
    assert questura.query("ReceivedRegistryEvent.objects.count()") == str(registry_sent)
    permits_sent = sum(r["records"] for r in status(questura) if r["direction"] == "out")
    assert comune.query("ReceivedPermit.objects.count()") == str(permits_sent) != "0"

    # The Questura goes down; the Comune's next flow waits in its outbox.
    questura_server.stop()
    comune.run("flow", "export", "--period", "2026-07-01:2026-07-31")
    failed = comune.run("flow", "send").stdout
    assert "FAILED" in failed and "cannot be reached" in failed
    waiting = comune.query(
        "list(Flow.objects.filter(state='queued').values_list('sequence', 'attempts'))"
    )
    sequence = len([r for r in status(comune) if r["direction"] == "out"]) + 1
    assert waiting == f"[({sequence}, 1)]"

    questura_server.start()
    delivered = comune.run("flow", "send", "--now").stdout
    assert "ok" in delivered and "applicato" in delivered
    assert comune.query(f"Flow.objects.get(direction='out', sequence={sequence}).state") == (
        "'acknowledged'"
    )
    assert (
        questura.query(
            f"Flow.objects.filter(direction='in', sequence={sequence}, state='applied').count()"
        )
        == "1"
    )
    assert comune.run("flow", "send", "--now").stdout.strip() == "nothing to send"

    # The same bytes posted again: the same receipt, nothing applied twice.
    before = questura.query("ReceivedRegistryEvent.objects.count()")
    receipt = f"Flow.objects.get(direction='out', sequence={sequence}).receipt"
    first_receipt = comune.query(receipt)
    comune.query(
        f"Flow.objects.filter(direction='out', sequence={sequence}).update(state='queued')"
    )
    again = comune.run("flow", "send", "--now").stdout
    assert "applicato" in again
    assert comune.query(receipt) == first_receipt
    assert questura.query("ReceivedRegistryEvent.objects.count()") == before
    assert questura.query(
        "Flow.objects.filter(direction='in', partner__node_id='001272').count()"
    ) == str(sequence)
