# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from interscambio.core import deadlines as rules
from interscambio.deadlines import services
from interscambio.deadlines.models import STATE_LABELS, Deadline, Transition
from interscambio.node.roles import require_role
from interscambio.registry.models import Resident

DATES = ("expiry", *services.DATE_FIELDS[1:], "due_date")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class Command(BaseCommand):
    help = (
        "The registry's deadlines for each foreign resident (docs/deadlines.md): run the daily "
        "job, show one person's deadlines and history, list the people in a state."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="recompute everyone; record the changes of state")
        run.add_argument("--date", type=date.fromisoformat, help="reference date (default today)")
        run.add_argument("--if-due", action="store_true", help="only if not yet run for the date")
        run.add_argument("--json", action="store_true", help="print the report as JSON")
        show = actions.add_parser("show", help="one person's deadlines and history")
        show.add_argument("person", help="codice fiscale or id anagrafe")
        show.add_argument("--json", action="store_true")
        listing = actions.add_parser("list", help="the people in a state, nearest deadline first")
        listing.add_argument("--state", required=True, choices=rules.STATES)
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run" and options["if_due"] and settings.NODE_ROLE != "comune":
            # The scheduler's unit is the same on both nodes: nothing is due on a Questura's.
            self.stdout.write("deadlines are a comune node's: nothing to do")
            return
        require_role("comune", "interscambio deadlines")
        getattr(self, f"_{options['action']}")(options)

    def _run(self, options: dict[str, Any]) -> None:
        today = options["date"] or timezone.localdate()
        report = services.run(today, if_due=options["if_due"])
        if report is None:
            self.stdout.write(f"deadlines already computed for {today}")
            return
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), indent=2))
            return
        console = Console(file=self.stdout, width=100)
        table = Table(title=f"Deadlines as of {today}")
        table.add_column("state")
        table.add_column("people", justify="right")
        for state, count in report.by_state.items():
            table.add_row(f"{state} ({STATE_LABELS[state]})", f"{count:,}")
        console.print(table)
        for move, count in report.transitions.items():
            console.print(f"{move}: {count:,}", highlight=False)
        q = report.queue
        console.print(
            f"{sum(report.transitions.values()):,} transitions, {report.changed:,} records "
            f"changed; queue: {q['opened']:,} opened, {q['updated']:,} updated, "
            f"{q['closed']:,} closed. {report.run.seconds:.1f} s.",
            highlight=False,
        )

    def _show(self, options: dict[str, Any]) -> None:
        key = options["person"].strip().upper()
        found = list(Resident.objects.filter(Q(registry_id=key) | Q(codice_fiscale=key))[:2])
        if not found:
            raise CommandError(f"no registry person with id anagrafe or codice fiscale {key}")
        if len(found) > 1:
            raise CommandError(f"{key} names more than one person: use the id anagrafe")
        person = found[0]
        record = Deadline.objects.filter(resident=person).first()
        if record is None:
            raise CommandError(f"{person.registry_id} has no deadlines yet: run `deadlines run`")
        history = Transition.objects.filter(registry_id=person.registry_id).order_by("date", "pk")
        data = {
            "registry_id": person.registry_id,
            "state": record.state,
            "since": record.since.isoformat(),
            "reason": record.reason,
            **{name: _day(getattr(record, name)) for name in DATES},
            "history": [
                {
                    "date": t.date.isoformat(),
                    "from": t.from_state,
                    "to": t.to_state,
                    "reason": t.reason,
                }
                for t in history
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"{person} — {record.state} ({STATE_LABELS[record.state]})")
        self.stdout.write(f"  since {record.since}: {record.reason}")
        for name in DATES:
            if data[name]:
                self.stdout.write(f"  {name}: {data[name]}")
        for move in data["history"]:
            self.stdout.write(
                f"  {move['date']}  {move['from'] or '-'} -> {move['to']}  ({move['reason']})"
            )

    def _list(self, options: dict[str, Any]) -> None:
        rows = (
            Deadline.objects.filter(state=options["state"])
            .select_related("resident")
            .order_by("due_date", "resident__registry_id")
        )
        found = [
            {
                "registry_id": d.resident.registry_id,
                "name": f"{d.resident.surname} {d.resident.given_names}",
                "since": d.since.isoformat(),
                "due_date": _day(d.due_date),
                "expiry": _day(d.expiry),
            }
            for d in rows.iterator(2_000)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(found, indent=2))
            return
        for item in found:
            self.stdout.write(
                f"{item['registry_id']:<12} {item['name'][:40]:<40} due {item['due_date'] or '-'}"
                f"  expiry {item['expiry'] or '-'}  since {item['since']}"
            )
        self.stdout.write(f"{len(found):,} in {options['state']}")
