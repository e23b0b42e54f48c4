# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from interscambio.exchange.schedule import Busy, run_round


class Command(BaseCommand):
    help = (
        "The exchange's routine: export ended periods, send what is due, take in what arrived, "
        "flag late flows. Safe to run from cron every few minutes, and twice at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="one round (what cron runs)")
        run.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_round(options["today"])
        except Busy:
            self.stdout.write("another round is running: this one leaves it to finish")
            return
        for line in result.lines():
            self.stdout.write(line)
