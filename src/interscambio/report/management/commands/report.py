# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from interscambio.notices.fonts import MissingFont
from interscambio.report import pdf, quarter
from interscambio.report.build import build, note
from interscambio.report.suppression import shown


class Command(BaseCommand):
    help = (
        "The quarterly report for the technical table: aggregates only, counts under 5 "
        "suppressed, as a PDF (--out) or JSON (--json); logged (docs/report.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quarter", help="e.g. 2026Q1 (default: the last quarter that has ended)"
        )
        parser.add_argument("--out", type=Path, help="the PDF to write (default: report-Q.pdf)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--by", default="", help="who builds it, for the access log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            wanted = (
                quarter.parse(options["quarter"])
                if options["quarter"]
                else quarter.last_complete(timezone.localdate())
            )
        except ValueError as error:
            raise CommandError(f"--quarter: {error}") from None
        if wanted.first_day > timezone.localdate():
            raise CommandError(f"--quarter {wanted}: it has not begun yet")
        self.stderr.write(f"counting the figures of {wanted} ({wanted.first_day} – "
                          f"{wanted.last_day})…")  # fmt: skip
        figures = shown(build(wanted))
        by = options["by"] or getpass.getuser()
        if options["json"] and options["out"] is None:
            note(wanted, "json", user=by)
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        out: Path = options["out"] or Path(f"report-{wanted}.pdf")
        self.stderr.write("drawing the charts and writing the PDF…")
        try:
            content = pdf.write(figures)
        except MissingFont as error:
            raise CommandError(str(error)) from None
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"--out {out}: {error.strerror}") from None
        note(wanted, "pdf", user=by)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        self.stderr.write(f"{out}: {len(content):,} bytes")
