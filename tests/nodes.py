# SPDX-License-Identifier: EUPL-1.2
"""Nodes as separate processes, each with its own data folder and its own database.

On the SQLite run of the suite each node gets a SQLite file in its folder; when the suite runs
with DATABASE_URL pointing at PostgreSQL, each node gets a fresh database on that server,
dropped at the end, so the processes test the database the suite is testing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from tests.flows import Questura


def _postgres_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def node_database(folder: Path) -> Iterator[str | None]:
    """A DATABASE_URL for a node process (None: SQLite in its folder)."""
    server = _postgres_server()
    if server is None:
        yield None
        return
    name = f"test_node_{uuid.uuid4().hex[:12]}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Hubs made by this run name their PostgreSQL databases and roles HUB_PREFIX_CODE: two runs on
# one server (a developer's and CI's) never meet.
HUB_PREFIX = f"test_hub_{os.getpid()}"


def hub_postgres() -> list[str]:
    """`hub add`'s arguments putting a hub's Comuni on the suite's PostgreSQL, if it has one."""
    server = _postgres_server()
    if server is None:
        return []
    return ["--postgres", server.rsplit("/", 1)[0], "--database-prefix", HUB_PREFIX]


def drop_hub_databases(server: str, codes: list[str]) -> None:
    with psycopg.connect(server, autocommit=True) as admin:
        for code in codes:
            admin.execute(f'DROP DATABASE IF EXISTS "{HUB_PREFIX}_{code}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{HUB_PREFIX}_{code}"')


# `python -c PEAK_SCRIPT ARGS` runs `python ARGS` (a script, or `-m module`) and writes the
# process's own peak resident set (VmHWM, in kB) to $INTERSCAMBIO_PEAK_FILE as it exits. wait4's
# ru_maxrss would not do: Linux starts a child's at its parent's, across fork and exec. The flow
# benchmark measures with it too.
PEAK_FILE_VARIABLE = "INTERSCAMBIO_PEAK_FILE"
PEAK_SCRIPT = """
import atexit, os, runpy, sys


def _peak():
    with open("/proc/self/status") as status:
        kb = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    with open(os.environ["INTERSCAMBIO_PEAK_FILE"], "w") as out:
        out.write(kb)


atexit.register(_peak)
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


@dataclass
class NodeProcess:
    role: str
    node_id: str
    data_dir: Path
    database_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            INTERSCAMBIO_ROLE=self.role,
            INTERSCAMBIO_NODE_ID=self.node_id,
            INTERSCAMBIO_NODE_NAME=f"{self.role} {self.node_id}",
            INTERSCAMBIO_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="interscambio.project.settings",
            **self.extra,
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "interscambio", *args]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args), env=self.environment(), capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`interscambio {' '.join(args)}` exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def run_measured(self, *args: str) -> tuple[str, int]:
        """Run a command to its end: (its standard output, its own peak resident bytes).

        The peak is the command's own (its VmHWM as it exits), not the wait4 figure: Linux
        carries the parent's high-water mark across the fork and exec into the child's
        ru_maxrss, so after hundreds of tests the test process's own size would be measured."""
        with tempfile.TemporaryDirectory() as folder:
            peak_file = Path(folder) / "peak"
            environment = {**self.environment(), PEAK_FILE_VARIABLE: str(peak_file)}
            result = subprocess.run(
                [sys.executable, "-c", PEAK_SCRIPT, "-m", "interscambio", *args],
                env=environment,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise AssertionError(
                    f"`interscambio {' '.join(args)}` exited {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}"
                )
            return result.stdout, int(peak_file.read_text()) * 1024

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def query(self, expression: str) -> str:
        """Evaluate a Python expression in the node (models imported) and return its repr."""
        code = f"from interscambio.exchange.models import *; print(repr({expression}))"
        return self.run("manage", "shell", "-c", code).stdout.strip().splitlines()[-1]


@contextmanager
def comune_trusting_a_questura(
    tmp_path: Path,
) -> Iterator[tuple[NodeProcess, Questura, str | None]]:
    """A migrated Comune node (process), its database's URL, and a Questura whose key the test
    holds, partner by file and trusted. The reconciliation after a flow is off: the tests that
    use this interrupt or measure the import; test_exchange_import tests what follows it."""
    from interscambio.core.trust import certificate_pem, generate_identity, load_identity
    from tests.flows import Questura

    identity = load_identity(*generate_identity("TO", "Questura di Torino"))
    certificate = tmp_path / "questura.crt"
    certificate.write_bytes(certificate_pem(identity.certificate))
    with node_database(tmp_path) as url:
        node = NodeProcess(
            "comune", "001272", tmp_path / "comune", url,
            extra={"INTERSCAMBIO_RECONCILE_AFTER_FLOW": "false"},
        )  # fmt: skip
        node.run("migrate", "-v", "0")
        node.run("keys", "init")
        node.run("partner", "add", "TO", "--name", "Questura", "--transport", "file",
                 "--since", "2026-01-01")  # fmt: skip
        node.run("keys", "trust", str(certificate))
        folder = tmp_path / "questura"
        folder.mkdir()
        yield node, Questura(identity, folder), url
