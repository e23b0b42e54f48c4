# SPDX-License-Identifier: EUPL-1.2
"""`interscambio hub`: add a Comune to the hub, list them, run a command in one or in each."""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from interscambio.hub import databases, instances
from interscambio.hub.registry import Comune, Hub, HubError, open_hub


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interscambio hub",
        description="One installation hosting several Comuni, each a node of its own.",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=os.environ.get("INTERSCAMBIO_HUB_DIR"),
        help="the hub's folder (default: $INTERSCAMBIO_HUB_DIR)",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="host a new Comune: folder, database, key, partner")
    add.add_argument("code", help="the Comune's ISTAT code, its node id (e.g. 001272)")
    add.add_argument("name", help="the Comune's name")
    add.add_argument("--port", type=int, help="its web server's port (default: the next free)")
    add.add_argument(
        "--postgres",
        help="PostgreSQL server URL with the right to create databases and roles; kept for the "
        "Comuni added later (default: the hub's, else SQLite in each Comune's folder)",
    )
    add.add_argument(
        "--database-prefix",
        help="name the Comuni's PostgreSQL databases and roles PREFIX_CODE; set with the first "
        "Comune and kept (default: interscambio)",
    )
    add.add_argument("--questura", help="the Questura's node id (e.g. TO), to add it as partner")
    add.add_argument("--questura-name", default="")
    add.add_argument("--transport", choices=("api", "file"), default="api")
    add.add_argument("--url", default="", help="the Questura's base URL (api transport)")
    add.add_argument("--since", type=date.fromisoformat, help="first day of the exchange")
    add.add_argument("--certificate", type=Path, help="the Questura's certificate (PEM)")
    listing = actions.add_parser("list", help="the Comuni the hub hosts")
    listing.add_argument("--json", action="store_true")
    one = actions.add_parser("run", help="run an interscambio command as one Comune's node")
    one.add_argument("code")
    one.add_argument("command", nargs=argparse.REMAINDER)
    each = actions.add_parser("each", help="run an interscambio command in every Comune")
    each.add_argument(
        "--jobs", type=int, default=1, help="Comuni at a time (default 1: one after the other)"
    )
    each.add_argument("command", nargs=argparse.REMAINDER)
    partners = actions.add_parser(
        "partners", help="the Comuni as a partner list for the Questura (`partner import`)"
    )
    partners.add_argument(
        "--url-template",
        required=True,
        help="each Comune's public base URL, with {code} and {port}, e.g. "
        "https://{code}.hub.example.it/",
    )
    partners.add_argument("--since", type=date.fromisoformat, required=True)
    partners.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    return parser


def _add(hub: Hub, args: argparse.Namespace) -> int:
    if args.postgres and not hub.postgres:
        hub.postgres = args.postgres
    if args.database_prefix and args.database_prefix != hub.database_prefix:
        if hub.comuni:
            raise HubError(
                f"database prefix: the hub's Comuni are named {hub.database_prefix}_CODE "
                "already; the prefix is chosen with the first Comune"
            )
        hub.database_prefix = databases.check_prefix(args.database_prefix)
    questura = None
    if args.questura:
        if args.since is None:
            raise HubError("--since is required with --questura")
        questura = instances.Questura(
            args.questura, args.questura_name, args.transport, args.url, args.since,
            args.certificate,
        )  # fmt: skip
    comune = instances.add(hub, args.code, args.name, port=args.port, questura=questura)
    where = "PostgreSQL" if comune.database else "SQLite"
    print(
        f"added {comune.name} ({comune.code}): {hub.folder_of(comune)}, {where}, port {comune.port}"
    )
    print(f"its certificate for the Questura: {instances.certificate(hub, comune)}")
    print(f"next: interscambio hub run {comune.code} registry load ANAGRAFE.csv ...")
    return 0


def _list(hub: Hub, args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([c.__dict__ for c in hub.comuni], indent=2, ensure_ascii=False))
        return 0
    if not hub.comuni:
        print("no Comune yet: interscambio hub add CODE NAME")
    for c in hub.comuni:
        where = "PostgreSQL" if c.database else "SQLite"
        print(f"{c.code}  {c.name:30} port {c.port}  {where}  since {c.added}")
    return 0


def _command(args: argparse.Namespace) -> list[str]:
    command = [a for a in args.command if a != "--"]
    if not command:
        raise HubError("name the interscambio command to run, e.g. `schedule`")
    return command


def _run(hub: Hub, args: argparse.Namespace) -> int:
    return instances.run(hub, hub.find(args.code), _command(args)).returncode


def _each(hub: Hub, args: argparse.Namespace) -> int:
    command, failed = _command(args), []
    if args.jobs < 1:
        raise HubError("--jobs must be 1 or more")
    started = time.monotonic()

    def one(comune: Comune) -> subprocess.CompletedProcess[str]:
        # With several at a time, each one's output is held and printed whole, in order.
        return instances.run(hub, comune, command, capture=args.jobs > 1)

    def header(number: int, comune: Comune) -> None:
        print(f"== {comune.code} {comune.name} ({number}/{len(hub.comuni)})", flush=True)

    if args.jobs == 1:
        for number, comune in enumerate(hub.comuni, 1):
            header(number, comune)
            # One Comune failing does not stop the others: each round is its own.
            if one(comune).returncode != 0:
                failed.append(comune.code)
    else:
        with ThreadPoolExecutor(args.jobs) as pool:
            done = pool.map(one, hub.comuni)
            for number, (comune, result) in enumerate(zip(hub.comuni, done, strict=True), 1):
                header(number, comune)
                print(result.stdout, end="")
                print(result.stderr, end="", file=sys.stderr)
                if result.returncode != 0:
                    failed.append(comune.code)
    seconds = time.monotonic() - started
    print(
        f"{' '.join(command)}: {len(hub.comuni) - len(failed)} of {len(hub.comuni)} Comuni "
        f"done in {seconds:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


def _partners(hub: Hub, args: argparse.Namespace) -> int:
    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out)
        writer.writerow(["node_id", "name", "transport", "url", "since", "certificate"])
        for c in hub.comuni:
            url = args.url_template.format(code=c.code, port=c.port)
            cert = instances.certificate(hub, c)
            writer.writerow([c.code, c.name, "api", url, args.since.isoformat(), str(cert)])
    finally:
        if args.out:
            out.close()
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.dir is None:
        print(
            "interscambio hub: name the hub's folder with --dir or INTERSCAMBIO_HUB_DIR",
            file=sys.stderr,
        )
        return 2
    try:
        hub = open_hub(args.dir.resolve(), create=args.action == "add")
        handlers = {"add": _add, "list": _list, "run": _run, "each": _each, "partners": _partners}
        return handlers[args.action](hub, args)
    except HubError as error:
        print(f"interscambio hub: {error}", file=sys.stderr)
        return 1
