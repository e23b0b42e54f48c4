# SPDX-License-Identifier: EUPL-1.2
"""How fast a month's permit flow leaves a Questura node and enters a Comune node, and in how
much memory.

For each database the script sets up two nodes as two offices run them, each with its own data
folder and database (a SQLite file, or the PostgreSQL databases bench_questura and
bench_comune): a Questura node (TO) holding N permits, all issued in September 2026 to holders
domiciled in Torino (001272), so that the month's permit flow holds N records; and a Comune
node (001272). Both are migrated, make their keys, add each other as file-transport partners
and trust each other's certificate through the `interscambio` command. The permits are
synthetic (the synthetic city's names, streets and domicile texts, valid codici fiscali) and
inserted in bulk, COPY on PostgreSQL. None of this is measured.

Then each phase runs as its own process, timed from start to exit, with its own peak memory
(the process's own high-water resident set, VmHWM, read as it exits):

- export: `interscambio flow export --period 2026-09` on the Questura: the records read from
  its database, written, hashed and signed;
- import: `interscambio flow receive` on the Comune, the flow and its signature in its inbox
  (`flow send` on the Questura put them there, not measured): the signature checked, every
  record checked and inserted in one transaction, the receipt signed. The Comune must then
  hold N received permits in one applied flow.

Its peers, on the same file in the same run and with no database, show how much of the import
is database work: `read` is the flow reader alone (decoding, checks, hash); `read + rows` adds
the rows the import would insert, so import minus `read + rows` is the database's share.

    python benchmarks/flows.py                                     # 1,000,000 records, both
    python benchmarks/flows.py --records 20000 --databases sqlite  # a quick run
    python benchmarks/flows.py --keep     # leave the nodes' folders and databases to look at

PostgreSQL is the server at --postgres (postgres://postgres@127.0.0.1:5432 by default); its
databases bench_questura and bench_comune are created afresh and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# The repository's root: each measured process reports its own peak as tests/nodes.py's do.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.nodes import PEAK_FILE_VARIABLE, PEAK_SCRIPT

PERIOD = "2026-09"
ISSUED_FROM = date(2026, 9, 1)
DELIVERED_FROM = date(2026, 10, 1)  # deliveries fall in another month's flow
COMUNE, QUESTURA = "001272", "TO"
DATABASES = ("sqlite", "postgresql")
PERMIT_COLUMNS = (
    "number",
    "kind",
    "reason",
    "channel",
    "application_number",
    "registered_post_number",
    "application_date",
    "issue_date",
    "delivery_date",
    "expiry_date",
    "status",
    "previous_number",
    "holder_cui",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "domicile_address",
    "domicile_comune",
    "domicile_comune_code",
)


# --- the nodes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    role: str
    node_id: str
    name: str
    data_dir: Path
    database_url: str
    reconcile: str = "false"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            INTERSCAMBIO_ROLE=self.role,
            INTERSCAMBIO_NODE_ID=self.node_id,
            INTERSCAMBIO_NODE_NAME=self.name,
            INTERSCAMBIO_DATA_DIR=str(self.data_dir),
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="interscambio.project.settings",
            # The import alone is measured here; benchmarks/reconcile.py measures both.
            INTERSCAMBIO_RECONCILE_AFTER_FLOW=self.reconcile,
        )
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "interscambio", *args]

    def step(self, *args: str) -> list[str]:
        """One of this script's own steps, run in the node's environment."""
        return [sys.executable, __file__, "--step", *args]

    def run(self, command: list[str]) -> str:
        result = subprocess.run(
            command, env=self.environment(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(
                f"{self.role}: {' '.join(command[1:])} failed (exit {result.returncode})\n"
                f"{result.stdout}{result.stderr}"
            )
        return result.stdout

    def measure(self, command: list[str]) -> tuple[float, int, str]:
        """(seconds from start to exit, peak resident bytes, stdout) of one process."""
        with tempfile.TemporaryDirectory() as folder:
            peak_file = Path(folder) / "peak"
            environment = {**self.environment(), PEAK_FILE_VARIABLE: str(peak_file)}
            started = time.perf_counter()
            result = subprocess.run(
                [command[0], "-c", PEAK_SCRIPT, *command[1:]],
                env=environment,
                stdout=subprocess.PIPE,
                check=False,
            )
            seconds = time.perf_counter() - started
            output = result.stdout.decode("utf-8", errors="replace")
            if result.returncode != 0:
                raise SystemExit(
                    f"{self.role}: {' '.join(command[1:])} failed (exit {result.returncode})\n"
                    f"{output}"
                )
            return seconds, int(peak_file.read_text()) * 1024, output


def postgres_database(server: str, name: str, *, create: bool) -> None:
    """Drop the database `name` if it exists, then create it afresh when `create`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def nodes(database: str, root: Path, server: str) -> tuple[Node, Node]:
    made = []
    for role, node_id, name in (
        ("questura", QUESTURA, "Questura di Torino"),
        ("comune", COMUNE, "Torino"),
    ):
        folder = root / database / role
        folder.mkdir(parents=True)
        url = (
            f"{server}/bench_{role}"
            if database == "postgresql"
            else f"sqlite:///{folder / 'interscambio.sqlite3'}"
        )
        made.append(Node(role, node_id, name, folder, url))
    return made[0], made[1]


