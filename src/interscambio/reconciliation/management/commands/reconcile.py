# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from rich.console import Console
from rich.table import Table

from interscambio.exchange.models import Flow
from interscambio.reconciliation import kinds
from interscambio.reconciliation.comune.renewals import RENEWAL_REASON
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.service import ReconciliationError, reconcile
from interscambio.registry.models import RegistryEvent


def recorded_renewals() -> int:
    """Renewals reconciliation wrote into the registry, in every run (none on a Questura)."""
    return RegistryEvent.objects.filter(
        reason_code=RENEWAL_REASON, changes__fonte__regola__isnull=False
    ).count()


class Command(BaseCommand):
    help = (
        "Reconcile the partner's records with this node's: link them, record or propose "
        "renewals, find and store discrepancies. Without --flow, every applied flow."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--flow", type=int, help="only the records of this received flow")
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="reference date of the periodic rules, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--json", action="store_true", help="print the run's report as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress messages")
        parser.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        flow = None
        if options["flow"] is not None:
            flow = Flow.objects.filter(pk=options["flow"]).first()
            if flow is None:
                raise CommandError(f"there is no flow {options['flow']} on this node")
        quiet = options["quiet"] or options["json"]

        def say(message: str) -> None:
            if not quiet:
                print(message, file=sys.stderr, flush=True)

        try:
            report = reconcile(flow, today=options["date"] or options["today"], say=say)
        except ReconciliationError as error:
            raise CommandError(str(error)) from None
        run = report.run
        current = dict(
            Discrepancy.objects.filter(status__in=kinds.CURRENT)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        if options["json"]:
            print(
                json.dumps(
                    {
                        "run": run.pk,
                        "reference_date": run.reference_date.isoformat(),
                        "counts": run.counts,
                        "seconds": run.seconds,
                        "current_by_kind": current,
                        "renewals_recorded_total": recorded_renewals(),
                    },
                    indent=2,
                )
            )
            return
        console = Console()
        table = Table(title=f"Reconciliation {run.pk} as of {run.reference_date}")
        for column in ("kind", "found in this run", "open or in review"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        found = run.counts.get("findings_by_kind", {})
        for code, kind in kinds.KINDS.items():
            if found.get(code) or current.get(code):
                table.add_row(
                    f"{code} ({kind.label})", f"{found.get(code, 0):,}", f"{current.get(code, 0):,}"
                )
        console.print(table)
        c = run.counts
        seconds = sum(v for v in run.seconds.values() if isinstance(v, float))
        console.print(
            f"Discrepancies opened {c['discrepancies_opened']:,}, updated "
            f"{c['discrepancies_updated']:,}, unchanged {c['discrepancies_unchanged']:,}, "
            f"closed as no longer found {c['discrepancies_closed']:,}; acted on automatically "
            f"{c['findings_acted_on']:,}. {seconds:.1f} s.",
            highlight=False,
        )
