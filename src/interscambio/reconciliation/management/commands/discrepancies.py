# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from interscambio.reconciliation import kinds
from interscambio.reconciliation.actions import ActionError, change, record_renewal
from interscambio.reconciliation.models import Discrepancy

ACTIONS = {
    "list": "the discrepancies, most urgent first (--kind, --status, --limit, --json)",
    "show": "one discrepancy with its evidence and history",
    "take": "take one up (in review)",
    "resolve": "resolve one, saying the outcome",
    "dismiss": "dismiss one, saying why",
    "reopen": "reopen a resolved or dismissed one",
    "record-renewal": "record a proposed renewal in the registry and resolve it",
}


class Command(BaseCommand):
    help = "The discrepancies reconciliation found: list, show and act on them (every action kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sub = {name: actions.add_parser(name, help=text) for name, text in ACTIONS.items()}
        sub["list"].add_argument("--kind", choices=sorted(kinds.KINDS))
        sub["list"].add_argument("--status", choices=sorted(kinds.STATUSES))
        sub["list"].add_argument("--limit", type=int, default=50)
        sub["list"].add_argument("--json", action="store_true")
        for name in ("show", "take", "resolve", "dismiss", "reopen", "record-renewal"):
            sub[name].add_argument("id", type=int)
        for name in ("take", "resolve", "dismiss", "reopen", "record-renewal"):
            sub[name].add_argument("--by", required=True, help="who acts (user name)")
        sub["resolve"].add_argument("--outcome", required=True)
        sub["dismiss"].add_argument("--reason", required=True)
        sub["reopen"].add_argument("--note", default="")
        sub["take"].add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options)
            return
        found = Discrepancy.objects.filter(pk=options["id"]).first()
        if found is None:
            raise CommandError(f"there is no discrepancy {options['id']}")
        try:
            if action == "show":
                self._show(found)
            elif action == "record-renewal":
                record_renewal(found, actor=options["by"])
            else:
                status, note = {
                    "take": (kinds.IN_REVIEW, options.get("note", "")),
                    "resolve": (kinds.RESOLVED, options.get("outcome", "")),
                    "dismiss": (kinds.DISMISSED, options.get("reason", "")),
                    "reopen": (kinds.OPEN, options.get("note", "")),
                }[action]
                change(found, status, actor=options["by"], note=note)
        except ActionError as error:
            raise CommandError(str(error)) from None
        if action != "show":
            self.stdout.write(f"discrepancy {found.pk}: {found.status}")

    def _list(self, options: dict[str, Any]) -> None:
        rows = Discrepancy.objects.all()
        if options["kind"]:
            rows = rows.filter(kind=options["kind"])
        rows = (
            rows.filter(status=options["status"])
            if options["status"]
            else rows.filter(status__in=kinds.CURRENT)
        )
        found = sorted(
            rows,
            key=lambda d: (
                kinds.SEVERITY_RANK[d.severity],
                d.due_date is None,
                d.due_date,
                d.opened,
            ),
        )[: options["limit"]]
        if options["json"]:
            self.stdout.write(json.dumps([_brief(d) for d in found], indent=2))
            return
        table = Table(title="Discrepancies, most urgent first")
        for column in ("id", "kind", "severity", "status", "due", "person", "permit", "summary"):
            table.add_column(column)
        for d in found:
            table.add_row(
                str(d.pk),
                d.kind,
                d.severity,
                d.status,
                str(d.due_date or ""),
                d.registry_id or d.holder_cui,
                d.permit_number,
                d.summary,
            )
        Console().print(table)

    def _show(self, d: Discrepancy) -> None:
        history = [
            {
                "at": c.at.isoformat(),
                "by": c.actor,
                "action": c.action,
                "from": c.from_status,
                "to": c.to_status,
                "note": c.note,
            }
            for c in d.history.all()
        ]
        self.stdout.write(
            json.dumps(
                {**_brief(d), "evidence": d.evidence, "history": history},
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )


def _brief(d: Discrepancy) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "severity": d.severity,
        "status": d.status,
        "registry_id": d.registry_id,
        "permit_number": d.permit_number,
        "holder_cui": d.holder_cui,
        "summary": d.summary,
        "rule": d.rule,
        "flow": d.flow_id,
        "record": d.record_id,
        "outcome": d.outcome,
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "opened": d.opened.isoformat(),
    }