def set_up(questura: Node, comune: Node, records: int, exchange: Path) -> None:
    """Two nodes that trust each other, the Questura holding `records` permits of the month."""
    for node in (questura, comune):
        node.run(node.command("migrate", "-v", "0"))
        node.run(node.command("keys", "init"))
        node.run(node.command("keys", "show", "--out", str(node.data_dir / "node.crt")))
    for node, partner, name in (
        (questura, comune, "Torino"),
        (comune, questura, "Questura di Torino"),
    ):
        folders = ["--outbox", str(exchange)] if node is questura else ["--inbox", str(exchange)]
        node.run(
            node.command(
                "partner", "add", partner.node_id, "--name", name, "--transport", "file",
                "--since", "2026-01-01", *folders,
            )
        )  # fmt: skip
        node.run(node.command("keys", "trust", str(partner.data_dir / "node.crt")))
    questura.run(questura.step("load", "--records", str(records)))


# --- the steps run inside a node's process ----------------------------------------------------


def synthetic_permit(n: int, rng: random.Random) -> tuple[Any, ...]:
    """A permit issued in September 2026 to a holder domiciled in Torino (PERMIT_COLUMNS)."""
    from interscambio.core.identity.codice_fiscale import encode
    from interscambio.core.synth.catalog import catalog
    from interscambio.core.synth.people import given_name, pick_address, pick_origin, surname_for
    from interscambio.core.synth.permits import ADULT_REASONS, DURATION_MONTHS
    from interscambio.core.synth.questura import domicile_text

    city = catalog()
    origin = pick_origin(rng, eu_allowed=False)
    pool = city.pools[origin.style]
    sex = rng.choice("MF")
    surname, given = surname_for(rng, pool, origin.style), given_name(rng, pool, origin.style, sex)
    born = ISSUED_FROM - timedelta(days=rng.randint(18 * 365, 70 * 365))
    issued = ISSUED_FROM + timedelta(days=rng.randrange(30))
    roll = rng.random()
    if roll < 0.25:
        kind, reason = "UELP", "lungo_periodo"
    elif roll < 0.27:
        kind, reason = "CS", "familiare_ue"
    else:
        kind = "PS"
        reason = rng.choices([r for r, _ in ADULT_REASONS], [w for _, w in ADULT_REASONS])[0]
    channel = rng.choices(["kit_postale", "prenotafacile", "sportello"], [70, 20, 10])[0]
    kit = channel == "kit_postale"
    delivered = DELIVERED_FROM + timedelta(days=rng.randrange(31)) if rng.random() < 0.9 else None
    return (
        f"I{n + 1:010d}",
        kind,
        reason,
        channel,
        f"{rng.randrange(10**10):010d}" if kit else "",
        f"{rng.randrange(10**12):012d}" if kit else "",
        issued - timedelta(days=rng.randint(25, 200)),
        issued,
        delivered,
        issued + timedelta(days=int(DURATION_MONTHS[reason] * 30.44)),
        "consegnato" if delivered else "rilasciato",
        f"I{n + 50_000_001:010d}" if rng.random() < 0.6 else "",
        f"{rng.randrange(10**10):010d}",
        encode(surname, given, sex, born, origin.belfiore) if rng.random() < 0.95 else "",
        surname,
        given,
        sex,
        born,
        origin.name,
        origin.country,
        domicile_text(rng, city, pick_address(rng, city)),
        "TORINO",
        COMUNE,
    )


