# SPDX-License-Identifier: EUPL-1.2
"""Terminal output shared by the node's commands: progress bars, load reports, row errors."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from interscambio.core.extracts import ExtractError
from interscambio.node.loading import FileCheck, LoadError, LoadRefused, LoadReport, plural

# Printing every skipped row is the promise; past this many the terminal gets the first ones
# and the full list goes to --errors-csv.
MAX_PRINTED_ERRORS = 1000


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """A Progress callback for the loaders, drawing rich bars on stderr when enabled."""
    if not enabled:
        yield lambda description, total: lambda advance: None
        return
    bars = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )

    def start(description: str, total: int) -> Callable[[int], None]:
        task = bars.add_task(description, total=total)
        pending = 0

        def advance(n: int) -> None:
            nonlocal pending
            pending += n
            if pending >= 2000 or bars.tasks[task].completed + pending >= total:
                bars.advance(task, pending)
                pending = 0

        return advance

    with bars:
        yield start


def write_errors_csv(path: Path, checks: list[FileCheck]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "line", "record", "field", "message"])
        for check in checks:
            for e in check.errors:
                writer.writerow([check.path.name, e.line, e.record, e.field, e.message])


def print_errors(console: Console, checks: list[FileCheck], limit: int) -> None:
    printed = 0
    for check in checks:
        for error in check.errors:
            if printed == limit:
                total = sum(len(c.errors) for c in checks)
                console.print(f"... and {total - printed} more (all of them: --errors-csv FILE)")
                return
            console.print(f"{check.path.name}: {error}", markup=False, highlight=False)
            printed += 1


class LoadCommand(BaseCommand):
    """`interscambio NAME load FILE`: the shape every extract-loading command shares."""

    role = "comune"
    what = "loading"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = sub.add_parser("load", help=self.help, description=self.help)
        load.add_argument("file", type=Path, help="the CSV extract")
        self.add_load_arguments(load)
        load.add_argument(
            "--skip-invalid",
            action="store_true",
            help="load the valid rows and list the invalid ones, instead of refusing the file",
        )
        load.add_argument(
            "--errors-csv", type=Path, help="also write every row error to this CSV file"
        )
        load.add_argument("--quiet", action="store_true", help="no progress bars")

    def add_load_arguments(self, parser: Any) -> None:
        """Extra arguments of a particular load command."""

    def load(self, options: dict[str, Any], progress: Any) -> LoadReport:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        from interscambio.node.roles import require_role

        require_role(self.role, self.what)
        console = Console(stderr=True)
        started = time.monotonic()
        try:
            with progress_bars(not options["quiet"]) as progress:
                report = self.load(options, progress)
        except LoadRefused as refused:
            if options["errors_csv"]:
                write_errors_csv(options["errors_csv"], refused.checks)
            print_errors(console, refused.checks, MAX_PRINTED_ERRORS)
            raise CommandError(str(refused)) from None
        except (ExtractError, LoadError) as exc:
            raise CommandError(f"{exc}; nothing was loaded") from None
        elapsed = time.monotonic() - started
        if options["errors_csv"]:
            write_errors_csv(options["errors_csv"], report.checks)
        for kind in report.created:
            self.stdout.write(
                f"{kind}: {report.created[kind]:,} new, {report.updated[kind]:,} updated"
            )
        if report.skipped:
            skipped = plural(report.skipped, "invalid row")
            console.print(f"Skipped {skipped}:", style="bold yellow")
            print_errors(console, report.checks, MAX_PRINTED_ERRORS)
        self.stdout.write(f"Loaded in {elapsed:.1f} s.")
