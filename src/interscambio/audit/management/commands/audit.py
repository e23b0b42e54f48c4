# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from interscambio.audit import log
from interscambio.core.trust import TrustError
from interscambio.operations import retention


class Command(BaseCommand):
    help = (
        "The access log: sign a tree head (for cron), verify the whole log, export it for the "
        "Prefettura's offline check, prune its oldest entries behind a signed checkpoint "
        "(docs/audit-log.md)."
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
        prune = actions.add_parser(
            "prune", help="delete the oldest entries behind a signed checkpoint"
        )
        prune.add_argument(
            "--before",
            type=date.fromisoformat,
            help="entries before this day (YYYY-MM-DD, local time); by default the retention, "
            "INTERSCAMBIO_RETAIN_AUDIT_DAYS",
        )
        prune.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        prune.add_argument("--by", default=log.SYSTEM, help="who prunes, for the log's entry")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "head":
            head = log.sign_head_if_due() if options["if_due"] else log.sign_head()
            if head is None:
                self.stdout.write("no tree head due yet")
            else:
                self.stdout.write(f"tree head signed: {head.size:,} entries, root {head.root_hash}")
        elif action == "prune":
            self._prune(options)
        elif action == "export":
            entries, heads = log.export(options["out"])
            self.stdout.write(f"{entries:,} entries and {heads:,} signed heads in {options['out']}")
        else:
            try:
                result = log.verify_files(options["files"]) if options["files"] else log.verify()
            except TrustError as error:
                raise CommandError(f"a tree head or checkpoint does not verify: {error}") from None
            except FileNotFoundError as error:
                raise CommandError(str(error)) from None
            if not result.ok:
                raise CommandError(f"{result.kind}: {result.message}")
            self.stdout.write(f"OK: {result.message}")

    def _prune(self, options: dict[str, Any]) -> None:
        day = options["before"]
        before = retention.start_of(day) if day else retention.audit_cut_off(timezone.now())
        if before is None:
            raise CommandError(
                "INTERSCAMBIO_RETAIN_AUDIT_DAYS is 0: the log is kept for ever; give --before "
                "to prune it anyway"
            )
        try:
            pruned = log.prune(before, by=options["by"], dry_run=options["dry_run"])
        except (log.PruneError, TrustError) as error:
            raise CommandError(str(error)) from None
        if pruned is None:
            self.stdout.write(
                f"nothing to prune: no signed head covers only entries before {before.isoformat()}"
            )
            return
        verb = "would prune" if options["dry_run"] else "pruned"
        self.stdout.write(
            f"{verb} {pruned.entries:,} entries ({pruned.first}-{pruned.size - 1}) before "
            f"{before.isoformat()}; the log goes on from entry {pruned.size}, behind a "
            "checkpoint" + (" signed now" if not options["dry_run"] else "")
        )