def load_permits(records: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from interscambio.exchange.bulk import bulk_insert
    from interscambio.permits.models import Permit

    rng = random.Random(1)
    with transaction.atomic(), bulk_insert(Permit, PERMIT_COLUMNS) as put:
        for n in range(records):
            put(synthetic_permit(n, rng))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as a database in service has them


def check_import(records: int) -> None:
    import django

    django.setup()
    from interscambio.exchange.models import Flow, ReceivedPermit

    flows = list(Flow.objects.filter(direction="in").values_list("state", "record_count"))
    held = ReceivedPermit.objects.count()
    if flows != [("applied", records)] or held != records:
        raise SystemExit(f"the Comune holds {held:,} permits and flows {flows}, not {records:,}")


def read(path: Path, rows: bool) -> None:
    """The import's work without the database: read and check, and build the rows if `rows`.

    As in the import, the duplicate ids are left to the database's unique constraint."""
    from interscambio.core.flows import FlowReader

    to_row = None
    if rows:
        import django

        django.setup()
        from interscambio.exchange.received import TABLES

        to_row = TABLES["permessi"][2]
    problems = 0
    with path.open("rb") as stream:
        for item in FlowReader(stream, COMUNE, duplicates=False):
            problems += len(item.problems)
            if to_row is not None:
                to_row(1, item.line, item.record)
    if problems:
        raise SystemExit(f"{path}: {problems} problems")


def step(name: str, records: int, path: Path) -> None:
    if name == "load":
        load_permits(records)
    elif name == "check":
        check_import(records)
    else:
        read(path, rows=name == "rows")


# --- the benchmark ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    database: str
    phase: str
    records: int
    seconds: float
    peak: int

    def __str__(self) -> str:
        return (
            f"{self.database:<11} {self.phase:<14} {self.records:>10,} {self.seconds:>8.1f} "
            f"{self.records / self.seconds:>10,.0f} {self.peak / 2**20:>8.0f}"
        )


HEADER = (
    f"{'database':<11} {'phase':<14} {'records':>10} {'seconds':>8} {'records/s':>10} "
    f"{'peak MB':>8}"
)


def bench(database: str, records: int, root: Path, server: str, keep: bool) -> int:
    """Print the rows of one database as they are measured; returns the flow's size."""
    questura, comune = nodes(database, root, server)
    exchange = root / database / "exchange"
    if database == "postgresql":
        for node in (questura, comune):
            postgres_database(server, f"bench_{node.role}", create=True)
    try:
        set_up(questura, comune, records, exchange)
        seconds, peak, _ = questura.measure(questura.command("flow", "export", "--period", PERIOD))
        print(Row(database, "export", records, seconds, peak), flush=True)
        questura.run(questura.command("flow", "send", "--now"))
        (flow,) = exchange.glob("*.ndjson")
        size = flow.stat().st_size
        seconds, peak, output = comune.measure(comune.command("flow", "receive"))
        if "applicato" not in output:
            raise SystemExit(f"the Comune did not apply the flow:\n{output}")
        print(Row(database, "import", records, seconds, peak), flush=True)
        comune.run(comune.step("check", "--records", str(records)))
        (stored,) = (comune.data_dir / "flows" / "in" / QUESTURA).glob("*.ndjson")
        for phase, step in (("  read", "read"), ("  read + rows", "rows")):
            seconds, peak, _ = comune.measure(comune.step(step, "--path", str(stored)))
            print(Row(database, phase, records, seconds, peak), flush=True)
    finally:
        if database == "postgresql" and not keep:
            for node in (questura, comune):
                postgres_database(server, f"bench_{node.role}", create=False)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--databases", default=",".join(DATABASES), help="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the folders and databases")
    parser.add_argument("--step", choices=["load", "check", "read", "rows"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step is not None:
        step(args.step, args.records, args.path)
        return
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - set(DATABASES)
    if unknown or not databases:
        parser.error(f"--databases: choose among {', '.join(DATABASES)}")
    root = Path(tempfile.mkdtemp(prefix="bench-flows-"))
    print(f"a {PERIOD} permit flow of {args.records:,} records; CPUs: {os.cpu_count()}")
    print("peers (indented): the same file read without a database, in the same run")
    print(HEADER, flush=True)
    sizes = {}
    try:
        for database in databases:
            sizes[database] = bench(database, args.records, root, args.postgres, args.keep)
    finally:
        if args.keep:
            kept = ", databases bench_questura, bench_comune" if "postgresql" in databases else ""
            print(f"kept: {root}{kept}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    for database, size in sizes.items():
        per_record = size / args.records
        print(f"flow file ({database}): {size / 2**20:,.0f} MB, {per_record:,.0f} bytes a record")


if __name__ == "__main__":
    main()
