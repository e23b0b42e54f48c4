# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interscambio.operations import retention


class Command(BaseCommand):
    help = (
        "Delete what is older than its retention: closed flows' files, old receipts, long "
        "resolved discrepancies, old access log entries behind a signed checkpoint "
        "(docs/operations.md). For a daily timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        done = retention.purge(dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"{verb}: {done.flow_files} flow files ({done.bytes_freed / 2**20:.1f} MB), "
            f"{done.receipts} receipts, {done.discrepancies} resolved discrepancies, "
            f"{done.audit_entries} access log entries"
        )
        if done.audit_error:
            raise CommandError(f"the access log was not pruned: {done.audit_error}")
