# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from interscambio.demo.services import (
    COMUNE_CHECKS,
    DEMO_ACCOUNTS,
    QUESTURA_CHECKS,
    Check,
    DemoError,
    DemoLayout,
    compare,
    exchange_checks,
    exchange_round,
    free_port,
    load_comune,
    load_questura,
    pair_nodes,
    portal_accounts,
    reconciliation,
    serve_portal,
    serving,
)
from interscambio.reconciliation.kinds import KINDS


def shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:,}" for k, v in value.items())
    return "—" if value is None else f"{value:,}"


class Command(BaseCommand):
    help = (
        "Build a synthetic city, load a Comune node and a Questura node from its extracts, "
        "let them exchange signed flows with receipts, and check what they hold against the "
        "city's ground truth."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=20_000, help="default 20000")
        parser.add_argument("--seed", type=int, default=1, help="default 1")
        parser.add_argument("--months", type=int, default=24, help="history length, default 24")
        parser.add_argument(
            "--dir", type=Path, help="demo folder (default: the data folder's demo/)"
        )
        parser.add_argument(
            "--fresh", action="store_true", help="rebuild the city even if one can be reused"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bars")
        parser.add_argument(
            "--serve",
            type=int,
            nargs="?",
            const=8000,
            metavar="PORT",
            help="then serve the Comune's portal on 127.0.0.1:PORT (default 8000) until Ctrl-C",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        layout = DemoLayout((options["dir"] or settings.DATA_DIR / "demo").resolve())
        parameters = {name: options[name] for name in ("residents", "seed", "months")}
        console.print(
            Panel.fit(
                "[bold]interscambio demo[/]: a synthetic Turin, its registry office (Comune) and "
                "its immigration office (Questura)\n"
                f"{parameters['residents']:,} foreign residents, seed {parameters['seed']}, "
                f"{parameters['months']} months of history, in {layout.root}",
            )
        )
        started = time.monotonic()
        try:
            self.run_steps(console, layout, parameters, options)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        checks = compare("Comune", COMUNE_CHECKS, layout.truth()["counts"], self.loaded["comune"])
        checks += compare(
            "Questura", QUESTURA_CHECKS, layout.truth()["counts"], self.loaded["questura"]
        )
        exchanged, flows = exchange_checks(layout)
        self.summarize(console, layout, checks + exchanged, flows)
        self.show_reconciliation(console, layout)
        checks += exchanged
        try:
            password = portal_accounts(layout, timezone.localdate())
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self.show_portal(console, password, options["serve"])
        console.print(f"Done in {time.monotonic() - started:.1f} s.")
        if not all(c.ok for c in checks):
            raise CommandError(
                "some node counts differ from the synthetic city's truth, or a flow was not "
                "acknowledged with all its records"
            )
        if options["serve"]:
            console.print(f"Serving http://127.0.0.1:{options['serve']}/ (Ctrl-C to stop).")
            serve_portal(layout, options["serve"])

    def show_portal(self, console: Console, password: Path, port: int | None) -> None:
        console.rule("6. The portal")
        users = ", ".join(f"{user} ({role})" for user, _, role in DEMO_ACCOUNTS)
        console.print(
            f"Accounts on the Comune's portal: {users}; the password of all of them is in "
            f"{password}. At the first login each sets up its second factor with any "
            "authenticator app (TOTP), from the QR code.",
            highlight=False,
        )
        if port is None:
            console.print("To open it: python3 dev.py demo --serve (then http://127.0.0.1:8000/).")

    def run_steps(
        self,
        console: Console,
        layout: DemoLayout,
        parameters: dict[str, int],
        options: dict[str, Any],
    ) -> None:
        layout.root.mkdir(parents=True, exist_ok=True)
        if not options["fresh"] and layout.reusable_city(parameters):
            console.print(
                f"[green]Reusing[/] the synthetic city in {layout.city} (same parameters)."
            )
        else:
            console.rule("1. Synthetic city")
            layout.build_city(parameters)
        console.print("Starting both nodes over on fresh SQLite databases.")
        layout.reset_nodes()
        console.rule(f"2. {layout.comune.label}: migrate, street gazetteer, registry")
        load_comune(layout, options["quiet"])
        console.rule(f"3. {layout.questura.label}: migrate, permits")
        load_questura(layout, options["quiet"])
        # What the nodes loaded, before the exchange and the renewals it records change it.
        self.loaded = {"comune": layout.comune.counts(), "questura": layout.questura.counts()}
        console.rule("4. The exchange: keys, partners, signed flows and receipts")
        port = free_port()
        since = pair_nodes(layout, port)
        console.print(
            f"Periods from {since}. {layout.comune.label} → {layout.questura.label}: registry "
            f"flows by API (http://127.0.0.1:{port}/). {layout.questura.label} → "
            f"{layout.comune.label}: permit flows as signed files in {layout.root / 'files'}."
        )
        with serving(layout.questura, port):
            # Each round exports what is due, sends it, takes in what arrived (flows, receipts).
            for node in (layout.comune, layout.questura, layout.comune, layout.questura):
                for line in exchange_round(node):
                    console.print(f"  [bold]{node.label}[/]: {line}", highlight=False)

    def show_reconciliation(self, console: Console, layout: DemoLayout) -> None:
        console.rule("5. Reconciliation: links, renewals, discrepancies")
        console.print(
            "Each node reconciled every flow it applied; once more now, as of the city's date, "
            "with the periodic rules (`interscambio reconcile`)."
        )
        table = Table(title="Discrepancies open or in review on each node")
        for column in ("node", "kind", "open"):
            table.add_column(column, justify="right" if column == "open" else "left")
        for label, report in reconciliation(layout).items():
            for kind, n in sorted(report["current_by_kind"].items()):
                table.add_row(label, f"{kind} ({KINDS[kind].label})", f"{n:,}")
            counts = report["counts"]
            if "renewals_recorded" in counts:
                console.print(
                    f"{label}: {counts['attributed']:,} of {counts['permits']:,} permits "
                    "attributed to a registry person; renewals recorded without a visit in all "
                    "runs: "
                    f"{report['renewals_recorded_total']:,}.",
                    highlight=False,
                )
        console.print(table)

    def summarize(
        self, console: Console, layout: DemoLayout, checks: list[Check], flows: list[dict[str, Any]]
    ) -> None:
        sent = Table(title="Flows sent, and what the receiver's signed receipt said")
        for column in ("from", "type", "#", "period", "records", "state"):
            sent.add_column(column, justify="right" if column in {"#", "records"} else "left")
        for f in flows:
            state = f["state"]
            colour = "green" if state == "acknowledged" else "red"
            sent.add_row(
                f["from"], f["flow_type"], str(f["sequence"] or ""), f["period"],
                "" if f["records"] is None else f"{f['records']:,}", f"[{colour}]{state}[/]",
            )  # fmt: skip
        console.print(sent)
        table = Table(title="What each node holds, against the ground truth")
        for column in ("node", "count", "in the node", "in the truth", ""):
            table.add_column(column, justify="right" if column.startswith("in") else "left")
        for c in checks:
            mark = "[green]✓[/]" if c.ok else "[red]✗ differs[/]"
            table.add_row(c.node, c.name, shown(c.actual), shown(c.expected), mark)
        console.print(table)

        truth = layout.truth()["counts"]
        ahead = Table(title="What reconciliation will have to find (ground truth)")
        ahead.add_column("in the synthetic city")
        ahead.add_column("how many", justify="right")
        ahead.add_row("permits linked to a registry person", shown(truth.get("links")))
        ahead.add_row(
            "permit holders not in the registry", shown(truth.get("holders_not_in_registry"))
        )
        ahead.add_row(
            "permit holders in other comuni of the province",
            shown(truth.get("holders_other_comuni")),
        )
        for kind, n in sorted(truth.get("discrepancies_by_kind", {}).items()):
            ahead.add_row(f"discrepancies: {kind}", shown(n))
        console.print(ahead)
        layout.report.write_text(
            json.dumps(
                {
                    "checks": [
                        {
                            "node": c.node,
                            "name": c.name,
                            "node_value": c.actual,
                            "truth": c.expected,
                        }
                        for c in checks
                    ],
                    "flows": flows,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        console.print(f"Nodes' data: {layout.comune.data_dir} and {layout.questura.data_dir}")
