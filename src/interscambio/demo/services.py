# SPDX-License-Identifier: EUPL-1.2
"""The demo: a synthetic city, a Comune node and a Questura node, each in its own process.

Each node runs as `python -m interscambio ...` with its own environment and data folder, as
two offices would run it; the demo only orchestrates them and compares what they hold with the
synthetic city's ground truth. Later stages (flows, reconciliation) append steps to the same run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interscambio.core.synth.city import REGISTRY_COUNTS

CITY_PARAMETERS = ("residents", "seed", "months")

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

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
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
        return Node("Comune di Torino", "comune", "001272", "Torino", self.root / "comune")

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
