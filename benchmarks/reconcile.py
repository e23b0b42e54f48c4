# SPDX-License-Identifier: EUPL-1.2
"""Turin scale end to end: a Comune node of 130,000 residents takes in a permit flow of about
10,000 records and reconciles it (import, link, rules, discrepancies stored), on SQLite and on
PostgreSQL. Target: under 30 seconds on 2 cores.

Set-up, not measured: a synthetic city (`interscambio synth --residents N`); a Questura node
loaded with its permits and a Comune node loaded with its gazetteer and registry, partners by
signed files (benchmarks/flows.py's nodes); the Questura exports the flow of the most recent
days of the city that hold at least --records permit records (issues and deliveries), signs it
and puts it in the Comune's inbox. A first, small flow is received and reconciled before, so
the measured run is the node's ordinary monthly run, not its first (which also trains and
saves the linkage model; it is timed too and printed as `first flow`).

Measured, as one process timed from start to exit with its own peak memory:
`interscambio flow receive` on the Comune, which verifies, checks and applies the flow and
then reconciles it (the reconciliation listens for applied flows). The run's own phases come
from its record (`reconciliation_run.seconds`).

    python benchmarks/reconcile.py                               # 130,000 residents, both
    python benchmarks/reconcile.py --residents 20000 --databases sqlite   # quick
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from flows import COMUNE, DATABASES, Node, nodes, postgres_database

TARGET_SECONDS = 30.0


def flow_window(city: Path, records: int) -> tuple[date, date, int]:
    """The last days of the city whose issues and deliveries to Torino reach `records`."""
    days: list[date] = []
    with (city / "questura" / "permessi.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["domicilio_codice_comune"] != COMUNE:
                continue
            days += [
                date.fromisoformat(row[c]) for c in ("data_rilascio", "data_consegna") if row[c]
            ]
    days.sort(reverse=True)
    end = days[0]
    start = days[min(records, len(days)) - 1]
    return start, end, sum(1 for d in days if start <= d <= end)


def set_up(questura: Node, comune: Node, city: Path, exchange: Path, since: date) -> None:
    for node in (questura, comune):
        node.run(node.command("migrate", "-v", "0"))
        node.run(node.command("keys", "init"))
        node.run(node.command("keys", "show", "--out", str(node.data_dir / "node.crt")))
    for node, partner, name, folders in (
        (questura, comune, "Torino", ["--outbox", str(exchange)]),
        (comune, questura, "Questura di Torino", ["--inbox", str(exchange)]),
    ):
        node.run(
            node.command(
                "partner", "add", partner.node_id, "--name", name, "--transport", "file",
                "--since", since.isoformat(), *folders,
            )
        )  # fmt: skip
        node.run(node.command("keys", "trust", str(partner.data_dir / "node.crt")))
    questura.run(
        questura.command("permits", "load", str(city / "questura" / "permessi.csv"), "--quiet")
    )
    comune.run(comune.command("streets", "load", str(city / "comune" / "stradario.csv"), "--quiet"))
    comune.run(
        comune.command(
            "registry", "load", str(city / "comune" / "anagrafe.csv"),
            "--events", str(city / "comune" / "eventi.csv"), "--quiet",
        )
    )  # fmt: skip


def deliver(questura: Node, comune: Node, start: date, end: date) -> tuple[float, int, str]:
    questura.run(questura.command("flow", "export", "--period", f"{start}:{end}"))
    questura.run(questura.command("flow", "send", "--now"))
    return comune.measure(comune.command("flow", "receive"))


def last_run(comune: Node) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); "
        "from interscambio.reconciliation.models import Run; "
        "r = Run.objects.order_by('pk').last(); "
        "print(json.dumps({'error': r.error, 'counts': r.counts, 'seconds': r.seconds}))"
    )
    result: dict[str, object] = json.loads(comune.run([sys.executable, "-c", code]))
    return result


def bench(database: str, city: Path, records: int, root: Path, server: str) -> None:
    questura, comune = nodes(database, root, server)
    comune = replace(comune, reconcile="true")
    exchange = root / database / "exchange"
    if database == "postgresql":
        for node in (questura, comune):
            postgres_database(server, f"bench_{node.role}", create=True)
    try:
        start, end, count = flow_window(city, records)
        first_end = start - timedelta(days=1)
        set_up(questura, comune, city, exchange, first_end - timedelta(days=6))
        for label, (a, b) in (("first flow", (first_end - timedelta(days=6), first_end)),
                              ("monthly flow", (start, end))):  # fmt: skip
            seconds, peak, output = deliver(questura, comune, a, b)
            if "applicato" not in output:
                raise SystemExit(f"the Comune did not apply the flow:\n{output}")
            run = last_run(comune)
            if run["error"]:
                raise SystemExit(f"the reconciliation failed: {run['error']}")
            counts: dict[str, object] = run["counts"]  # type: ignore[assignment]
            phases: dict[str, object] = run["seconds"]  # type: ignore[assignment]
            met = "met" if seconds < TARGET_SECONDS else "NOT met"
            print(
                f"{database:<11} {label:<13} {counts['permits']:>8,} permits {seconds:>7.1f} s "
                f"{peak / 2**20:>7.0f} MB   target {TARGET_SECONDS:.0f} s: "
                f"{met if label == 'monthly flow' else '-'}",
                flush=True,
            )
            shown = {k: v for k, v in phases.items() if isinstance(v, float)}
            print(f"{'':<11}   phases of the reconciliation: {shown}")
            print(f"{'':<11}   found: {counts['findings_by_kind']}", flush=True)
        del count
    finally:
        if database == "postgresql":
            for node in (questura, comune):
                postgres_database(server, f"bench_{node.role}", create=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=130_000)
    parser.add_argument("--records", type=int, default=10_000, help="permit records of the flow")
    parser.add_argument("--databases", default=",".join(DATABASES), help="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--city", type=Path, help="reuse a city written by interscambio synth")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    try:
        city = args.city or root / "city"
        if args.city is None:
            subprocess.run(
                [sys.executable, "-m", "interscambio", "synth", "--out", str(city),
                 "--residents", str(args.residents), "--quiet"],
                check=True,
            )  # fmt: skip
        print(f"a city of {args.residents:,} residents, a flow of about {args.records:,} records")
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            bench(database, city, args.records, root, args.postgres)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
