# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from interscambio.core.flows import read_flow
from interscambio.core.flows.calendar import parse_period
from interscambio.core.flows.receipt import Receipt
from interscambio.core.flows.tabular import render_csv
from interscambio.exchange import importing, outbox, status
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.export import due_periods, export_flow, outgoing_type
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.transport import files

ACTIONS = {
    "export": "build, sign and queue the flow of a period (all periods due by default)",
    "send": "send the queued flows that are due (retrying the ones that failed)",
    "receive": "take in flows and receipts left in the file partners' inboxes",
    "import": "take in one flow file received some other way (with its .jws signature)",
    "status": "what was sent, received, acknowledged, late or missing, per partner",
    "show": "one flow with its receipt and rejected records",
    "csv": "a flow's records as CSV, for a spreadsheet",
    "release": "apply a held flow despite the gap in its sequence",
    "refuse": "refuse a held flow (the sender gets a negative receipt)",
}


class Command(BaseCommand):
    help = "Flows between this node and its partners: export, send, receive, status."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sub = {name: actions.add_parser(name, help=text) for name, text in ACTIONS.items()}
        sub["export"].add_argument("--partner", help="partner node id (needed if several)")
        sub["export"].add_argument(
            "--period", help="2026-10 (month), 2026-10-1 / 2026-10-2 (fortnight) or FROM:TO"
        )
        sub["export"].add_argument(
            "--generated", type=datetime.fromisoformat, help=argparse.SUPPRESS
        )
        sub["send"].add_argument(
            "--now", action="store_true", help="do not wait for the retry time of failed flows"
        )
        sub["import"].add_argument("file", type=Path)
        sub["import"].add_argument("--signature", type=Path, help="default: FILE.jws")
        sub["import"].add_argument("--receipt", type=Path, help="write the signed receipt here")
        sub["status"].add_argument("--json", action="store_true")
        sub["status"].add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
        sub["show"].add_argument("id", type=int)
        sub["csv"].add_argument("id", type=int)
        sub["csv"].add_argument("--out", type=Path, required=True)
        sub["release"].add_argument("id", type=int)
        sub["refuse"].add_argument("id", type=int)
        sub["refuse"].add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ExchangeError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            # A database restarted under the command: its transaction was undone, and a flow
            # already stored as received is applied when it is imported again.
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(
                f"the database failed ({reason}): what this command was doing was undone; "
                "run it again once the database answers"
            ) from None

    # --- helpers ---

    def _partner(self, node_id: str | None) -> Partner:
        partners = Partner.objects.filter(active=True)
        if node_id:
            partner = partners.filter(node_id=node_id).first()
            if partner is None:
                raise CommandError(f"{node_id!r} is not an active partner of this node")
            return partner
        found = list(partners[:2])
        if len(found) != 1:
            raise CommandError(
                "this node has no active partner: `interscambio partner add ...`"
                if not found
                else "this node has several partners: say which with --partner"
            )
        return found[0]

    def _flow(self, pk: int) -> Flow:
        flow = Flow.objects.select_related("partner").filter(pk=pk).first()
        if flow is None:
            raise CommandError(f"no flow with id {pk} (see `interscambio flow status`)")
        return flow

    # --- actions ---

    def _export(self, options: dict[str, Any]) -> None:
        partner = self._partner(options["partner"])
        today = timezone.localdate()
        if options["period"]:
            try:
                periods = [parse_period(outgoing_type(), options["period"])]
            except ValueError as error:
                raise CommandError(str(error)) from None
        else:
            periods = due_periods(partner, today)
        if not periods:
            self.stdout.write(f"nothing to export for {partner}: every ended period is exported")
        generated = options["generated"]
        for period in periods:
            flow = export_flow(partner, period, generated=generated, today=today)
            self.stdout.write(
                f"{flow.flow_type} #{flow.sequence} for {partner.node_id}, {flow.period_label}: "
                f"{flow.record_count} records, queued (id {flow.pk}, {flow.path})"
            )

    def _send(self, options: dict[str, Any]) -> None:
        attempts = outbox.send_due(ignore_wait=options["now"])
        for attempt in attempts:
            flow = attempt.flow
            mark = "ok" if attempt.ok else "FAILED"
            self.stdout.write(
                f"{mark}: {flow.flow_type} #{flow.sequence} to {flow.partner.node_id}: "
                f"{attempt.message}"
            )
        if not attempts:
            self.stdout.write("nothing to send")

    def _receive(self, options: dict[str, Any]) -> None:
        count = 0
        for delivery in importing.resume():
            count += 1
            self.stdout.write(f"resumed: {delivery.signed.receipt.summary()}")
        for partner in outbox.file_partners():
            for item in outbox.collect(partner):
                count += 1
                self.stdout.write(f"{partner.node_id} {item.name}: {item.message}")
        if not count:
            self.stdout.write("nothing received")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        signature_path: Path = options["signature"] or path.with_name(path.name + ".jws")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        signature = (
            signature_path.read_text(encoding="ascii", errors="replace").strip()
            if signature_path.is_file()
            else ""
        )
        delivery = importing.receive(path, signature, keep=True)
        self._print_receipt(delivery.signed.receipt)
        if options["receipt"]:
            files.put_signed(
                options["receipt"].parent,
                options["receipt"].name,
                delivery.signed.body,
                delivery.signed.signature,
            )
        if delivery.outcome == "rifiutato":
            raise CommandError("the flow was refused: nothing was applied")

    def _print_receipt(self, receipt: Receipt) -> None:
        ref = receipt.flow
        self.stdout.write(
            f"{ref.flow_type or '?'} #{ref.sequence or '?'} from {ref.sender or '?'}: "
            f"{receipt.summary()}"
        )
        for problem in receipt.rejected[:50]:
            self.stdout.write(f"  {problem}")
        if len(receipt.rejected) > 50:
            self.stdout.write(f"  ... and {len(receipt.rejected) - 50} more (flow show ID)")

    def _status(self, options: dict[str, Any]) -> None:
        today = options["today"] or timezone.localdate()
        partners = list(Partner.objects.all())
        rows = [entry for partner in partners for entry in status.entries(partner, today)]
        if options["json"]:
            self.stdout.write(json.dumps([row.to_json() for row in rows], indent=2))
            return
        if not partners:
            self.stdout.write("no partner yet: `interscambio partner add ...`")
            return
        table = Table(title=f"Exchange calendar on {today}")
        for column in ("partner", "", "type", "period", "#", "state", "records", "tries", "detail"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row.partner,
                "→" if row.direction == "out" else "←",
                row.flow_type,
                row.period,
                str(row.sequence or ""),
                row.state,
                "" if row.records is None else str(row.records),
                str(row.attempts or ""),
                row.detail[:70],
            )
        Console(file=self.stdout, width=160).print(table)

    def _show(self, options: dict[str, Any]) -> None:
        flow = self._flow(options["id"])
        self.stdout.write(f"flow {flow.pk}: {flow} {flow.period_label}")
        where = str(flow.path)
        if flow.payload_purged:
            where = f"deleted on {flow.payload_purged:%Y-%m-%d} (retention)"
        self.stdout.write(f"  file {where}\n  sha256 {flow.sha256}\n  records {flow.record_count}")
        if flow.last_error:
            self.stdout.write(f"  last error: {flow.last_error}")
        if flow.receipt:
            self._print_receipt(Receipt.from_bytes(flow.receipt.encode()))

    def _csv(self, options: dict[str, Any]) -> None:
        flow = self._flow(options["id"])
        if flow.payload_purged:
            raise CommandError(
                f"flow {flow.pk}: its file was deleted on {flow.payload_purged:%Y-%m-%d} by the "
                "retention (INTERSCAMBIO_RETAIN_FLOW_FILES_DAYS); its records are in the "
                "database, its hash and signature in the flow's row"
            )
        reader = read_flow(flow.path)
        with options["out"].open("w", encoding="utf-8", newline="") as out:
            render_csv(reader, out)
        self.stdout.write(f"{flow.record_count} records written to {options['out']}")

    def _release(self, options: dict[str, Any]) -> None:
        delivery = importing.release(self._flow(options["id"]))
        self._answer(delivery)

    def _refuse(self, options: dict[str, Any]) -> None:
        delivery = importing.refuse(self._flow(options["id"]), options["reason"])
        self._answer(delivery)

    def _answer(self, delivery: importing.Delivery) -> None:
        self._print_receipt(delivery.signed.receipt)
        for later in delivery.following:
            self._print_receipt(later.signed.receipt)
        if delivery.flow is not None:
            outbox.answer_by_file(delivery.flow.partner, delivery)
