# SPDX-License-Identifier: EUPL-1.2
"""A Questura and a hub of 20 Comuni, every node a real HTTP server on loopback, exchange a
month of flows: each Comune's two fortnightly registry flows to the Questura, and the
Questura's monthly permit flow to each Comune, each with its receipt. The hub's Comuni stay
apart: each holds its own residents, and only the permits of people domiciled in it."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from interscambio.demo.services import free_port
from tests.nodes import (
    NodeProcess,
    _postgres_server,
    drop_hub_databases,
    hub_postgres,
    node_database,
)
from tests.province import ComuneExtracts, build_province

COMUNI = 20
HUB = [sys.executable, "-m", "interscambio", "hub"]
SINCE, TODAY = "2026-10-01", "2026-11-01"  # October: two fortnights, one month


def hub(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*HUB, "--dir", str(folder), *args],
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"hub {' '.join(args)}: {result.stdout}\n{result.stderr}")
    return result


def status(output: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(output)
    return rows


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert process.poll() is None, f"the server on {port} stopped"
            assert time.monotonic() < deadline, f"the server on {port} did not start"
            time.sleep(0.2)


@contextmanager
def serving(commands: list[tuple[list[str], dict[str, str] | None, int]]) -> Iterator[None]:
    """Servers, each in its own process group (a `hub run` starts the server as its child)."""
    processes = [
        (subprocess.Popen(c, env=e, start_new_session=True, stderr=subprocess.DEVNULL), port)
        for c, e, port in commands
    ]
    try:
        for process, port in processes:
            _wait_for(port, process)
        yield
    finally:
        for process, _ in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in processes:
            process.wait(timeout=30)


def _load(folder: Path, comune: ComuneExtracts) -> None:
    hub(
        folder,
        "run",
        comune.code,
        "streets",
        "load",
        str(comune.folder / "stradario.csv"),
        "--quiet",
    )
    hub(
        folder, "run", comune.code, "registry", "load", str(comune.folder / "anagrafe.csv"),
        "--events", str(comune.folder / "eventi.csv"), "--quiet",
    )  # fmt: skip


def test_a_questura_and_a_hub_of_20_comuni_exchange_a_month_of_flows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The exchange is under test; the reconciliation after each flow is tested elsewhere.
    monkeypatch.setenv("INTERSCAMBIO_RECONCILE_AFTER_FLOW", "false")
    comuni, permits = build_province(tmp_path / "province", COMUNI)
    server = _postgres_server()
    folder, questura_port = tmp_path / "hub", free_port()
    with node_database(tmp_path) as questura_db:
        questura = NodeProcess("questura", "TO", tmp_path / "questura", questura_db)
        questura.run("migrate", "-v", "0")
        questura.run("keys", "init")
        questura.run("permits", "load", str(permits), "--quiet")
        certificate = questura.data_dir / "keys" / "node.crt"
        postgres = hub_postgres()
        # Ports of this run's own, not the hub's next from 8100: another run (the suite on the
        # other database, say) may be serving a hub of its own at the same time.
        own_ports = {questura_port}
        while len(own_ports) <= len(comuni):
            own_ports.add(free_port())
        own_ports.discard(questura_port)
        for comune, own_port in zip(comuni, sorted(own_ports), strict=True):
            hub(
                folder, "add", comune.code, comune.name, *postgres, "--port", str(own_port),
                "--questura", "TO", "--url", f"http://127.0.0.1:{questura_port}/",
                "--since", SINCE, "--certificate", str(certificate),
            )  # fmt: skip
        try:
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda c: _load(folder, c), comuni))
            listed = json.loads(hub(folder, "list", "--json").stdout)
            assert [c["code"] for c in listed] == [c.code for c in comuni]
            ports = {c["code"]: c["port"] for c in listed}
            hub(folder, "partners", "--url-template", "http://127.0.0.1:{port}/",
                "--since", SINCE, "--out", str(tmp_path / "comuni.csv"))  # fmt: skip
            imported = questura.run("partner", "import", str(tmp_path / "comuni.csv")).stdout
            assert f"{COMUNI} partners added" in imported

            serve = questura.command("serve", "--port", str(questura_port))
            servers = [(serve, questura.environment(), questura_port)]
            for code, port in ports.items():
                serve = [*HUB, "--dir", str(folder), "run", code, "serve", "--port", str(port)]
                servers.append((serve, None, port))
            with serving(servers):
                rounds = hub(folder, "each", "--jobs", "3", "schedule", "run", "--today", TODAY)
                assert f"{COMUNI} of {COMUNI} Comuni done" in rounds.stdout, rounds.stdout
                questura_round = questura.run("schedule", "run", "--today", TODAY).stdout
                assert "FAILED" not in questura_round, questura_round
            check_the_month(folder, questura, comuni)
            check_isolation(folder, comuni, server)
        finally:
            if server:
                drop_hub_databases(server, [c.code for c in comuni])


def check_the_month(folder: Path, questura: NodeProcess, comuni: list[ComuneExtracts]) -> None:
    flows = status(questura.run("flow", "status", "--json", "--today", TODAY).stdout)
    sent = {r["partner"]: r for r in flows if r["direction"] == "out"}
    received = [r for r in flows if r["direction"] == "in"]
    assert sorted(sent) == [c.code for c in comuni]
    assert all(r["state"] == "acknowledged" for r in sent.values()), sent
    assert len(received) == 2 * COMUNI and all(r["state"] == "applied" for r in received)
    each = hub(folder, "each", "--jobs", "3", "flow", "status", "--json", "--today", TODAY)
    sections = each.stdout.split("== ")[1:]
    assert len(sections) == COMUNI
    for comune, section in zip(comuni, sections, strict=True):
        title, _, listing = section.partition("\n")
        assert title.startswith(comune.code)
        own = status(listing.rsplit("]", 1)[0] + "]")
        out = [r for r in own if r["direction"] == "out"]
        (got,) = [r for r in own if r["direction"] == "in"]
        # Two fortnights sent and acknowledged; the month's permits received and applied.
        assert [r["state"] for r in out] == ["acknowledged", "acknowledged"], out
        assert got["state"] == "applied" and got["records"] == sent[comune.code]["records"]
        from_it = [r for r in received if r["partner"] == comune.code]
        assert sorted(r["records"] for r in from_it) == sorted(r["records"] for r in out)


def _count(folder: Path, comune: dict[str, str], sql: str) -> int:
    """A count straight from the Comune's own database, as its administrator would read it."""
    if comune["database"]:
        with psycopg.connect(comune["database"]) as connection:
            row = connection.execute(sql).fetchone()
    else:
        path = folder / "comuni" / comune["code"] / "interscambio.sqlite3"
        with closing(sqlite3.connect(path)) as connection:
            row = connection.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def check_isolation(folder: Path, comuni: list[ComuneExtracts], server: str | None) -> None:
    listed = {c["code"]: c for c in json.loads(hub(folder, "list", "--json").stdout)}
    for comune in comuni:
        mine = listed[comune.code]
        with (comune.folder / "anagrafe.csv").open(encoding="utf-8") as rows:
            assert _count(folder, mine, "SELECT count(*) FROM registry_resident") == (
                sum(1 for _ in rows) - 1
            )
        # Every resident is this Comune's own (the ids carry the Comune's number).
        number = f"{comuni.index(comune) + 1:04d}"
        foreign = f"SELECT count(*) FROM registry_resident WHERE registry_id NOT LIKE '{number}%'"
        assert _count(folder, mine, foreign) == 0
        # Only the permits of people domiciled in this Comune came to it.
        permits = "SELECT count(*) FROM exchange_receivedpermit"
        assert _count(folder, mine, permits) > 0
        elsewhere = f"{permits} WHERE domicile_comune_code <> '{comune.code}'"
        assert _count(folder, mine, elsewhere) == 0
    if server:
        first, second = listed[comuni[0].code], listed[comuni[1].code]
        # The first Comune's role, at the second's database.
        intruder = first["database"].rsplit("/", 1)[0] + "/" + second["database"].rsplit("/", 1)[1]
        with pytest.raises(psycopg.OperationalError, match=r"CONNECT privilege|permission denied"):
            psycopg.connect(intruder, connect_timeout=5).close()
