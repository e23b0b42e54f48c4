# SPDX-License-Identifier: EUPL-1.2
"""The `interscambio` command: one entry point for every job of a node.

Django jobs run as management commands; the synthetic city is framework-free and
runs without touching a database.
"""

from __future__ import annotations

import os
import sys

from interscambio import __version__

# name -> one line of help. Order is the order of `interscambio --help`.
COMMANDS: dict[str, str] = {
    "demo": "Build a synthetic city and load a Comune node and a Questura node from it",
    "synth": "Write a synthetic city: registry and permit extracts plus the ground truth",
    "link": "Link two CSV files of person records: which record is which person",
    "migrate": "Create or upgrade this node's database",
    "node": "Show this node's role, name, database and what it holds",
    "streets": "Load the Comune's street gazetteer (stradario) from its CSV extract",
    "registry": "Load the registry of foreign residents (anagrafe) from its CSV extracts",
    "permits": "Load the Questura's residence permits from its CSV extract",
    "keys": "This node's signing key and certificate; the partners' certificates it trusts",
    "partner": "The partner nodes this node exchanges flows with",
    "flow": "Flows: export, send, receive, import, status, show, release, refuse",
    "reconcile": "Reconcile the partner's records with this node's: links, renewals, discrepancies",
    "discrepancies": "The discrepancies found, and the work queue's actions on them",
    "deadlines": "The registry's deadlines per resident: run the daily job, show, list by state",
    "notices": "Letters to residents whose permit expires or expired: PDF, CSV, recorded as sent",
    "prefill": "A resident's pre-filled permit application as JSON, CSV or PDF, logged",
    "report": "The quarterly report for the technical table: figures, charts, PDF or JSON",
    "access": "Offices, the agreement and authorizations: who may act in which role until when",
    "audit": "The access log: sign a tree head, verify the whole log, export it for the Prefettura",
    "schedule": "One round of the exchange's routine (for cron)",
    "backup": "Back the node up into a folder, or restore a backup into an empty node",
    "purge": "Delete what is past its retention: flow files, receipts, resolved discrepancies",
    "serve": "Serve this node's API to its partners (waitress)",
    "hub": "Host several Comuni in one installation: add one, list them, run a command in each",
    "manage": "Run any Django management command (for administrators)",
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        f"interscambio {__version__}: the Comune-Questura exchange node",
        "",
        "usage: interscambio COMMAND [ARGS...]   (interscambio COMMAND --help for its options)",
        "",
        "commands:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "The node is configured by environment variables: INTERSCAMBIO_ROLE (comune|questura),",
        "INTERSCAMBIO_NODE_ID, INTERSCAMBIO_DATA_DIR, DATABASE_URL (see docs/configuration.md).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    if args[0] == "--version":
        print(__version__)
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"interscambio: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if name == "synth":
        from interscambio.core.synth.cli import main as synth_main

        return synth_main(rest)
    if name == "link":
        from interscambio.linkage.cli import main as link_main

        return link_main(rest)
    if name == "hub":
        from interscambio.hub.cli import main as hub_main

        return hub_main(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interscambio.project.settings")
    from django.core.management import execute_from_command_line

    argv_django = ["interscambio", *rest] if name == "manage" else ["interscambio", name, *rest]
    from django.db import DatabaseError

    try:
        execute_from_command_line(argv_django)
    except DatabaseError:
        pending = _unapplied_migrations()
        if not pending:
            raise
        print(
            f"interscambio {name}: the node's database is not up to date ({pending} migrations "
            "not applied): run `interscambio migrate` first",
            file=sys.stderr,
        )
        return 1
    return 0


def _unapplied_migrations() -> int:
    """How many migrations the node's database lacks (0 when it cannot be told): the reason
    behind a "no such table" on a new or not yet upgraded node."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
