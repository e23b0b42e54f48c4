# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from interscambio.access import rules
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.queue.actions import ActionError, Actor, act
from interscambio.reconciliation.queue.steps import WORKING

ACTIONS = {
    "list": "the discrepancies, most urgent first (--kind, --status, --limit, --json)",
    "show": "one discrepancy with its evidence and history",
    "take": "take one up (in review, assigned to you if to no one)",
    "resolve": "resolve one with one of the configured outcomes",
    "dismiss": "dismiss one, saying why",
    "reopen": "reopen a resolved or dismissed one",
    "comment": "add a comment to its history",
    "assign": "assign it to a user who works the queue (--to USER), or to no one (--to '')",
    "check": "ask for a domicile check, due by --due",
    "record-renewal": "record a proposed renewal in the registry and resolve it",
}
# Each subcommand: the queue action (reconciliation/queue/actions.py) and its options.
QUEUE_ACTIONS = {
    "take": ("prendi", {"note": "note"}),
    "resolve": ("risolvi", {"outcome": "outcome", "note": "note"}),
    "dismiss": ("archivia", {"reason": "reason"}),
    "reopen": ("riapri", {"note": "note"}),
    "comment": ("commenta", {"text": "text"}),
    "assign": ("assegna", {"to": "username"}),
    "check": ("verifica_domicilio", {"due": "due", "note": "note"}),
    "record-renewal": ("registra_rinnovo", {}),
}


def actor_for(username: str) -> Actor:
    """The user named by --by, acting by an authorization in force today to work the queue:
    the access log names the office and role, as for an action in the portal."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--by {username!r}: no such user")
    held = sorted((a for a in rules.active(user) if a.role in WORKING), key=lambda a: a.pk)
    if not held:
        raise CommandError(
            f"--by {username!r}: no authorization in force today to work the queue "
            f"(roles: {', '.join(sorted(WORKING))})"
        )
    return Actor(username, held[0].office.name, held[0].role, held[0].office_id)


class Command(BaseCommand):
    help = "The discrepancies reconciliation found: list, show and act on them (every action kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sub = {name: actions.add_parser(name, help=text) for name, text in ACTIONS.items()}
        sub["list"].add_argument("--kind", choices=sorted(kinds.KINDS))
        sub["list"].add_argument("--status", choices=sorted(kinds.STATUSES))
        sub["list"].add_argument("--limit", type=int, default=50)
        sub["list"].add_argument("--json", action="store_true")
        sub["show"].add_argument("id", type=int)
        for name in QUEUE_ACTIONS:
            sub[name].add_argument("id", type=int)
            sub[name].add_argument("--by", required=True, help="who acts (user name)")
        for name in ("take", "resolve", "reopen", "check"):
            sub[name].add_argument("--note", default="")
        sub["resolve"].add_argument(
            "--outcome", required=True, help="an outcome code (INTERSCAMBIO_QUEUE_OUTCOMES)"
        )
        sub["dismiss"].add_argument("--reason", required=True)
        sub["comment"].add_argument("--text", required=True)
        sub["assign"].add_argument("--to", required=True, help="user name ('' for no one)")
        sub["check"].add_argument("--due", type=date.fromisoformat, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options)
            return
        found = Discrepancy.objects.filter(pk=options["id"]).first()
        if found is None:
            raise CommandError(f"there is no discrepancy {options['id']}")
        if action == "show":
            self._show(found)
            return
        queued, names = QUEUE_ACTIONS[action]
        params = {param: options[option] for option, param in names.items()}
        try:
            act(found, queued, actor_for(options["by"]), **params)
        except ActionError as error:
            raise CommandError(str(error)) from None
        found.refresh_from_db()
        who = found.assigned_to.get_username() if found.assigned_to else "no one"
        self.stdout.write(f"discrepancy {found.pk}: {found.status}, assigned to {who}")

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
