# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from interscambio.operations import retention


class Command(BaseCommand):
    help = (
        "Delete what is older than its retention: closed flows' files, old receipts, long "
        "resolved discrepancies (docs/operations.md). For a daily timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        done = retention.purge(dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"{verb}: {done.flow_files} flow files ({done.bytes_freed / 2**20:.1f} MB), "
            f"{done.receipts} receipts, {done.discrepancies} resolved discrepancies"
        )
