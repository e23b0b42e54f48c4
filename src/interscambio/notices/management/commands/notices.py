# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from interscambio.node.roles import require_role
from interscambio.notices.batches import BatchError, generate
from interscambio.notices.fonts import MissingFont
from interscambio.notices.models import Notice
from interscambio.notices.selection import KINDS
from interscambio.notices.texts import MissingCatalog


class Command(BaseCommand):
    help = (
        "Letters to residents whose permit expires within N days or expired with no renewal "
        "known: one PDF and one mail-merge CSV per batch, recorded as sent (docs/notices.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", nargs="?", default="generate", choices=["generate", "list"],
            help="generate a batch (the default) or list the notices recorded",
        )  # fmt: skip
        parser.add_argument(
            "--date", type=date.fromisoformat, help="the letters' date, YYYY-MM-DD (default today)"
        )
        parser.add_argument(
            "--within",
            type=int,
            default=None,
            help="days before the expiry (default INTERSCAMBIO_DEADLINES_EXPIRING_DAYS)",
        )
        parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
        parser.add_argument("--out", type=Path, help="the folder for the PDF and the CSV")
        parser.add_argument("--by", default="", help="who generates them (the access log says)")
        parser.add_argument("--dry-run", action="store_true", help="count only: no file, no record")

    def handle(self, *args: Any, **options: Any) -> None:
        require_role("comune", "interscambio notices")
        if options["action"] == "list":
            self._list(options)
            return
        if options["out"] is None and not options["dry_run"]:
            raise CommandError("--out DIR is required, where the PDF and the CSV go")
        kinds = KINDS if options["kind"] == "all" else (options["kind"],)
        day = options["date"] or timezone.localdate()
        within = (
            settings.DEADLINES_EXPIRING_DAYS if options["within"] is None else options["within"]
        )

        def say(message: str) -> None:
            print(message, file=sys.stderr, flush=True)

        try:
            outcome = generate(
                day,
                within,
                options["out"] or Path("."),
                options["by"],
                kinds,
                dry_run=options["dry_run"],
                say=say,
            )
        except (BatchError, MissingFont, MissingCatalog, ImproperlyConfigured, ValueError) as e:
            raise CommandError(str(e)) from None
        by_kind = {k: sum(1 for c in outcome.due if c.kind == k) for k in kinds}
        self.stdout.write(", ".join(f"{k}: {n:,}" for k, n in by_kind.items()))
        languages = ", ".join(f"{k} {n:,}" for k, n in sorted(outcome.languages.items()))
        self.stdout.write(f"languages: {languages or '-'}")
        batch = outcome.batch
        if options["dry_run"]:
            self.stdout.write("dry run: nothing written, nothing recorded")
        elif batch is None:
            self.stdout.write("nobody new to write to: no batch")
        else:
            self.stdout.write(f"batch {batch.pk}: {batch.letters:,} letters recorded as sent")
            self.stdout.write(batch.pdf_path)
            self.stdout.write(batch.csv_path)

    def _list(self, options: dict[str, Any]) -> None:
        notices = Notice.objects.select_related("resident").order_by("-sent_on", "pk")
        if options["date"]:
            notices = notices.filter(sent_on=options["date"])
        if options["kind"] != "all":
            notices = notices.filter(kind=options["kind"])
        table = Table("sent", "kind", "id anagrafe", "expiry", "language", "batch")
        for n in notices:
            table.add_row(
                f"{n.sent_on:%d/%m/%Y}",
                n.kind,
                n.resident.registry_id,
                f"{n.permit_expiry:%d/%m/%Y}",
                n.language,
                str(n.batch_id or "-"),
            )
        Console(file=self.stdout, width=120).print(table)
