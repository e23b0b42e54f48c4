# SPDX-License-Identifier: EUPL-1.2
"""The demo: a synthetic city, a Comune node and a Questura node, each in its own process.

Each node runs as `python -m interscambio ...` with its own environment and data folder, as
two offices would run it; the demo only orchestrates them and compares what they hold with the
synthetic city's ground truth. The nodes then pair up and exchange
signed flows, one by API and the other by files; later stages (reconciliation) append steps.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from interscambio.core.synth.city import REGISTRY_COUNTS

CITY_PARAMETERS = ("residents", "seed", "months")
# The portal's offices and accounts on the demo's Comune: (code, name, kind) and
# (user, office, role), one of each kind of portal user.
DEMO_OFFICES = (
    ("ANAGRAFE-TO", "Ufficio anagrafe di Torino", "anagrafe"),
    ("UI-TO", "Ufficio Immigrazione di Torino", "questura"),
    ("PREF-TO", "Prefettura di Torino", "prefettura"),
)
DEMO_ACCOUNTS = (
    ("operatore", "ANAGRAFE-TO", "operatore_anagrafe"),
    ("amministratore", "ANAGRAFE-TO", "amministratore_anagrafe"),
    ("agente", "UI-TO", "consultatore_questura"),
    ("supervisore", "PREF-TO", "supervisore_prefettura"),
)

# The node's count and the truth's count carry the same name (see registry/stats.py).
COMUNE_CHECKS = ("streets", *REGISTRY_COUNTS, "events_by_kind")
QUESTURA_CHECKS = ("permits", "permit_holders")


class DemoError(Exception):
    """A step of the demo failed; the message says which and how."""


@dataclass(frozen=True)
class Node:
    label: str
    role: str
    node_id: str
    name: str
    data_dir: Path
    extra: tuple[tuple[str, str], ...] = ()

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(dict(self.extra))
        env.update(
            INTERSCAMBIO_ROLE=self.role,
            INTERSCAMBIO_NODE_ID=self.node_id,
            INTERSCAMBIO_NODE_NAME=self.name,
            INTERSCAMBIO_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="interscambio.project.settings",
        )
        return env

    def run(self, *args: str, capture: bool = False) -> str:
        command = [sys.executable, "-m", "interscambio", *args]
        result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command,
            env=self.environment(),
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DemoError(
                f"{self.label}: `interscambio {' '.join(args)}` failed (exit {result.returncode})"
            )
        return result.stdout if capture else ""

    def counts(self) -> dict[str, Any]:
        info: dict[str, Any] = json.loads(self.run("node", "--json", capture=True))
        return dict(info["counts"])


@dataclass(frozen=True)
class DemoLayout:
    root: Path

    @property
    def city(self) -> Path:
        return self.root / "city"

    @property
    def record(self) -> Path:
        return self.root / "city.json"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def comune(self) -> Node:
        # The demo's Comune records the renewals the Questura reports (docs/reconciliation.md).
        return Node(
            "Comune di Torino", "comune", "001272", "Torino", self.root / "comune",
            (("INTERSCAMBIO_RENEWALS", "apply"),),
        )  # fmt: skip

    @property
    def questura(self) -> Node:
        return Node(
            "Questura di Torino", "questura", "TO", "Questura di Torino", self.root / "questura"
        )

    def truth(self) -> dict[str, Any]:
        summary: dict[str, Any] = json.loads(
            (self.city / "truth" / "summary.json").read_text(encoding="utf-8")
        )
        return summary

    def reusable_city(self, parameters: dict[str, int]) -> bool:
        """True when a finished city with the same parameters is already on disk."""
        if not self.record.exists() or not (self.city / "truth" / "summary.json").exists():
            return False
        return bool(json.loads(self.record.read_text(encoding="utf-8")) == parameters)

    def build_city(self, parameters: dict[str, int]) -> None:
        from interscambio.core.synth.cli import main as synth

        shutil.rmtree(self.city, ignore_errors=True)
        self.record.unlink(missing_ok=True)
        argv = ["--out", str(self.city)]
        for name in CITY_PARAMETERS:
            argv += [f"--{name}", str(parameters[name])]
        if synth(argv) != 0:
            raise DemoError("the synthetic city could not be built")
        # Written last: a city interrupted halfway is never taken for a finished one.
        self.record.write_text(json.dumps(parameters), encoding="utf-8")

    def reset_nodes(self) -> None:
        for node in (self.comune, self.questura):
            shutil.rmtree(node.data_dir, ignore_errors=True)
            node.data_dir.mkdir(parents=True)
        shutil.rmtree(self.root / "files", ignore_errors=True)


def load_comune(layout: DemoLayout, quiet: bool) -> None:
    node, city = layout.comune, layout.city / "comune"
    flags = ["--quiet"] if quiet else []
    node.run("migrate", "-v", "0")
    node.run("streets", "load", str(city / "stradario.csv"), *flags)
    node.run(
        "registry", "load", str(city / "anagrafe.csv"), "--events", str(city / "eventi.csv"), *flags
    )


def load_questura(layout: DemoLayout, quiet: bool) -> None:
    node = layout.questura
    node.run("migrate", "-v", "0")
    node.run(
        "permits",
        "load",
        str(layout.city / "questura" / "permessi.csv"),
        *(["--quiet"] if quiet else []),
    )


@dataclass(frozen=True)
class Check:
    node: str
    name: str
    expected: Any
    actual: Any

    @property
    def ok(self) -> bool:
        return bool(self.expected == self.actual)


def compare(
    node: str, names: tuple[str, ...], truth: dict[str, Any], held: dict[str, Any]
) -> list[Check]:
    return [Check(node, name, truth.get(name), held.get(name)) for name in names]


# --- the exchange between the two nodes -------------------------------------------------------

EXCHANGE_MONTHS = 3


def exchange_start(truth: dict[str, Any]) -> date:
    """The first day of the month EXCHANGE_MONTHS before the city's reference date."""
    reference = date.fromisoformat(truth["parameters"]["reference_date"])
    month = reference.year * 12 + reference.month - 1 - EXCHANGE_MONTHS
    return date(month // 12, month % 12 + 1, 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(node: Node, port: int) -> Iterator[None]:
    """`node` serving its API on loopback for the duration of the block."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "interscambio", "serve", "--port", str(port)],
        env=node.environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise DemoError(f"{node.label}: its API server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def pair_nodes(layout: DemoLayout, port: int) -> date:
    """Keys on both nodes, each trusting the other; the Comune sends by API to the Questura,
    the Questura by signed files to the Comune (a Comune that works by file exchange)."""
    comune, questura = layout.comune, layout.questura
    since = exchange_start(layout.truth()).isoformat()
    to_comune, to_questura = (
        layout.root / "files" / "to-comune",
        layout.root / "files" / "to-questura",
    )
    for node in (comune, questura):
        node.run("keys", "init", capture=True)
    comune.run(
        "partner", "add", questura.node_id, "--name", questura.name, "--transport", "api",
        "--url", f"http://127.0.0.1:{port}/", "--inbox", str(to_comune),
        "--outbox", str(to_questura), "--since", since, capture=True,
    )  # fmt: skip
    questura.run(
        "partner", "add", comune.node_id, "--name", comune.name, "--transport", "file",
        "--outbox", str(to_comune), "--inbox", str(to_questura), "--since", since, capture=True,
    )  # fmt: skip
    comune.run("keys", "trust", str(questura.data_dir / "keys" / "node.crt"), capture=True)
    questura.run("keys", "trust", str(comune.data_dir / "keys" / "node.crt"), capture=True)
    return date.fromisoformat(since)


def exchange_round(node: Node) -> list[str]:
    """One `schedule run` on `node`: its lines, as printed."""
    return node.run("schedule", "run", capture=True).splitlines()


def flow_status(node: Node) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(node.run("flow", "status", "--json", capture=True))
    return rows


def exchange_checks(layout: DemoLayout) -> tuple[list[Check], list[dict[str, Any]]]:
    """Every flow acknowledged by its receiver, with as many records as were sent."""
    checks, flows = [], []
    pairs = ((layout.comune, layout.questura), (layout.questura, layout.comune))
    for sender, receiver in pairs:
        sent = [r for r in flow_status(sender) if r["direction"] == "out"]
        received = {r["sequence"]: r for r in flow_status(receiver) if r["direction"] == "in"}
        flows += [{"from": sender.label, **r} for r in sent]
        label = f"{sender.label} → {receiver.label}"
        checks.append(
            Check(
                label,
                "flows acknowledged",
                len(sent),
                sum(r["state"] == "acknowledged" for r in sent),
            )
        )
        checks.append(
            Check(
                label,
                "records received",
                sum(r["records"] or 0 for r in sent),
                sum((received.get(r["sequence"]) or {}).get("records") or 0 for r in sent),
            )
        )
    return checks, flows


# --- reconciliation -------------------------------------------------------------------------


def reconciliation(layout: DemoLayout) -> dict[str, dict[str, Any]]:
    """Each node's reconciliation over every flow it received, as of the city's date."""
    reference = layout.truth()["parameters"]["reference_date"]
    return {
        node.label: json.loads(node.run("reconcile", "--date", reference, "--json", capture=True))
        for node in (layout.comune, layout.questura)
    }


def portal_accounts(layout: DemoLayout, today: date) -> Path:
    """The Comune's portal made ready to try: its offices, the agreement with the Questura and
    the Prefettura, one account for each kind of user, valid for a year. One password for all,
    new at each run, in a file only its owner reads; each account sets up its second factor at
    its first login, as a real one does."""
    node, until = layout.comune, (today + timedelta(days=365)).isoformat()
    for code, name, kind in DEMO_OFFICES:
        node.run("access", "office", code, "--name", name, "--kind", kind, capture=True)
    node.run(
        "access", "agreement", "--title", "Protocollo Comune-Questura (demo)",
        "--start", today.isoformat(), "--end", until, "--offices", "UI-TO,PREF-TO", capture=True,
    )  # fmt: skip
    password = layout.root / "portal-password.txt"
    password.unlink(missing_ok=True)
    password.touch(mode=0o600)
    password.write_text(secrets.token_urlsafe(12) + "\n", encoding="utf-8")
    for user, office, role in DEMO_ACCOUNTS:
        node.run("access", "user", user, "--password-file", str(password), "--by", "demo",
                 capture=True)  # fmt: skip
        node.run("access", "grant", user, "--office", office, "--role", role, "--until", until,
                 "--by", "demo", capture=True)  # fmt: skip
    return password


def serve_portal(layout: DemoLayout, port: int) -> None:
    """The Comune's portal on loopback until Ctrl-C, over plain HTTP (cookies not marked
    secure, or the browser would not send them back)."""
    node = layout.comune
    local = Node(node.label, node.role, node.node_id, node.name, node.data_dir,
                 (*node.extra, ("INTERSCAMBIO_SECURE_COOKIES", "false")))  # fmt: skip
    with suppress(KeyboardInterrupt):
        local.run("serve", "--port", str(port))
