# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interscambio.audit import log
from interscambio.core.trust import TrustError


class Command(BaseCommand):
    help = (
        "The access log: sign a tree head (for cron), verify the whole log, export it for the "
        "Prefettura's offline check (docs/audit-log.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        head = actions.add_parser("head", help="sign the log's current size and root")
        head.add_argument(
            "--if-due", action="store_true", help="only if the interval since the last head passed"
        )
        verify = actions.add_parser("verify", help="recompute everything; name the first bad entry")
        verify.add_argument("--files", type=Path, help="check an export folder instead")
        export = actions.add_parser("export", help="certificate, log.jsonl and heads.txt")
        export.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "head":
            head = log.sign_head_if_due() if options["if_due"] else log.sign_head()
            if head is None:
                self.stdout.write("no tree head due yet")
            else:
                self.stdout.write(f"tree head signed: {head.size:,} entries, root {head.root_hash}")
        elif action == "export":
            entries, heads = log.export(options["out"])
            self.stdout.write(f"{entries:,} entries and {heads:,} signed heads in {options['out']}")
        else:
            try:
                result = log.verify_files(options["files"]) if options["files"] else log.verify()
            except TrustError as error:
                raise CommandError(f"a tree head does not verify: {error}") from None
            except FileNotFoundError as error:
                raise CommandError(str(error)) from None
            if not result.ok:
                raise CommandError(f"{result.kind}: {result.message}")
            self.stdout.write(f"OK: {result.message}")
